import { isSubsetDn, type ParsedDn, parseDn } from './dn.js';
import { NotationError } from './errors.js';

/** trust-store-trust-policy "Signature Verification details": the five validations. */
export const VALIDATIONS = [
  'integrity',
  'authenticity',
  'authenticTimestamp',
  'expiry',
  'revocation',
] as const;
export type Validation = (typeof VALIDATIONS)[number];
export type ValidationAction = 'enforce' | 'log' | 'skip';
export type LevelName = 'strict' | 'permissive' | 'audit' | 'skip';

/** The specification's table of levels: what each validation's failure does. */
export const LEVELS: Readonly<Record<LevelName, Readonly<Record<Validation, ValidationAction>>>> = {
  strict: {
    integrity: 'enforce',
    authenticity: 'enforce',
    authenticTimestamp: 'enforce',
    expiry: 'enforce',
    revocation: 'enforce',
  },
  permissive: {
    integrity: 'enforce',
    authenticity: 'enforce',
    authenticTimestamp: 'log',
    expiry: 'log',
    revocation: 'log',
  },
  audit: {
    integrity: 'enforce',
    authenticity: 'log',
    authenticTimestamp: 'log',
    expiry: 'log',
    revocation: 'log',
  },
  skip: {
    integrity: 'skip',
    authenticity: 'skip',
    authenticTimestamp: 'skip',
    expiry: 'skip',
    revocation: 'skip',
  },
};

export type TrustStoreType = 'ca' | 'signingAuthority' | 'tsa';
export const TRUST_STORE_TYPES: readonly TrustStoreType[] = ['ca', 'signingAuthority', 'tsa'];

export interface TrustPolicyStatement {
  name: string;
  registryScopes: string[];
  signatureVerification: {
    level: LevelName;
    override?: Partial<Record<Validation, ValidationAction>>;
    verifyTimestamp?: 'always' | 'afterCertExpiry';
  };
  trustStores: { type: TrustStoreType; name: string }[];
  /** `*`, or the x509.subject DNs (identities of other prefixes are kept for plugins, unused here). */
  trustedIdentities: '*' | { raw: string; dn: ParsedDn }[];
}

export interface TrustPolicyDocument {
  version: '1.0';
  trustPolicies: TrustPolicyStatement[];
}

export interface VerificationLevel {
  name: LevelName | 'custom';
  enforcement: Readonly<Record<Validation, ValidationAction>>;
}

const MAX_POLICY_BYTES = 1024 * 1024;
const MAX_STATEMENTS = 1000;
const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;
// distribution's reference grammar, as notation-go's validateRegistryScopeFormat uses it.
const DOMAIN =
  /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))+)?(?::[0-9]+)?$/;
const REPOSITORY =
  /^[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?(?:(?:\/[a-z0-9]+(?:(?:(?:[._]|__|[-]*)[a-z0-9]+)+)?)+)?$/;
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/**
 * Reads an OCI trust policy document (trustpolicy.json / trustpolicy.oci.json, version 1.0) and
 * checks every rule of the specification (notation-go's OCIDocument.Validate).
 * @throws NotationError SIGN_NOTATION_POLICY_INVALID (details.reason), SIGN_NOTATION_ENVELOPE_TOO_LARGE
 */
export function parseTrustPolicy(input: Uint8Array | string): TrustPolicyDocument {
  const text = typeof input === 'string' ? input : Buffer.from(input).toString('utf8');
  if (text.length > MAX_POLICY_BYTES)
    throw new NotationError(
      'SIGN_NOTATION_ENVELOPE_TOO_LARGE',
      `The trust policy is over ${MAX_POLICY_BYTES} bytes.`,
    );
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new NotationError('SIGN_NOTATION_POLICY_INVALID', 'The trust policy is not JSON.', {
      cause: e,
      details: { reason: 'malformed' },
    });
  }
  const doc = obj(v, 'the document');
  if (doc['version'] === undefined || doc['version'] === '') bad('the document has no version');
  if (doc['version'] !== '1.0')
    bad(`version ${JSON.stringify(doc['version'])} is not supported (1.0 is)`);
  const list = doc['trustPolicies'];
  if (!Array.isArray(list) || list.length === 0) bad('the document has no trust policy statements');
  if (list.length > MAX_STATEMENTS) bad(`over ${MAX_STATEMENTS} statements`);
  const names = new Set<string>();
  const scopes = new Map<string, string>();

  const trustPolicies = list.map((raw) => {
    const s = statement(raw);
    if (names.has(s.name)) bad(`two statements are named "${s.name}"`);
    names.add(s.name);
    for (const scope of s.registryScopes) {
      if (scopes.has(scope)) bad(`registry scope "${scope}" is in more than one statement`);
      scopes.set(scope, s.name);
    }
    return s;
  });
  return { version: '1.0', trustPolicies };
}

