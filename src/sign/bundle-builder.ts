import { sign as cryptoSign } from 'node:crypto';
import {
  BUNDLE_V03_MEDIA_TYPE,
  type Bundle,
  bundleToJSON,
  type SerializedBundle,
} from '@sigstore/bundle';
import {
  DSSEBundleBuilder,
  MessageSignatureBundleBuilder,
  type Signer,
  type Witness,
} from '@sigstore/sign';
import { SignError } from './errors.js';
import type { SigningKey } from './keys.js';
import { IN_TOTO_PAYLOAD_TYPE, type Statement, statementToBytes } from './statement.js';

/**
 * Keyed Sigstore bundles (v0.3) built with sigstore-js's own bundle builders, so the bytes are what
 * @sigstore/verify and cosign expect. No I/O here: a transparency log arrives as a `Witness` (the
 * app layer makes a RekorWitness for Custody's log and wraps it with retries).
 */
export interface BundleOptions {
  /** Witnesses that add verification material, e.g. a RekorWitness. None: an unlogged bundle. */
  witnesses?: readonly Witness[];
}

/**
 * A sigstore-js `Signer` for a private key: ECDSA and RSA (PKCS#1 v1.5) over SHA-256, Ed25519 pure.
 * The key material is the public key with its hint, so the bundle names the key, not a certificate.
 */
export function keySigner(key: SigningKey): Signer {
  const material = { $case: 'publicKey' as const, publicKey: key.publicPem, hint: key.hint };
  return {
    sign: async (data: Buffer) => ({
      signature: cryptoSign(key.digest, data, key.privateKey),
      key: material,
    }),
  };
}

/**
 * Who signs: a private key held here, or any sigstore-js Signer (a keyless FulcioSigner, an HSM)
 * with its key type when known.
 */
export type BundleSigner = SigningKey | { signer: Signer; type?: string };

function signerOf(s: BundleSigner): { signer: Signer; type: string | undefined } {
  return 'signer' in s
    ? { signer: s.signer, type: s.type }
    : { signer: keySigner(s), type: s.type };
}

/**
 * A bundle with a message signature over `artifact` (SHA-256 digest in the bundle).
 * @throws SignError SIGN_KEY_INVALID for an Ed25519 key, SIGN_SERVICE_FAILED or whatever a witness
 *   throws
 */
export async function buildMessageSignatureBundle(
  artifact: Uint8Array,
  who: BundleSigner,
  o: BundleOptions = {},
): Promise<SerializedBundle> {
  const key = signerOf(who);
  // A message signature is checked against the bundle's SHA-256 digest: by @sigstore/verify, which
  // hands 'sha256' to crypto.verify (OpenSSL refuses a digest with pure Ed25519), and by the log's
  // hashedrekord entry, which holds only the digest. Ed25519ph is not in Node. So refuse up front.
  if (key.type === 'ed25519') {
    throw new SignError(
      'SIGN_KEY_INVALID',
      'an Ed25519 key cannot make a message signature that Sigstore verifiers accept (they check ' +
        'it against the SHA-256 digest): use `custody attest` (DSSE) with it, or an ECDSA or RSA key',
      { details: { type: key.type } },
    );
  }
  const witnesses = [...(o.witnesses ?? [])];
  const bundle = await new MessageSignatureBundleBuilder({
    signer: key.signer,
    witnesses,
  }).create({ data: asBuffer(artifact) });
  return toV03(bundle);
}

/**
 * A bundle with a DSSE envelope of `payload` signed over its PAE.
 * @throws whatever a witness throws
 */
export async function buildDsseBundle(
  payload: Uint8Array,
  payloadType: string,
  who: BundleSigner,
  o: BundleOptions = {},
): Promise<SerializedBundle> {
  const bundle = await new DSSEBundleBuilder({
    signer: signerOf(who).signer,
    witnesses: [...(o.witnesses ?? [])],
  }).create({ data: asBuffer(payload), type: payloadType });
  return toV03(bundle);
}

/** A DSSE bundle of an in-toto statement (payloadType application/vnd.in-toto+json). */
export function buildAttestationBundle(
  statement: Statement,
  who: BundleSigner,
  o: BundleOptions = {},
): Promise<SerializedBundle> {
  return buildDsseBundle(statementToBytes(statement), IN_TOTO_PAYLOAD_TYPE, who, o);
}

// sigstore-js's message builder labels every bundle v0.2 (it assumes a certificate chain). With a
// public key, v0.2 and v0.3 differ only in that label, and v0.3 is what the issue asks for.
function toV03(bundle: Bundle): SerializedBundle {
  // v0.3 carries the signing certificate alone (verifiers take the chain from their trusted root);
  // sigstore-js's message builder writes a v0.2 chain.
  const content = bundle.verificationMaterial.content;
  const certificate =
    content?.$case === 'x509CertificateChain'
      ? content.x509CertificateChain.certificates[0]
      : undefined;
  const verificationMaterial =
    certificate !== undefined
      ? {
          ...bundle.verificationMaterial,
          content: { $case: 'certificate' as const, certificate },
        }
      : bundle.verificationMaterial;
  return bundleToJSON({ ...bundle, mediaType: BUNDLE_V03_MEDIA_TYPE, verificationMaterial });
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}
