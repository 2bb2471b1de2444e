import { SignError } from '../errors.js';
import { isGithubWorkflowToken } from './oids.js';

/** Who a certificate names: its subject alternative name. */
export type CertificateIdentity = { kind: 'email'; email: string } | { kind: 'uri'; uri: string };

export interface TokenIdentity {
  identity: CertificateIdentity;
  /**
   * What the client signs to prove possession of its key: the `email` claim when there is one,
   * else `sub` — the value @sigstore/sign's FulcioSigner signs (util/oidc extractJWTSubject).
   */
  challenge: string;
}

/**
 * The identity a verified ID token stands for, as Fulcio derives it: a GitHub Actions workflow
 * token names its workflow file (`server_url/job_workflow_ref`), a token with a verified email
 * names that address, and otherwise `sub` must itself be a URI (a SPIFFE ID, a CI job URL).
 * @throws SignError SIGN_TOKEN_INVALID with details.reason `email-unverified` or
 *   `subject-unsupported`
 */
export function identityFromClaims(claims: Readonly<Record<string, unknown>>): TokenIdentity {
  const sub = typeof claims['sub'] === 'string' ? claims['sub'] : '';
  const email = claims['email'];
  const challenge = typeof email === 'string' && email !== '' ? email : sub;
  if (isGithubWorkflowToken(claims)) {
    const server = String(claims['server_url'] ?? 'https://github.com').replace(/\/+$/, '');
    return { identity: { kind: 'uri', uri: `${server}/${claims['job_workflow_ref']}` }, challenge };
  }
  if (typeof email === 'string' && email !== '') {
    if (claims['email_verified'] !== true) {
      throw new SignError(
        'SIGN_TOKEN_INVALID',
        `The token's email ${email} is not verified by its issuer; a certificate names only verified addresses.`,
        { details: { reason: 'email-unverified' } },
      );
    }
    if (!/^[^@\s]+@[^@\s]+$/.test(email)) throw unsupported(`email ${JSON.stringify(email)}`);
    return { identity: { kind: 'email', email }, challenge };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(sub))
    return { identity: { kind: 'uri', uri: sub }, challenge };
  throw unsupported(`subject ${JSON.stringify(sub)}`);
}

/** The identity as verifiers match it (`--certificate-identity`). */
export function identityValue(i: CertificateIdentity): string {
  return i.kind === 'email' ? i.email : i.uri;
}

function unsupported(what: string): SignError {
  return new SignError(
    'SIGN_TOKEN_INVALID',
    `The token's ${what} is neither an email address nor a URI, so no certificate can name it.`,
    { details: { reason: 'subject-unsupported' } },
  );
}