function statement(raw: unknown): TrustPolicyStatement {
  const s = obj(raw, 'a statement');
  const name = s['name'];
  if (typeof name !== 'string' || name === '') bad('a statement has no name');
  const sv = obj(s['signatureVerification'], `statement "${name}" signatureVerification`);
  const level = sv['level'];
  if (level !== 'strict' && level !== 'permissive' && level !== 'audit' && level !== 'skip')
    bad(`statement "${name}" has signature verification level ${JSON.stringify(level)}`);
  const signatureVerification: TrustPolicyStatement['signatureVerification'] = { level };
  if (sv['override'] !== undefined) {
    const o = obj(sv['override'], `statement "${name}" override`);
    if (Object.keys(o).length > 0 && level === 'skip')
      bad(`statement "${name}": level skip cannot be customised`);
    const override: Partial<Record<Validation, ValidationAction>> = {};
    for (const [k, a] of Object.entries(o)) {
      if (!(VALIDATIONS as readonly string[]).includes(k))
        bad(`statement "${name}" overrides unknown validation "${k}"`);
      if (a !== 'enforce' && a !== 'log' && a !== 'skip')
        bad(`statement "${name}" has override action ${JSON.stringify(a)}`);
      if (k === 'integrity') bad(`statement "${name}": integrity cannot be overridden`);
      if (a === 'skip' && k !== 'revocation') bad(`statement "${name}": ${k} cannot be skipped`);
      override[k as Validation] = a;
    }
    signatureVerification.override = override;
  }
  const vt = sv['verifyTimestamp'];
  if (vt !== undefined && vt !== '' && vt !== 'always' && vt !== 'afterCertExpiry')
    bad(`statement "${name}": verifyTimestamp must be "always" or "afterCertExpiry"`);
  if (vt === 'always' || vt === 'afterCertExpiry') signatureVerification.verifyTimestamp = vt;
  const stores = strings(s['trustStores'] ?? [], `statement "${name}" trustStores`);
  const identities = strings(s['trustedIdentities'] ?? [], `statement "${name}" trustedIdentities`);
  let trustStores: TrustPolicyStatement['trustStores'] = [];
  let trustedIdentities: TrustPolicyStatement['trustedIdentities'] = [];
  if (level === 'skip') {
    if (stores.length > 0 || identities.length > 0)
      bad(`statement "${name}" skips verification but names trust stores or identities`);
  } else {
    if (stores.length === 0 || identities.length === 0)
      bad(`statement "${name}" needs both trust stores and trusted identities`);
    trustStores = stores.map((t) => {
      const i = t.indexOf(':');
      if (i < 0) bad(`statement "${name}": trust store "${t}" is not <type>:<name>`);
      const type = t.slice(0, i);
      const store = t.slice(i + 1);
      if (!(TRUST_STORE_TYPES as readonly string[]).includes(type))
        bad(`statement "${name}": unsupported trust store type "${type}"`);
      if (!STORE_NAME.test(store))
        bad(`statement "${name}": trust store name "${store}" is not [a-zA-Z0-9_.-]+`);
      return { type: type as TrustStoreType, name: store };
    });
    trustedIdentities = identities_(name, identities);
  }
  const scopes = strings(s['registryScopes'], `statement "${name}" registryScopes`);
  if (scopes.length === 0) bad(`statement "${name}" has no registry scopes`);
  if (scopes.length > 1 && scopes.includes('*'))
    bad(`statement "${name}": the wildcard scope must stand alone`);
  for (const scope of scopes) if (scope !== '*') assertScope(scope);
  return { name, registryScopes: scopes, signatureVerification, trustStores, trustedIdentities };
}

