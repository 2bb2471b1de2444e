import { constants, type KeyObject, publicDecrypt } from 'node:crypto';
import { encodeBase64 } from './bytes.js';
import { ecdsaSignatureTwin, verifyEcdsaPrehashed } from './ecdsa-prehashed.js';
import {
  assertRekorVersion,
  type BuiltEntry,
  base64Field,
  CUSTODY_ENTRY_API_VERSION,
  type DigestAlgorithm,
  digestAlgorithm,
  type EntryKind,
  hexDigest,
  malformed,
  type Obj,
  type ParseEntryOptions,
  prefixedDigest,
  REKOR_ENTRY_API_VERSION,
} from './entry-fields.js';
import { type EntryVerifier, parseVerifier, typedVerifier, unsupportedKey } from './entry-keys.js';
import { TlogError } from './errors.js';

/**
 * Digest-signed entries: Rekor's hashedrekord and Custody's sbom, vex and attestation kinds. The
 * signature is checked against the digest alone, as Rekor does.
 */

export function rekorHashedrekord(root: Obj, opts: ParseEntryOptions): BuiltEntry {
  assertRekorVersion(root);
  const spec = root.object('spec');
  const hash = spec.object('data').object('hash');
  const algorithm = digestAlgorithm(hash.string('algorithm'), 'spec.data.hash.algorithm');
  const hex = hexDigest(hash.string('value'), algorithm, 'spec.data.hash.value');
  const signature = spec.object('signature');
  const sig = base64Field(signature.string('content'), 'spec.signature.content', opts);
  const pem = base64Field(
    signature.object('publicKey').string('content'),
    'spec.signature.publicKey.content',
    opts,
  );
  const verifier = parseVerifier(Buffer.from(pem).toString('utf8'), 'spec.signature.publicKey');
  return digestSigned('hashedrekord', REKOR_ENTRY_API_VERSION, algorithm, hex, sig, verifier);
}

export function typedHashedrekord(root: Obj, opts: ParseEntryOptions): BuiltEntry {
  const { algorithm, hex } = prefixedDigest(root.string('digest'), 'digest');
  const sig = base64Field(root.string('signature'), 'signature', opts);
  const verifier = typedVerifier(root, opts);
  return digestSigned('hashedrekord', REKOR_ENTRY_API_VERSION, algorithm, hex, sig, verifier);
}

export function typedCustodyKind(kind: EntryKind, root: Obj, opts: ParseEntryOptions): BuiltEntry {
  const { algorithm, hex } = prefixedDigest(root.string('digest'), 'digest');
  const sig = base64Field(root.string('signature'), 'signature', opts);
  const verifier = typedVerifier(root, opts);
  return digestSigned(kind, CUSTODY_ENTRY_API_VERSION, algorithm, hex, sig, verifier);
}

/**
 * Rekor's hashedrekord v0.0.1 Canonicalize(): only these fields, the key as its canonical PEM.
 *
 * One signature is one entry, however it is spelled (issue 11, security 7):
 * - the digest is stored as lower-case hex. Rekor keeps the case it was sent, but Sigstore's
 *   clients all send lower case (and sigstore-python compares the body's digest as lower-case
 *   hex), so for what they send the body stays byte-exact to Rekor's;
 * - the signature is stored as sent: a bundle carries the signer's own signature bytes and
 *   verifiers compare them with the body's, so the log may not rewrite them to low-s. Its ECDSA
 *   twin (r, n − s), which anyone can compute from it, is the body's alias instead: the
 *   sequencer answers the stored entry when either form is in the log.
 */
function digestSigned(
  kind: EntryKind,
  apiVersion: string,
  algorithm: DigestAlgorithm,
  hexIn: string,
  sig: Uint8Array,
  verifier: EntryVerifier,
): BuiltEntry {
  const hex = hexIn.toLowerCase();
  verifyDigestSignature(verifier, algorithm, Buffer.from(hex, 'hex'), sig);
  const bodyWith = (signature: Uint8Array) => ({
    apiVersion,
    kind,
    spec: {
      data: { hash: { algorithm, value: hex } },
      signature: {
        content: encodeBase64(signature),
        publicKey: { content: Buffer.from(verifier.canonicalPem, 'utf8').toString('base64') },
      },
    },
  });
  const twin =
    verifier.key.asymmetricKeyType === 'ec' ? ecdsaSignatureTwin(verifier.key, sig) : undefined;
  return {
    kind,
    body: bodyWith(sig),
    subjectDigest: `${algorithm}:${hex}`,
    ...(twin !== undefined ? { aliases: [bodyWith(twin)] } : {}),
  };
}

function verifyDigestSignature(
  verifier: EntryVerifier,
  algorithm: DigestAlgorithm,
  digest: Uint8Array,
  sig: Uint8Array,
): void {
  const key = verifier.key;
  let ok: boolean;
  switch (key.asymmetricKeyType) {
    case 'ec':
      ok = verifyEcdsaPrehashed(key, digest, sig);
      break;
    case 'rsa':
      ok = verifyRsaPrehashed(key, algorithm, digest, sig);
      break;
    case 'ed25519':
      throw malformed(
        'an Ed25519 signature covers the whole artifact and cannot be checked against a digest ' +
          '(Ed25519ph is not supported): log it as a dsse entry, or sign with ECDSA or RSA',
      );
    default:
      throw unsupportedKey(key);
  }
  if (!ok) {
    throw new TlogError(
      'TLOG_ENTRY_SIGNATURE_INVALID',
      `the signature does not verify over the ${algorithm} digest with the given key: check that ` +
        'the digest is of the signed artifact and that the key or certificate is the signer',
    );
  }
}

const DIGEST_INFO_PREFIX: Record<DigestAlgorithm, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.2) from a digest: the recovered block must be the DigestInfo.
function verifyRsaPrehashed(
  key: KeyObject,
  algorithm: DigestAlgorithm,
  digest: Uint8Array,
  sig: Uint8Array,
): boolean {
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (sig.length !== modulusBytes) return false;
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, sig);
  } catch {
    return false;
  }
  const expected = Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[algorithm], 'hex'), digest]);
  return recovered.equals(expected);
}
