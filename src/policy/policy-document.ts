import { createRequire } from 'node:module';
import { sha256Digest } from '../core/index.js';
import { type CelLimits, DEFAULT_CEL_LIMITS } from './cel/limits.js';
import { PolicyError } from './errors.js';
import { isSmallJson } from './evidence-shape.js';

/**
 * A policy as written (YAML or JSON; untrusted):
 *
 * ```yaml
 * name: release-gates
 * version: 3
 * params: { allowedBuilders: [https://github.com/actions/runner/github-hosted] }
 * rules:
 *   - name: builder-allowed
 *     expression: evidence.provenance.exists(p, p.builderId in params.allowedBuilders)
 *     message: the artifact was built by a builder the team does not allow
 *     level: deny          # deny (default) or warn; `severity` is read as a synonym
 * ```
 */
export interface PolicyDocument {
  name: string;
  version: string;
  description: string | null;
  /** Values the rules read as `params.<name>`; a caller may override them at evaluation. */
  params: Record<string, unknown>;
  rules: PolicyRule[];
  /** `sha256:<hex>` of the source as given: which policy exactly was evaluated. */
  digest: string;
}

export interface PolicyRule {
  name: string;
  /** CEL over `evidence` and `params`; true passes. */
  expression: string;
  /** What a failure means, for people. */
  message: string;
  /** A failed `deny` rule denies; a failed `warn` rule is reported only. */
  level: 'deny' | 'warn';
}

export const POLICY_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const TOP_KEYS = new Set(['name', 'version', 'description', 'params', 'rules']);
const RULE_KEYS = new Set(['name', 'expression', 'message', 'level', 'severity']);
const MAX_PARAMS_BYTES = 16 * 1024;

/**
 * Read a policy source. Collects every problem of the document before failing; the rules'
 * expressions are compiled separately (compilePolicy).
 * @throws PolicyError POLICY_TOO_LARGE, POLICY_INVALID
 */
export function parsePolicy(
  source: string,
  what: string,
  limits: CelLimits = DEFAULT_CEL_LIMITS,
): PolicyDocument {
  const bytes = new TextEncoder().encode(source).length;
  if (bytes > limits.maxPolicyBytes) {
    throw new PolicyError(
      'POLICY_TOO_LARGE',
      `${what} is ${bytes} bytes, over the cap of ${limits.maxPolicyBytes}; split it into several policies`,
      { details: { what, size: bytes, limit: limits.maxPolicyBytes } },
    );
  }
  const value = readYaml(source, what);
  const problems: string[] = [];
  const doc = checkDocument(value, problems, limits);
  if (doc === undefined || problems.length > 0) {
    throw new PolicyError(
      'POLICY_INVALID',
      `${what} is not a policy: ${problems.slice(0, 5).join('; ')}; see \`custody policy eval --help\` for the format`,
      { details: { what, problems: problems.slice(0, 50) } },
    );
  }
  return { ...doc, digest: sha256Digest(source) };
}

function checkDocument(
  v: unknown,
  problems: string[],
  limits: CelLimits,
): Omit<PolicyDocument, 'digest'> | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    problems.push('the document must be a mapping with name, version and rules');
    return undefined;
  }
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!TOP_KEYS.has(k)) problems.push(`${k}: not a policy key`);
  const name = o['name'];
  if (typeof name !== 'string' || !POLICY_NAME.test(name))
    problems.push('name: letters, digits, ".", "_" or "-" (at most 63)');
  const version = o['version'];
  const versionOk =
    (typeof version === 'string' && version.length > 0 && version.length <= 64) ||
    (typeof version === 'number' && Number.isFinite(version));
  if (!versionOk) problems.push('version: a number or a short string');
  const description = o['description'] ?? null;
  if (description !== null && (typeof description !== 'string' || description.length > 4096))
    problems.push('description: a string of at most 4096 characters');
  const params = o['params'] ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    problems.push('params: a mapping of names to values');
  else if (!isSmallJson(params) || JSON.stringify(params).length > MAX_PARAMS_BYTES)
    problems.push(`params: at most ${MAX_PARAMS_BYTES} bytes as JSON, 8 levels deep`);
  const rules = o['rules'];
  const out: PolicyRule[] = [];
  if (!Array.isArray(rules) || rules.length === 0) {
    problems.push('rules: a list of at least one rule');
  } else if (rules.length > limits.maxRules) {
    problems.push(`rules: at most ${limits.maxRules}`);
  } else {
    const seen = new Set<string>();
    rules.forEach((r, i) => {
      const rule = checkRule(r, `rules[${i}]`, problems);
      if (rule === undefined) return;
      if (seen.has(rule.name)) problems.push(`rules[${i}].name: ${rule.name} appears twice`);
      seen.add(rule.name);
      out.push(rule);
    });
  }
  if (problems.length > 0) return undefined;
  return {
    name: name as string,
    version: String(version),
    description: description as string | null,
    params: params as Record<string, unknown>,
    rules: out,
  };
}

function checkRule(v: unknown, at: string, problems: string[]): PolicyRule | undefined {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    problems.push(`${at}: a mapping with name, expression and message`);
    return undefined;
  }
  const r = v as Record<string, unknown>;
  const before = problems.length;
  for (const k of Object.keys(r))
    if (!RULE_KEYS.has(k)) problems.push(`${at}.${k}: not a rule key`);
  const { name, expression, message } = r;
  if (typeof name !== 'string' || !POLICY_NAME.test(name))
    problems.push(`${at}.name: letters, digits, ".", "_" or "-" (at most 63)`);
  if (typeof expression !== 'string' || expression.trim() === '')
    problems.push(`${at}.expression: a CEL expression`);
  if (message !== undefined && (typeof message !== 'string' || message.length > 1024))
    problems.push(`${at}.message: a string of at most 1024 characters`);
  const level = r['level'] ?? r['severity'] ?? 'deny';
  if (level !== 'deny' && level !== 'warn') problems.push(`${at}.level: deny or warn`);
  if (problems.length > before) return undefined;
  return {
    name: name as string,
    expression: expression as string,
    message: (message as string | undefined) ?? `rule ${name as string} failed`,
    level: level as 'deny' | 'warn',
  };
}

// The yaml package takes ~30 ms to load and only policy files need it: it loads on first use.
const requireOnUse = createRequire(import.meta.url);
let yaml: typeof import('yaml') | undefined;

function readYaml(text: string, what: string): unknown {
  try {
    yaml ??= requireOnUse('yaml') as typeof import('yaml');
    const doc = yaml.parseDocument(text, { uniqueKeys: true, prettyErrors: false });
    if (doc.errors.length > 0) throw new Error(doc.errors[0]?.message.split('\n')[0] ?? 'YAML');
    return doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    throw new PolicyError(
      'POLICY_INVALID',
      `${what} is not readable YAML or JSON: ${String((e as Error).message).split('\n')[0]}`,
      { cause: e, details: { what } },
    );
  }
}
