import { SignError } from '../errors.js';

/**
 * Fulcio's v2 `POST /api/v2/signingCert` body (fulcio.proto CreateSigningCertificateRequest in its
 * JSON form; untrusted). Exactly one of a public key with its proof of possession, or a CSR.
 */
export type SigningCertRequest =
  | { kind: 'public-key'; token: string; publicKey: string; proofOfPossession: Uint8Array }
  | { kind: 'csr'; token: string; csr: string };

/** The response @sigstore/sign reads: `signedCertificateEmbeddedSct.chain.certificates` (PEM). */
export interface SigningCertResponse {
  signedCertificateEmbeddedSct: { chain: { certificates: string[] } };
}

/**
 * Parses a signingCert request. The token may come in the body or, as Fulcio also allows, as the
 * request's bearer token.
 * @throws SignError SIGN_CSR_INVALID (details.reason `request-malformed`), SIGN_TOKEN_INVALID
 *   (details.reason `malformed`) when there is no token
 */
export function parseSigningCertRequest(body: unknown, bearer?: string): SigningCertRequest {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const creds = b['credentials'] as Record<string, unknown> | undefined;
  const token =
    typeof creds?.['oidcIdentityToken'] === 'string' ? creds['oidcIdentityToken'] : bearer;
  if (typeof token !== 'string' || token === '') {
    throw new SignError(
      'SIGN_TOKEN_INVALID',
      'No OIDC ID token: send credentials.oidcIdentityToken or an Authorization bearer token.',
      { details: { reason: 'malformed' } },
    );
  }
  const pkr = b['publicKeyRequest'] as Record<string, unknown> | undefined;
  const csr = b['certificateSigningRequest'];
  if ((pkr === undefined) === (csr === undefined)) {
    throw malformed('Send exactly one of publicKeyRequest and certificateSigningRequest.');
  }
  if (typeof csr === 'string') {
    // protobuf `bytes` in JSON: base64 of the PEM (or DER) request.
    const bytes = Buffer.from(csr, 'base64');
    const text = bytes.toString('latin1');
    return {
      kind: 'csr',
      token,
      csr: text.includes('-----BEGIN') ? text : bytes.toString('base64'),
    };
  }
  const content = (pkr?.['publicKey'] as Record<string, unknown> | undefined)?.['content'];
  const pop = pkr?.['proofOfPossession'];
  if (typeof content !== 'string' || typeof pop !== 'string' || pop === '') {
    throw malformed(
      'publicKeyRequest needs publicKey.content (PEM) and proofOfPossession (base64).',
    );
  }
  return {
    kind: 'public-key',
    token,
    publicKey: content,
    proofOfPossession: Buffer.from(pop, 'base64'),
  };
}

function malformed(message: string): SignError {
  return new SignError('SIGN_CSR_INVALID', message, { details: { reason: 'request-malformed' } });
}
