import { createRequire } from 'node:module';
import { SbomError } from '../errors.js';
import { normalizeLicense } from '../license.js';
import { CHECK_IDS, type CheckId } from './types.js';

/** The gate's own rules (not score checks); ids as a failure names them. */
export const GATE_RULE_IDS = [
  'gate.min-score',
  'gate.allow-licenses',
  'gate.deny-licenses',
  'gate.max-age',
] as const;
export type GateRuleId = (typeof GATE_RULE_IDS)[number];

/**
 * What an SBOM must meet to pass the quality gate, in two tiers. Every key is optional in the
 * file; a key left out is not enforced.
 *
 * - `block` tier: `require` (every component must pass each check) and the rules set by
 *   `minScore`, `allowLicenses`, `denyLicenses` and `maxAgeDays`. A failure refuses the SBOM.
 * - `warn` tier: the checks listed in `warn`, and any of the rules above whose id
 *   (`gate.min-score`, …) is listed there instead. A failure lets the SBOM pass and is flagged
 *   for follow-up within `followUpSlaDays`.
 *
 * A policy without `warn` means what it meant before tiers existed: everything blocks.
 */
export interface GatePolicy {
  /** Lowest acceptable total score, 0–10. */
  minScore?: number;
  /** Checks that block: every component must pass each one. */
  require: CheckId[];
  /** Checks, or gate rule ids, whose failures are warnings (follow-ups) rather than refusals. */
  warn?: (CheckId | GateRuleId)[];
  /** When set, every component's licences must be satisfiable with these SPDX ids alone. */
  allowLicenses?: string[];
  /** No component may force one of these SPDX ids on its user. */
  denyLicenses?: string[];
  /** Oldest acceptable SBOM timestamp, in days. */
  maxAgeDays?: number;
  /** Days a warning may stay open before its follow-up is overdue (default 30). */
  followUpSlaDays?: number;
}

/** The follow-up SLA when a policy names none. */
export const DEFAULT_FOLLOW_UP_SLA_DAYS = 30;

/**
 * The gate applied when no policy file is given (the project brief, Brief 4). It blocks on what
 * makes an SBOM unusable: schema errors, components without a version, without an identity (a
 * valid purl or a CPE), or without a hash their source records. It warns, for follow-up within
 * 30 days, about what legal review or upstream must fix and should not hold a release: missing,
 * NOASSERTION or non-SPDX licences, hashes the source cannot have (npm bundled dependencies,
 * workspace folders), and purls that break the purl spec.
 */
export const DEFAULT_GATE_POLICY: Readonly<GatePolicy> = Object.freeze({
  require: [
    'structure.schema-valid',
    'ntia.version',
    'ntia.unique-id',
    'integrity.source-hash',
  ] as CheckId[],
  warn: ['integrity.hash', 'licensing.valid-spdx', 'identification.valid-purl'] as CheckId[],
  followUpSlaDays: DEFAULT_FOLLOW_UP_SLA_DAYS,
});

const KEYS = [
  'minScore',
  'require',
  'warn',
  'allowLicenses',
  'denyLicenses',
  'maxAgeDays',
  'followUpSlaDays',
] as const;
const KNOWN_CHECKS = new Set<string>(CHECK_IDS);
const KNOWN_RULES = new Set<string>(GATE_RULE_IDS);
/** The policy key that turns each gate rule on; a rule warned about must be on. */
const RULE_KEYS: Readonly<Record<GateRuleId, keyof GatePolicy>> = {
  'gate.min-score': 'minScore',
  'gate.allow-licenses': 'allowLicenses',
  'gate.deny-licenses': 'denyLicenses',
  'gate.max-age': 'maxAgeDays',
};
/** Policies are small; anything bigger is not one. */
const MAX_POLICY_BYTES = 1 << 20;

interface Problem {
  path: string;
  message: string;
}

/**
 * Parse a YAML gate policy (untrusted input). Collects every problem before failing.
 * @example parseGatePolicy('minScore: 7\nrequire: [integrity.strong-hash]\n', 'gate.yaml')
 * @throws SbomError SBOM_POLICY_INVALID naming the file and each problem with its path.
 */
export function parseGatePolicy(yamlText: string, path: string): GatePolicy {
  if (yamlText.length > MAX_POLICY_BYTES) {
    throw invalid(path, [{ path: '', message: `is larger than ${MAX_POLICY_BYTES} bytes` }]);
  }
  const value = readYaml(yamlText, path);
  const problems: Problem[] = [];
  const policy = checkPolicy(value, problems);
  if (problems.length > 0 || policy === undefined) throw invalid(path, problems);
  return policy;
}

/**
 * A policy as the store keeps it (the JSON of a parsed policy, written by this or an earlier
 * version; one from before tiers has no `warn`, so everything in it blocks, as it did then).
 */
export function gatePolicyFromJSON(json: string): GatePolicy {
  const p = JSON.parse(json) as Partial<GatePolicy>;
  return { ...p, require: p.require ?? [] };
}

// The yaml package takes ~30 ms to load and only gate policy files need it: it loads on first use.
const requireOnUse = createRequire(import.meta.url);
let yaml: typeof import('yaml') | undefined;