function identities_(name: string, ids: string[]): TrustPolicyStatement['trustedIdentities'] {
  if (ids.includes('*')) {
    if (ids.length > 1) bad(`statement "${name}": the wildcard identity must stand alone`);
    return '*';
  }
  const dns: { raw: string; dn: ParsedDn }[] = [];
  for (const id of ids) {
    if (id === '') bad(`statement "${name}" has an empty trusted identity`);
    const i = id.indexOf(':');
    if (i < 0) bad(`statement "${name}": trusted identity "${id}" has no prefix`);
    if (id.slice(0, i) !== 'x509.subject') continue;
    const value = id.slice(i + 1);
    if (value.trim() === '') bad(`statement "${name}": trusted identity "${id}" has no value`);
    const dn = parseDn(value);
    if (typeof dn === 'string') bad(`statement "${name}": ${dn}`);
    dns.push({ raw: id, dn });
  }
  for (const a of dns)
    for (const b of dns)
      if (a !== b && isSubsetDn(a.dn, b.dn))
        bad(`statement "${name}": identities "${a.raw}" and "${b.raw}" overlap`);
  return dns;
}

/** The level after overrides (trust-store-trust-policy "Custom Verification Level"). */
export function verificationLevel(s: TrustPolicyStatement): VerificationLevel {
  const base = LEVELS[s.signatureVerification.level];
  const o = s.signatureVerification.override;
  if (!o || Object.keys(o).length === 0)
    return { name: s.signatureVerification.level, enforcement: base };
  return { name: 'custom', enforcement: { ...base, ...o } };
}

/** `registry/repository@<algorithm>:<encoded>` split; notation-go's getArtifactPathFromReference. */
export function parseArtifactReference(reference: string): { repository: string; digest: string } {
  const at = reference.lastIndexOf('@');
  const repository = at < 0 ? '' : reference.slice(0, at);
  const digest = at < 0 ? '' : reference.slice(at + 1);
  if (at < 0 || !DIGEST.test(digest) || scopeProblem(repository))
    throw new NotationError(
      'SIGN_NOTATION_REFERENCE_INVALID',
      `The artifact reference "${reference.slice(0, 300)}" is not registry/repository@<algorithm>:<digest> (resolve tags to digests first).`,
    );
  return { repository, digest };
}

/**
 * The statement for an artifact: the one whose scopes name its repository exactly, else the
 * global (`*`) one (trust-store-trust-policy "Selecting a trust policy…").
 * @throws NotationError SIGN_NOTATION_REFERENCE_INVALID, SIGN_NOTATION_POLICY_NOT_FOUND
 */
export function selectTrustPolicy(
  doc: TrustPolicyDocument,
  reference: string,
): TrustPolicyStatement {
  const { repository } = parseArtifactReference(reference);
  const exact = doc.trustPolicies.find((s) => s.registryScopes.includes(repository));
  const found = exact ?? doc.trustPolicies.find((s) => s.registryScopes.includes('*'));
  if (!found)
    throw new NotationError(
      'SIGN_NOTATION_POLICY_NOT_FOUND',
      `No trust policy statement applies to ${repository}: add its repository to a statement's registryScopes, or add a "*" statement.`,
    );
  return found;
}

function assertScope(scope: string): void {
  const p = scopeProblem(scope);
  if (p) bad(p);
}

function scopeProblem(scope: string): string | undefined {
  if (scope.length > 1 && scope.includes('*')) return `registry scope "${scope}" has a wildcard`;
  const i = scope.indexOf('/');
  const domain = i < 0 ? '' : scope.slice(0, i);
  const repo = i < 0 ? '' : scope.slice(i + 1);
  if (!domain || !repo || !DOMAIN.test(domain) || !REPOSITORY.test(repo) || scope.length > 512)
    return `registry scope "${scope.slice(0, 300)}" is not a fully qualified repository (domain.com/my/repository)`;
  return undefined;
}

function obj(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${what} is not an object`);
  return v as Record<string, unknown>;
}

function strings(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string') || v.length > 1000)
    bad(`${what} is not an array of strings`);
  return v as string[];
}

function bad(reason: string): never {
  throw new NotationError(
    'SIGN_NOTATION_POLICY_INVALID',
    `The trust policy is invalid: ${reason}.`,
    { details: { reason } },
  );
}
