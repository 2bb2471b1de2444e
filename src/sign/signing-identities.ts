import { createPublicKey, type KeyObject } from 'node:crypto';
import { SignError } from './errors.js';

/**
 * Who may sign for a team: certificate identities (an OIDC issuer and a pattern over the
 * certificate's subject, as keyless signing names it) and public keys the team registered. An
 * organisation admin sets the list per team; emergency certificates, signed-SBOM intake and
 * admission all check against it, so one list answers "may this signature speak for team X?".
 */
export type SigningIdentity =
  | {
      /** The OIDC issuer URL, exactly as the certificate's issuer extension holds it. */
      issuer: string;
      /**
       * A regular expression matched against the whole identity (email or URI), as the
       * CUSTODY_OIDC_ISSUERS subjects are; `https://github\.com/acme/.*` admits a whole org.
       */
      subject: string;
    }
  | {
      /** A PEM public key (SPKI). */
      publicKey: string;
      /** A label for people reading the list. */
      name?: string;
    };

const MAX_IDENTITIES = 100;
const MAX_FIELD = 8_192;

/**
 * Read a team's signing identities from JSON input, checking each entry so that a typo refuses
 * the whole list instead of silently matching nothing (or everything).
 * @throws SignError SIGN_IDENTITY_LIST_INVALID
 */
export function parseSigningIdentities(input: unknown): SigningIdentity[] {
  if (!Array.isArray(input) || input.length > MAX_IDENTITIES) {
    throw invalid(`a JSON list of at most ${MAX_IDENTITIES} entries`, '');
  }
  return input.map((entry, i) => parseEntry(entry, `/${i}`));
}

function parseEntry(e: unknown, at: string): SigningIdentity {
  if (typeof e !== 'object' || e === null || Array.isArray(e)) {
    throw invalid('an object {issuer, subject} or {publicKey[, name]}', at);
  }
  const o = e as Record<string, unknown>;
  const keys = Object.keys(o);
  if ('publicKey' in o) {
    if (keys.some((k) => k !== 'publicKey' && k !== 'name')) {
      throw invalid('a key entry holds only publicKey and name', at);
    }
    const pem = field(o['publicKey'], `${at}/publicKey`);
    try {
      createPublicKey(pem);
    } catch (cause) {
      throw invalid('publicKey must be a PEM public key', `${at}/publicKey`, cause);
    }
    const name = o['name'] === undefined ? undefined : field(o['name'], `${at}/name`);
    return name === undefined ? { publicKey: pem } : { publicKey: pem, name };
  }
  if (keys.some((k) => k !== 'issuer' && k !== 'subject')) {
    throw invalid('an identity entry holds only issuer and subject', at);
  }
  const issuer = field(o['issuer'], `${at}/issuer`);
  if (!/^https?:\/\/[^\s]+$/u.test(issuer)) {
    throw invalid('issuer must be the issuer URL (https://…)', `${at}/issuer`);
  }
  const subject = field(o['subject'], `${at}/subject`);
  try {
    new RegExp(`^(?:${subject})$`, 'u');
  } catch (cause) {
    throw invalid('subject must be a regular expression', `${at}/subject`, cause);
  }
  return { issuer, subject };
}

function field(v: unknown, at: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_FIELD) {
    throw invalid(`a non-empty string of at most ${MAX_FIELD} characters`, at);
  }
  return v;
}

function invalid(what: string, at: string, cause?: unknown): SignError {
  return new SignError(
    'SIGN_IDENTITY_LIST_INVALID',
    `Signing identities must be ${what}${at ? ` (at ${at})` : ''}.`,
    { details: { pointer: at }, ...(cause ? { cause } : {}) },
  );
}

/** The identity entry that admits a certificate's issuer and subject, if any. */
export function admittedIdentity(
  list: readonly SigningIdentity[],
  found: { issuer: string | undefined; identity: string | undefined },
): Extract<SigningIdentity, { issuer: string }> | undefined {
  if (found.issuer === undefined || found.identity === undefined) return undefined;
  for (const e of list) {
    if (!('issuer' in e) || e.issuer !== found.issuer) continue;
    if (new RegExp(`^(?:${e.subject})$`, 'u').test(found.identity)) return e;
  }
  return undefined;
}

/** The key entry that is this public key, if any (compared as SPKI bytes, not PEM text). */
export function admittedKey(
  list: readonly SigningIdentity[],
  key: KeyObject,
): Extract<SigningIdentity, { publicKey: string }> | undefined {
  const spki = key.export({ type: 'spki', format: 'der' });
  for (const e of list) {
    if (!('publicKey' in e)) continue;
    const other = createPublicKey(e.publicKey).export({ type: 'spki', format: 'der' });
    if (other.equals(spki)) return e;
  }
  return undefined;
}
