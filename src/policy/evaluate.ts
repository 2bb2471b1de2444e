import { type CompiledExpression, compileExpression } from './cel/engine.js';
import { type CelLimits, DEFAULT_CEL_LIMITS } from './cel/limits.js';
import { Meter } from './cel/meter.js';
import { PolicyError } from './errors.js';
import type { Evidence } from './evidence.js';
import { EVIDENCE_SHAPE, isSmallJson, type Shape } from './evidence-shape.js';
import type { PolicyDocument, PolicyRule } from './policy-document.js';

/** A policy whose every rule compiled: it can be evaluated any number of times. */
export interface CompiledPolicy {
  document: PolicyDocument;
  rules: { rule: PolicyRule; expression: CompiledExpression }[];
  limits: CelLimits;
}

export type RuleOutcome = 'pass' | 'fail' | 'error';

export interface RuleResult {
  name: string;
  level: 'deny' | 'warn';
  outcome: RuleOutcome;
  /** The rule's message (on pass too, so a report reads the same either way). */
  message: string;
  /** Why the rule could not be decided (a missing field, a type mismatch, not a bool). */
  reason?: string;
}

/** A decision is a value: `allowed` is false when any deny rule failed or could not be decided. */
export interface PolicyDecision {
  policy: { name: string; version: string; digest: string };
  artifact: string;
  allowed: boolean;
  results: RuleResult[];
  counts: { pass: number; fail: number; error: number; warn: number };
  /** Evaluation steps taken (cel/limits.ts). */
  steps: number;
}

export interface EvaluateOptions {
  /** Override the policy's own params (shallow: a name given here replaces the policy's). */
  params?: Record<string, unknown>;
  /** A monotonic clock in milliseconds for the time budget (pure code has none of its own). */
  now?: () => number;
}

/**
 * Compile every rule of a policy; the first rule that does not compile refuses the policy.
 * @throws PolicyError POLICY_COMPILE_FAILED, POLICY_TOO_COSTLY, POLICY_TOO_LARGE
 */
export function compilePolicy(
  document: PolicyDocument,
  limits: CelLimits = DEFAULT_CEL_LIMITS,
): CompiledPolicy {
  return {
    document,
    limits,
    rules: document.rules.map((rule) => ({
      rule,
      expression: compileExpression(rule.expression, rule.name, limits),
    })),
  };
}

/**
 * Evaluate a compiled policy over one artifact's evidence. Each rule passes, fails or errs (a
 * rule that errs is not decided: a deny rule that errs denies). A policy that spends its budget
 * is refused as a whole: a partial answer would read as a decision.
 * @throws PolicyError POLICY_TOO_COSTLY; POLICY_INVALID (params over their limits)
 */
export function evaluatePolicy(
  policy: CompiledPolicy,
  evidence: Evidence,
  opts: EvaluateOptions = {},
): PolicyDecision {
  if (opts.params !== undefined && !isSmallJson(opts.params)) {
    throw new PolicyError(
      'POLICY_INVALID',
      'The params given are over 8 levels deep or 2000 values; pass fewer, flatter params',
      { details: { what: 'params', problems: ['params: too deep or too large'] } },
    );
  }
  const activation = {
    evidence: toCel(evidence, EVIDENCE_SHAPE),
    params: toCel({ ...policy.document.params, ...(opts.params ?? {}) }, 'json'),
  };
  const meter = new Meter(policy.limits, opts.now);
  const results: RuleResult[] = [];
  for (const { rule, expression } of policy.rules) {
    meter.startRule(rule.name);
    const r = expression.run(activation, meter);
    const base = { name: rule.name, level: rule.level, message: rule.message };
    if ('error' in r) results.push({ ...base, outcome: 'error', reason: r.error });
    else if (typeof r.value !== 'boolean')
      results.push({
        ...base,
        outcome: 'error',
        reason: `the rule returned ${celTypeName(r.value)}, not a bool`,
      });
    else results.push({ ...base, outcome: r.value ? 'pass' : 'fail' });
  }
  const counts = { pass: 0, fail: 0, error: 0, warn: 0 };
  for (const r of results) {
    if (r.level === 'warn' && r.outcome !== 'pass') counts.warn++;
    else counts[r.outcome]++;
  }
  const d = policy.document;
  return {
    policy: { name: d.name, version: d.version, digest: d.digest },
    artifact: evidence.artifact.digest,
    allowed: results.every((r) => r.level === 'warn' || r.outcome === 'pass'),
    results,
    counts,
    steps: meter.steps,
  };
}

/**
 * JSON → CEL values: CEL keeps int and double apart, so whole numbers become int (bigint) unless
 * the shape says double (`ratio`, `score`), where every number stays a double.
 */
export function toCel(v: unknown, shape: Shape): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number') {
    if (shape === 'double') return v;
    return Number.isSafeInteger(v) ? BigInt(v) : v;
  }
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const inner = typeof shape === 'object' && 'list' in shape ? shape.list : 'json';
    return v.map((e) => toCel(e, inner));
  }
  const fields = typeof shape === 'object' && 'fields' in shape ? shape.fields : undefined;
  const out: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(v)) out[k] = toCel(e, fields?.[k] ?? 'json');
  return out;
}

function celTypeName(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'map' : typeof v;
}
