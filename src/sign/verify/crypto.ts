import { constants, createHash, type KeyObject, publicDecrypt, verify } from 'node:crypto';
import { verifyEcdsaPrehashed } from '../../tlog/index.js';

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/**
 * A signature over `data` under `key`: Ed25519 (pure), ECDSA with the hash Sigstore pairs with
 * the curve unless `hash` says otherwise, RSA PKCS#1 v1.5. Malformed signatures verify false.
 */
export function verifyData(
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
  hash?: DigestAlgorithm,
): boolean {
  try {
    if (key.asymmetricKeyType === 'ed25519') return verify(null, data, key, signature);
    if (hash !== undefined) return verify(hash, data, key, signature);
    const natural = defaultHash(key);
    if (verify(natural, data, key, signature)) return true;
    // sigstore-js (and so Custody's own signer) and Rekor v1 sign with SHA-256 whatever the
    // curve; Sigstore's key details pair P-384 with SHA-384. Accept both for ECDSA.
    return key.asymmetricKeyType === 'ec' && natural !== 'sha256'
      ? verify('sha256', data, key, signature)
      : false;
  } catch {
    return false;
  }
}

/**
 * A signature checked against the digest of the signed bytes, not the bytes: what verifying
 * "from a digest" needs. ECDSA goes through Custody's prehashed verifier (native, else
 * JavaScript); RSA PKCS#1 v1.5 recovers the DigestInfo. Ed25519 signs the message itself, so a
 * digest cannot verify it: `undefined` says so.
 */
export function verifyDigest(
  key: KeyObject,
  algorithm: DigestAlgorithm,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean | undefined {
  switch (key.asymmetricKeyType) {
    case 'ec':
      return verifyEcdsaPrehashed(key, digest, signature);
    case 'rsa':
      return verifyRsaPkcs1Digest(key, algorithm, digest, signature);
    default:
      return undefined;
  }
}

export function digestOf(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array {
  return createHash(algorithm).update(data).digest();
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function defaultHash(key: KeyObject): DigestAlgorithm {
  switch (key.asymmetricKeyDetails?.namedCurve) {
    case 'secp384r1':
      return 'sha384';
    case 'secp521r1':
      return 'sha512';
    default:
      return 'sha256';
  }
}

// RFC 8017 §9.2 note 1: the DER DigestInfo prefixes.
const DIGEST_INFO: Record<DigestAlgorithm, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

function verifyRsaPkcs1Digest(
  key: KeyObject,
  algorithm: DigestAlgorithm,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    const recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    const expected = Buffer.concat([Buffer.from(DIGEST_INFO[algorithm], 'hex'), digest]);
    return bytesEqual(recovered, expected);
  } catch {
    return false;
  }
}
