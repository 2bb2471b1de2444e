import {
  constants,
  createHash,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import type { Certificate } from './certificate.js';
import { NotationError } from './errors.js';

/**
 * The signature algorithms of signature-specification "Algorithm Selection": the signing
 * certificate's key decides the algorithm, and the envelope's `alg` must name that one
 * (signature-envelope-jws / -cose "Supported alg header values").
 */
export type NotationAlgorithm = 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'ES512';

interface Spec {
  hash: 'sha256' | 'sha384' | 'sha512';
  kind: 'rsa-pss' | 'ecdsa';
  cose: number;
  /** Bytes of r and of s in a raw (IEEE P1363) ECDSA signature. */
  coordinate?: number;
}

export const ALGORITHMS: Readonly<Record<NotationAlgorithm, Spec>> = {
  PS256: { hash: 'sha256', kind: 'rsa-pss', cose: -37 },
  PS384: { hash: 'sha384', kind: 'rsa-pss', cose: -38 },
  PS512: { hash: 'sha512', kind: 'rsa-pss', cose: -39 },
  ES256: { hash: 'sha256', kind: 'ecdsa', cose: -7, coordinate: 32 },
  ES384: { hash: 'sha384', kind: 'ecdsa', cose: -35, coordinate: 48 },
  ES512: { hash: 'sha512', kind: 'ecdsa', cose: -36, coordinate: 66 },
};

export function algorithmOfCose(label: unknown): NotationAlgorithm | undefined {
  return (Object.keys(ALGORITHMS) as NotationAlgorithm[]).find((a) => ALGORITHMS[a].cose === label);
}

export function isNotationAlgorithm(a: unknown): a is NotationAlgorithm {
  return typeof a === 'string' && Object.hasOwn(ALGORITHMS, a);
}

/**
 * The algorithm a key must sign with.
 * @throws NotationError SIGN_NOTATION_ALGORITHM_UNSUPPORTED for any other key type or size
 */
export function algorithmOfKey(key: KeyObject): NotationAlgorithm {
  const d = key.asymmetricKeyDetails;
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    const bits = d?.modulusLength;
    if (bits === 2048) return 'PS256';
    if (bits === 3072) return 'PS384';
    if (bits === 4096) return 'PS512';
    throw unsupported(`RSA ${bits ?? '?'}-bit keys`);
  }
  if (key.asymmetricKeyType === 'ec') {
    const curve = d?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
    throw unsupported(`EC keys on ${curve ?? 'an unnamed curve'}`);
  }
  throw unsupported(`${key.asymmetricKeyType ?? 'unknown'} keys`);
}

export const algorithmOfCertificate = (c: Certificate): NotationAlgorithm =>
  algorithmOfKey(c.node.publicKey);

export function hashOf(alg: NotationAlgorithm, data: Uint8Array): Buffer {
  return createHash(ALGORITHMS[alg].hash).update(data).digest();
}

/** Verifies a JWS/COSE signature (ECDSA as raw r||s, PSS with a salt as long as the hash). */
export function verifyWith(
  alg: NotationAlgorithm,
  key: KeyObject,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const s = ALGORITHMS[alg];
  try {
    if (s.kind === 'ecdsa') {
      if (signature.byteLength !== 2 * (s.coordinate as number)) return false;
      return cryptoVerify(s.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature);
    }
    return cryptoVerify(
      s.hash,
      data,
      {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      },
      signature,
    );
  } catch {
    return false;
  }
}

export function signWith(alg: NotationAlgorithm, key: KeyObject, data: Uint8Array): Uint8Array {
  const s = ALGORITHMS[alg];
  if (s.kind === 'ecdsa')
    return new Uint8Array(cryptoSign(s.hash, data, { key, dsaEncoding: 'ieee-p1363' }));
  return new Uint8Array(
    cryptoSign(s.hash, data, {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    }),
  );
}

function unsupported(what: string): NotationError {
  return new NotationError(
    'SIGN_NOTATION_ALGORITHM_UNSUPPORTED',
    `Notary Project signatures do not use ${what}: use RSA 2048/3072/4096 (RSASSA-PSS) or ECDSA P-256/P-384/P-521.`,
  );
}
