import {
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
  type Bundle,
  bundleFromJSON,
  type TransparencyLogEntry,
} from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { SignError } from '../errors.js';

/**
 * A Sigstore bundle as the verifier needs it. Parsing and the per-version shape rules (v0.1 needs
 * a signed entry timestamp, v0.2+ an inclusion proof with a checkpoint, v0.3 a single certificate)
 * are @sigstore/bundle's; the media type check and the narrowing to the cases Custody verifies
 * are added here.
 */
export interface ParsedBundle {
  mediaType: string;
  content: MessageContent | DsseContent;
  key: CertificateKey | PublicKeyHint;
  tlogEntries: TransparencyLogEntry[];
  /** DER RFC 3161 timestamp responses. */
  rfc3161Timestamps: Uint8Array[];
}

export interface MessageContent {
  kind: 'message';
  digestAlgorithm: 'sha256' | 'sha384' | 'sha512';
  digest: Uint8Array;
  signature: Uint8Array;
}

export interface DsseContent {
  kind: 'dsse';
  payloadType: string;
  payload: Uint8Array;
  /** The envelope's single signature (Sigstore bundles carry exactly one). */
  signature: Uint8Array;
}

export interface CertificateKey {
  kind: 'certificate';
  /** The leaf. */
  der: Uint8Array;
  /**
   * The certificates after the leaf in a v0.1/v0.2 `x509CertificateChain` (v0.3 carries the leaf
   * alone). Never trust anchors: each must be one the trusted root holds (certificate.ts).
   */
  chain: Uint8Array[];
  /** The base64 the bundle carried: a cache key that costs nothing to compute. */
  base64: string;
}

export interface PublicKeyHint {
  kind: 'publicKey';
  hint: string;
}

const MEDIA_TYPES = new Set([
  BUNDLE_V01_MEDIA_TYPE,
  BUNDLE_V02_MEDIA_TYPE,
  BUNDLE_V03_LEGACY_MEDIA_TYPE,
  BUNDLE_V03_MEDIA_TYPE,
]);

const DIGESTS: Partial<Record<HashAlgorithm, MessageContent['digestAlgorithm']>> = {
  [HashAlgorithm.SHA2_256]: 'sha256',
  [HashAlgorithm.SHA2_384]: 'sha384',
  [HashAlgorithm.SHA2_512]: 'sha512',
};

/**
 * @throws SignError SIGN_BUNDLE_MALFORMED
 */
export function parseBundle(json: unknown): ParsedBundle {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw malformed('a bundle is a JSON object');
  }
  const mediaType = (json as { mediaType?: unknown }).mediaType;
  if (typeof mediaType !== 'string' || !MEDIA_TYPES.has(mediaType)) {
    throw malformed(`unknown bundle media type ${JSON.stringify(mediaType)}`);
  }
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(json);
  } catch (e) {
    throw malformed((e as Error).message, e);
  }
  return {
    mediaType,
    content: content(bundle),
    key: signingKey(bundle),
    tlogEntries: bundle.verificationMaterial.tlogEntries,
    rfc3161Timestamps: (
      bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps ?? []
    ).map((t) => t.signedTimestamp),
  };
}

function content(bundle: Bundle): MessageContent | DsseContent {
  const c = bundle.content;
  if (c?.$case === 'messageSignature') {
    const { messageDigest, signature } = c.messageSignature;
    const digestAlgorithm = messageDigest && DIGESTS[messageDigest.algorithm];
    if (!messageDigest || digestAlgorithm === undefined) {
      throw malformed('the message signature has no digest of a supported algorithm');
    }
    if (signature.length === 0) throw malformed('the message signature is empty');
    return { kind: 'message', digestAlgorithm, digest: messageDigest.digest, signature };
  }
  if (c?.$case === 'dsseEnvelope') {
    const env = c.dsseEnvelope;
    if (env.signatures.length !== 1) {
      throw malformed(
        `a bundle's DSSE envelope carries one signature, not ${env.signatures.length}`,
      );
    }
    const sig = env.signatures[0]?.sig ?? new Uint8Array();
    if (sig.length === 0) throw malformed('the DSSE signature is empty');
    return { kind: 'dsse', payloadType: env.payloadType, payload: env.payload, signature: sig };
  }
  throw malformed('the bundle has neither a message signature nor a DSSE envelope');
}

function signingKey(bundle: Bundle): CertificateKey | PublicKeyHint {
  const m = bundle.verificationMaterial.content;
  switch (m.$case) {
    case 'publicKey':
      return { kind: 'publicKey', hint: m.publicKey.hint };
    case 'certificate':
      return leaf(m.certificate.rawBytes, []);
    case 'x509CertificateChain': {
      const [first, ...rest] = m.x509CertificateChain.certificates;
      if (first === undefined) throw malformed('the certificate chain is empty');
      return leaf(
        first.rawBytes,
        rest.map((c) => c.rawBytes),
      );
    }
    default:
      throw malformed('the bundle has no verification material');
  }
}

function leaf(der: Uint8Array, chain: Uint8Array[]): CertificateKey {
  if (der.length === 0) throw malformed('the signing certificate is empty');
  return { kind: 'certificate', der, chain, base64: Buffer.from(der).toString('base64') };
}

function malformed(message: string, cause?: unknown): SignError {
  return new SignError('SIGN_BUNDLE_MALFORMED', `Bundle: ${message}.`, { cause });
}