function readYaml(text: string, path: string): unknown {
  try {
    yaml ??= requireOnUse('yaml') as typeof import('yaml');
    const doc = yaml.parseDocument(text, { uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) {
      throw invalid(
        path,
        doc.errors.map((e) => ({ path: '', message: `YAML: ${e.message.split('\n')[0] ?? ''}` })),
      );
    }
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    if (e instanceof SbomError) throw e;
    throw new SbomError(
      'SBOM_POLICY_INVALID',
      `${path}: gate policy is not readable YAML: ${(e as Error).message}`,
      {
        cause: e,
        details: { path, problems: [{ path: '', message: String((e as Error).message) }] },
      },
    );
  }
}

function checkPolicy(value: unknown, problems: Problem[]): GatePolicy | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    problems.push({ path: '', message: 'must be a mapping of policy keys (minScore, require, …)' });
    return undefined;
  }
  const obj = value as Partial<Record<(typeof KEYS)[number], unknown>>;
  for (const key of Object.keys(obj)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      problems.push({ path: key, message: `unknown key (known: ${KEYS.join(', ')})` });
    }
  }
  const policy: GatePolicy = { require: [] };
  const minScore = numberIn(obj.minScore, 'minScore', 0, 10, problems);
  if (minScore !== undefined) policy.minScore = minScore;
  const maxAge = numberIn(obj.maxAgeDays, 'maxAgeDays', 0, Number.MAX_SAFE_INTEGER, problems);
  if (maxAge !== undefined) policy.maxAgeDays = maxAge;
  for (const [i, id] of stringList(obj.require, 'require', problems).entries()) {
    if (KNOWN_CHECKS.has(id)) policy.require.push(id as CheckId);
    else
      problems.push({
        path: `require[${i}]`,
        message: `"${id}" is not a check id (known: ${CHECK_IDS.join(', ')})`,
      });
  }
  const allow = licenseIds(obj.allowLicenses, 'allowLicenses', problems);
  if (allow !== undefined) policy.allowLicenses = allow;
  const deny = licenseIds(obj.denyLicenses, 'denyLicenses', problems);
  if (deny !== undefined) policy.denyLicenses = deny;
  for (const id of allow ?? []) {
    if (deny?.includes(id))
      problems.push({ path: 'denyLicenses', message: `${id} is both allowed and denied` });
  }
  const sla = numberIn(obj.followUpSlaDays, 'followUpSlaDays', 1, 3650, problems);
  if (sla !== undefined) {
    if (Number.isInteger(sla)) policy.followUpSlaDays = sla;
    else problems.push({ path: 'followUpSlaDays', message: 'must be a whole number of days' });
  }
  if (obj.warn !== undefined) policy.warn = warnList(obj.warn, policy, problems);
  return policy;
}

// Check ids and gate rule ids; a check cannot be in both tiers, and a rule must be turned on.
function warnList(v: unknown, policy: GatePolicy, problems: Problem[]): (CheckId | GateRuleId)[] {
  const out: (CheckId | GateRuleId)[] = [];
  for (const [i, id] of stringList(v, 'warn', problems).entries()) {
    const path = `warn[${i}]`;
    if (KNOWN_CHECKS.has(id)) {
      if (policy.require.includes(id as CheckId)) {
        problems.push({ path, message: `"${id}" is also in require; a check has one tier` });
      } else out.push(id as CheckId);
    } else if (KNOWN_RULES.has(id)) {
      const key = RULE_KEYS[id as GateRuleId];
      if (policy[key] === undefined) {
        problems.push({ path, message: `"${id}" warns about a rule that is off; set ${key}` });
      } else out.push(id as GateRuleId);
    } else {
      problems.push({
        path,
        message: `"${id}" is not a check id or gate rule (known: ${[...CHECK_IDS, ...GATE_RULE_IDS].join(', ')})`,
      });
    }
  }
  return out;
}

function numberIn(
  v: unknown,
  path: string,
  min: number,
  max: number,
  problems: Problem[],
): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    problems.push({
      path,
      message: `must be a number from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'any' : max}`,
    });
    return undefined;
  }
  return v;
}

function stringList(v: unknown, path: string, problems: Problem[]): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    problems.push({ path, message: 'must be a list of strings' });
    return [];
  }
  const out: string[] = [];
  for (const [i, item] of v.entries()) {
    if (typeof item === 'string' && item.trim() !== '') out.push(item.trim());
    else problems.push({ path: `${path}[${i}]`, message: 'must be a non-empty string' });
  }
  return out;
}

// SPDX ids (re-cased to the list's spelling) or LicenseRef-… references.
function licenseIds(v: unknown, path: string, problems: Problem[]): string[] | undefined {
  if (v === undefined) return undefined;
  const out: string[] = [];
  for (const [i, raw] of stringList(v, path, problems).entries()) {
    if (/^(DocumentRef-[\w.-]+:)?LicenseRef-[\w.-]+$/.test(raw)) {
      out.push(raw);
      continue;
    }
    const n = normalizeLicense(raw);
    if (n.kind === 'id' && !n.corrected) out.push(n.value);
    else problems.push({ path: `${path}[${i}]`, message: `"${raw}" is not an SPDX licence id` });
  }
  return out;
}

function invalid(path: string, problems: Problem[]): SbomError {
  const list = problems.map((p) => (p.path ? `${p.path}: ${p.message}` : p.message)).join('; ');
  return new SbomError('SBOM_POLICY_INVALID', `${path}: gate policy is invalid: ${list}`, {
    details: { path, problems },
  });
}
