import { assertSafeRegex, PolicyError } from '../policy/index.js';
import { AdmissionGovernanceError } from './governance-errors.js';
import {
  ADMISSION_MODES,
  type AdmissionMode,
  type NamespaceConfig,
  type NamespacePolicyRef,
  type TrustedIdentity,
} from './types.js';

/**
 * Namespace configuration: the secure default and the rules a stored configuration must meet.
 */

/** `*`: the configuration of a namespace in every cluster that has none of its own. */
export const ANY_CLUSTER = '*';
/** Kubernetes namespace names are RFC 1123 labels. */
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
/** A cluster's name as registered: a DNS-subdomain-like name. */
const CLUSTER = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;
const TEAM = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
export const MAX_IDENTITIES = 50;
const MAX_IDENTITY_FIELD = 1024;
const MAX_IDENTITY_REGEXP = 512;

/**
 * Secure by default: a namespace nobody configured is enforced under the built-in policy "signed by
 * a trusted identity (the service's), with an SBOM", digests required, so an unsigned image is
 * denied out of the box. `defaultMode` (`--admission-default-mode`) is the one thing that moves it.
 */
export function defaultNamespaceConfig(
  cluster: string,
  namespace: string,
  defaultMode: AdmissionMode = 'enforce',
): NamespaceConfig {
  return {
    cluster,
    namespace,
    mode: defaultMode,
    policy: { kind: 'admission-default' },
    identities: [],
    requireDigest: true,
    highRisk: false,
    acceptFallback: false,
    version: 0,
  };
}

/** What an admin sends; everything but `mode` has the secure default's value when left out. */
export interface NamespaceConfigInput {
  mode: string;
  policy?: NamespacePolicyRef;
  team?: string;
  identities?: TrustedIdentity[];
  expectedIssuer?: string;
  requireDigest?: boolean;
  highRisk?: boolean;
  acceptFallback?: boolean;
}

export function isNamespaceName(s: string): boolean {
  return NAMESPACE.test(s);
}

/** @throws AdmissionGovernanceError ADMISSION_NAMESPACE_INVALID */
export function checkNamespaceName(s: string): string {
  if (typeof s !== 'string' || !NAMESPACE.test(s))
    invalid(`namespace ${show(s)} is not a Kubernetes namespace name`);
  return s;
}

/** @throws AdmissionGovernanceError ADMISSION_NAMESPACE_INVALID */
export function checkClusterName(s: string, allowAny = true): string {
  if (typeof s !== 'string' || !(CLUSTER.test(s) || (allowAny && s === ANY_CLUSTER)))
    invalid(
      `cluster ${show(s)} is not a cluster name (lower-case letters, digits, - and .${allowAny ? ', or * for every cluster' : ''})`,
    );
  return s;
}

/**
 * Check and normalise a namespace configuration (version 0: the store gives it its number).
 * @throws AdmissionGovernanceError ADMISSION_NAMESPACE_INVALID
 */
export function validateNamespaceConfig(
  cluster: string,
  namespace: string,
  c: NamespaceConfigInput,
): NamespaceConfig {
  checkClusterName(cluster);
  checkNamespaceName(namespace);
  if (!(ADMISSION_MODES as readonly string[]).includes(c.mode))
    invalid(`mode ${show(c.mode)} is not one of ${ADMISSION_MODES.join(', ')}`);
  const out = defaultNamespaceConfig(cluster, namespace, c.mode as AdmissionMode);
  if (c.policy !== undefined) out.policy = checkPolicy(c.policy);
  if (c.team !== undefined) {
    if (!TEAM.test(c.team))
      invalid(`team ${JSON.stringify(c.team.slice(0, 80))} is not a team name`);
    out.team = c.team;
  }
  if (c.policy?.kind === 'stored' && c.team !== undefined && c.policy.team !== c.team)
    invalid(`the namespace belongs to team ${c.team} but evaluates team ${c.policy.team}'s policy`);
  if (c.identities !== undefined) out.identities = checkIdentities(c.identities);
  if (c.expectedIssuer !== undefined) out.expectedIssuer = checkIssuerUrl(c.expectedIssuer);
  for (const k of ['requireDigest', 'highRisk', 'acceptFallback'] as const) {
    const v = c[k];
    if (v === undefined) continue;
    if (typeof v !== 'boolean') invalid(`${k} is true or false`);
    out[k] = v;
  }
  return out;
}

