import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SignError } from '../errors.js';

/** A JSON Web Key Set (RFC 7517) as an issuer publishes it (untrusted until parsed). */
export interface Jwks {
  keys: JsonWebKey[];
}

/** The JWS algorithms ID tokens are verified with; `none` and HMAC never are. */
export type JwsAlgorithm = 'RS256' | 'ES256' | 'EdDSA';
export const JWS_ALGORITHMS: readonly JwsAlgorithm[] = ['RS256', 'ES256', 'EdDSA'];

/**
 * Checks a JWKS document's shape (untrusted: it came over the network or from a file).
 * @throws SignError SIGN_TOKEN_INVALID (details.reason `jwks-malformed`)
 */
export function parseJwks(v: unknown): Jwks {
  const keys = (v as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'object' || k === null)) {
    throw new SignError('SIGN_TOKEN_INVALID', 'The issuer\'s JWKS is not {"keys": [...]}.', {
      details: { reason: 'jwks-malformed' },
    });
  }
  return { keys: keys as JsonWebKey[] };
}

/** The key of a JWKS a token names: by `kid`, or the only key when neither names one. */
export function selectJwk(jwks: Jwks, kid: string | undefined): JsonWebKey | undefined {
  if (kid === undefined) return jwks.keys.length === 1 ? jwks.keys[0] : undefined;
  return jwks.keys.find((k) => k['kid'] === kid);
}

/** A JWK as a Node key; undefined when Node cannot read it. */
export function keyFromJwk(jwk: JsonWebKey): KeyObject | undefined {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/** The public JWK of a key, with the `kid` and `alg` an issuer publishes. */
export function jwkFromKey(key: KeyObject, kid: string): JsonWebKey {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  const jwk = pub.export({ format: 'jwk' });
  return { ...jwk, kid, use: 'sig', alg: jwsAlgorithmFor(pub) };
}

/** The JWS algorithm a key signs with, as far as ID tokens go. */
export function jwsAlgorithmFor(key: KeyObject): JwsAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'EdDSA';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return 'ES256';
  }
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  throw new SignError(
    'SIGN_KEY_INVALID',
    `A ${key.asymmetricKeyType} key does not sign ID tokens here; use Ed25519, ECDSA P-256 or RSA.`,
  );
}
