import type { CertificateIdentity } from './ca/identity.js';
import { SignError } from './errors.js';
import type { SigningIdentity } from './signing-identities.js';

/**
 * Emergency certificates (Brief 3: "guarded by approvals and logging"): when the OIDC provider is
 * down and a release must still ship, one person asks for a longer-lived certificate and another
 * approves it. The rules here are pure; the flow is in app/ca/emergency-requests.ts.
 */

/** What an emergency certificate carries in its CUSTODY_EMERGENCY_OID extension. */
export interface EmergencyMark {
  /** The person who approved it. */
  approver: string;
  /** The person who asked for it (absent in certificates made before requests had two steps). */
  requester?: string;
  reason: string;
  /** The request's id on the issuing service. */
  request?: string;
}

const MAX_IDENTITY = 512;
// dot-atom local part (RFC 5322 §3.2.3, no quoted strings) @ a DNS name of at least two labels.
const EMAIL =
  /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;
const URI_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * The identity an emergency certificate may name: an email address, or an absolute URI with a
 * host (a CI workflow's, a SPIFFE ID), as keyless certificates name them. Anything else (a bare
 * name, whitespace, control characters, credentials in a URI) is refused, so the SAN says exactly
 * what a verifier's `--certificate-identity` will be compared with (no bidi or zero-width
 * characters that would make it read as another).
 * @throws SignError SIGN_IDENTITY_INVALID
 */
export function parseEmergencyIdentity(identity: string): CertificateIdentity {
  if (
    identity.length > 0 &&
    identity.length <= MAX_IDENTITY &&
    !/[\s\p{Cc}\p{Cf}]/u.test(identity)
  ) {
    if (EMAIL.test(identity)) return { kind: 'email', email: identity };
    if (URI_SCHEME.test(identity) && isUriWithHost(identity)) return { kind: 'uri', uri: identity };
  }
  throw new SignError(
    'SIGN_IDENTITY_INVALID',
    `An emergency certificate names an email address (releaser@example.com) or a URI (https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main), not ${JSON.stringify(identity.slice(0, 100))}.`,
    { details: { identity: identity.slice(0, MAX_IDENTITY) } },
  );
}

function isUriWithHost(s: string): boolean {
  try {
    const u = new URL(s);
    return u.host !== '' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}

/**
 * The entry of a team's signing identities that admits `identity` for an emergency certificate:
 * an `{issuer, subject}` entry whose subject pattern matches the whole identity. The issuer is
 * not compared: the certificate's issuer is Custody's emergency issuer, and the entry says the
 * team normally trusts this identity to sign (with whichever issuer). Key entries admit nothing:
 * a team that holds a registered key signs with it and needs no emergency certificate.
 */
export function emergencyAdmission(
  list: readonly SigningIdentity[],
  identity: string,
): Extract<SigningIdentity, { issuer: string }> | undefined {
  for (const e of list) {
    if (!('issuer' in e)) continue;
    if (new RegExp(`^(?:${e.subject})$`, 'u').test(identity)) return e;
  }
  return undefined;
}

/**
 * Read an emergency mark from the extension's text (untrusted: it comes from a certificate). A
 * value that is not the JSON object Custody writes yields a mark saying so, never nothing: a
 * certificate carrying the extension is an emergency certificate whatever its contents.
 */
export function parseEmergencyMark(text: string): EmergencyMark {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    v = undefined;
  }
  const o = typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
  const str = (k: string): string | undefined => {
    const x = o[k];
    return typeof x === 'string' ? x : undefined;
  };
  const requester = str('requester');
  const request = str('request');
  return {
    approver: str('approver') ?? '(unreadable)',
    reason: str('reason') ?? '(unreadable)',
    ...(requester !== undefined ? { requester } : {}),
    ...(request !== undefined ? { request } : {}),
  };
}
