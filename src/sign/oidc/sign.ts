import { type KeyObject, sign } from 'node:crypto';
import { jwsAlgorithmFor } from './jwks.js';
import { base64url } from './jwt.js';

/**
 * A signed compact JWT — used by Custody's development OIDC issuer only. ECDSA signatures are
 * r‖s (JWS), not DER.
 */
export function signJwt(
  privateKey: KeyObject,
  kid: string,
  claims: Readonly<Record<string, unknown>>,
): string {
  const alg = jwsAlgorithmFor(privateKey);
  const input = `${base64url(JSON.stringify({ alg, kid, typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  const data = Buffer.from(input, 'ascii');
  const sig =
    alg === 'EdDSA'
      ? sign(null, data, privateKey)
      : alg === 'ES256'
        ? sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' })
        : sign('sha256', data, privateKey);
  return `${input}.${base64url(sig)}`;
}