function checkPolicy(p: NamespacePolicyRef): NamespacePolicyRef {
  if (p === null || typeof p !== 'object') return invalid('policy is an object with a kind');
  switch (p.kind) {
    case 'admission-default':
    case 'builtin':
      return { kind: p.kind };
    case 'stored': {
      if (typeof p.team !== 'string' || !TEAM.test(p.team)) invalid('policy.team is a team name');
      if (typeof p.name !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(p.name))
        invalid('policy.name is a stored policy name (lower-case letters, digits and -)');
      if (p.version !== undefined && !(Number.isInteger(p.version) && p.version >= 1))
        invalid('policy.version is a whole number from 1');
      return {
        kind: 'stored',
        team: p.team,
        name: p.name,
        ...(p.version !== undefined ? { version: p.version } : {}),
      };
    }
    default:
      return invalid('policy.kind is admission-default, builtin or stored');
  }
}

function checkIdentities(list: TrustedIdentity[]): TrustedIdentity[] {
  if (!Array.isArray(list)) invalid('identities is a list');
  if (list.length > MAX_IDENTITIES) invalid(`at most ${MAX_IDENTITIES} identities`);
  return list.map((id, i) => {
    const where = `identities[${i}]`;
    const out: TrustedIdentity = {};
    if (id === null || typeof id !== 'object' || Array.isArray(id))
      invalid(`${where} is an object`);
    for (const k of ['issuer', 'issuerRegexp', 'subject', 'subjectRegexp'] as const) {
      const v = id?.[k];
      if (v === undefined) continue;
      if (
        typeof v !== 'string' ||
        v.trim() === '' ||
        v.length > MAX_IDENTITY_FIELD ||
        /\p{Cc}/u.test(v)
      )
        invalid(`${where}.${k} is a non-empty string of at most ${MAX_IDENTITY_FIELD} characters`);
      if (k.endsWith('Regexp')) {
        try {
          assertSafeRegex(v, MAX_IDENTITY_REGEXP, `${where}.${k}`);
        } catch (e) {
          if (e instanceof PolicyError) invalid(`${where}.${k}: ${e.message}`);
          throw e;
        }
      }
      out[k] = v;
    }
    if (out.issuer !== undefined && out.issuerRegexp !== undefined)
      invalid(`${where} names issuer or issuerRegexp, not both`);
    if (out.subject !== undefined && out.subjectRegexp !== undefined)
      invalid(`${where} names subject or subjectRegexp, not both`);
    if (out.issuer === undefined && out.issuerRegexp === undefined)
      invalid(`${where} names no issuer (issuer or issuerRegexp)`);
    if (out.subject === undefined && out.subjectRegexp === undefined)
      invalid(`${where} names no subject (subject or subjectRegexp)`);
    return out;
  });
}

/**
 * An OIDC issuer is an https URL; plain http is accepted for loopback only (a dev issuer on the
 * same machine, as `custody serve --dev-oidc` runs one).
 */
function checkIssuerUrl(s: string): string {
  let u: URL | undefined;
  try {
    u = typeof s === 'string' && s.length <= MAX_IDENTITY_FIELD ? new URL(s) : undefined;
  } catch {
    u = undefined;
  }
  const loopback = u !== undefined && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  if (u === undefined || !(u.protocol === 'https:' || (u.protocol === 'http:' && loopback)))
    invalid('expectedIssuer is an https URL (http only for a loopback dev issuer)');
  return s;
}

/** A value as a message may quote it: a string's start, else its type. */
export function show(v: unknown): string {
  return typeof v === 'string'
    ? JSON.stringify(v.slice(0, 80))
    : `(a ${v === null ? 'null' : typeof v})`;
}

function invalid(why: string): never {
  throw new AdmissionGovernanceError(
    'ADMISSION_NAMESPACE_INVALID',
    `Namespace configuration: ${why}`,
    {
      details: { reason: why },
    },
  );
}
