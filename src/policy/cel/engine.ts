import {
  type ASTNode,
  TypeError as CelTypeError,
  Environment,
  EvaluationError,
  ParseError,
} from '@marcbachmann/cel-js';
import { PolicyError } from '../errors.js';
import type { CelLimits } from './limits.js';
import type { LinearRegex } from './linear-regex.js';
import type { Meter } from './meter.js';
import { assertSafeRegex } from './regex-guard.js';

/**
 * Custody's interface to CEL: `compileExpression` parses, type-checks and bounds one rule;
 * `CompiledExpression.run` evaluates it under a Meter. cel-js is used only here, so another CEL
 * implementation could take its place behind these two functions.
 *
 * Two variables are declared: `evidence` (the verified-evidence document) and `params` (the
 * policy's parameters); any other name fails to compile.
 */
export interface CompiledExpression {
  /** What the type checker found the expression returns (`bool` or `dyn`). */
  readonly type: string;
  /**
   * Evaluate against an activation (already converted to CEL values, see toCel). Returns the
   * value; a CEL evaluation error is returned as `{ error }`, a spent budget throws.
   * @throws PolicyError POLICY_TOO_COSTLY
   */
  run(activation: Record<string, unknown>, meter: Meter): { value: unknown } | { error: string };
}

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);
// Nodes whose result is a value made during evaluation (concatenation, a function's result, a
// comprehension's list): they cost its length as well as the step.
const MAKERS = new Set(['+', 'call', 'rcall']);

// biome-ignore lint/suspicious/noExplicitAny: cel-js's evaluator is not part of its typed API
type Evaluator = any;
type EvaluateFn = (ev: Evaluator, ast: ASTNode, ctx: unknown) => unknown;

interface EngineState {
  env: Environment;
  limits: CelLimits;
}

const engines = new Map<string, EngineState>();
/** The meter of the evaluation in progress (evaluation is synchronous: one at a time). */
let active: Meter | undefined;
/** The checked pattern of each `matches()` node, compiled once at compile time. */
const patterns = new WeakMap<object, LinearRegex>();
const patched = new WeakSet<object>();

function engineFor(limits: CelLimits): EngineState {
  const key = JSON.stringify(limits);
  let e = engines.get(key);
  if (!e) {
    const env = new Environment({
      unlistedVariablesAreDyn: false,
      homogeneousAggregateLiterals: false,
      limits: {
        maxAstNodes: limits.maxAstNodes,
        maxDepth: limits.maxDepth,
        maxListElements: limits.maxListElements,
        maxMapEntries: limits.maxMapEntries,
        maxCallArguments: limits.maxCallArguments,
      },
    })
      .registerVariable('evidence', 'map<string, dyn>')
      .registerVariable('params', 'map<string, dyn>');
    e = { env, limits };
    engines.set(key, e);
  }
  return e;
}

/**
 * Compile one rule's expression: size cap, parse (with cel-js's structural limits), type check
 * (must be able to return a bool), comprehension nesting, and every `matches()` pattern checked.
 * @throws PolicyError POLICY_TOO_LARGE, POLICY_COMPILE_FAILED, POLICY_TOO_COSTLY
 */
export function compileExpression(
  expression: string,
  rule: string,
  limits: CelLimits,
): CompiledExpression {
  const bytes = new TextEncoder().encode(expression).length;
  if (bytes > limits.maxRuleBytes) {
    throw new PolicyError(
      'POLICY_TOO_LARGE',
      `Rule ${rule}: the expression is ${bytes} bytes, over the cap of ${limits.maxRuleBytes}; split the rule`,
      { details: { rule, size: bytes, limit: limits.maxRuleBytes } },
    );
  }
  const { env } = engineFor(limits);
  let parsed: ReturnType<Environment['parse']>;
  try {
    parsed = env.parse(expression);
  } catch (e) {
    throw celFailure(e, rule);
  }
  const checked = parsed.check();
  if (!checked.valid) throw celFailure(checked.error, rule);
  if (checked.type !== 'bool' && checked.type !== 'dyn') {
    throw new PolicyError(
      'POLICY_COMPILE_FAILED',
      `Rule ${rule}: the expression returns ${checked.type}, not bool; a rule must be true (pass) or false (fail)`,
      { details: { rule, type: checked.type } },
    );
  }
  const nesting = comprehensionNesting(parsed.ast);
  if (nesting > limits.maxComprehensionNesting) {
    throw new PolicyError(
      'POLICY_TOO_COSTLY',
      `Rule ${rule}: comprehensions nest ${nesting} deep (at most ${limits.maxComprehensionNesting}); flatten the rule`,
      { details: { rule, limit: 'comprehension-nesting', nesting } },
    );
  }
  checkPatterns(parsed.ast, rule, limits);
  const root = parsed.ast as unknown as { evaluate: EvaluateFn };
  const base = Object.getPrototypeOf(root).evaluate as EvaluateFn;
  // The root node is evaluated by the environment directly, not through the evaluator's run():
  // meter it here (cel-js replaces a node's evaluate on first use, so put ours back each time).
  const meteredRoot: EvaluateFn = (ev, ast, ctx) => {
    installMeter(ev);
    try {
      return metered(ev, ast, ctx, () => base.call(ast, ev, ast, ctx));
    } finally {
      root.evaluate = meteredRoot;
    }
  };
  root.evaluate = meteredRoot;
  return {
    type: checked.type,
    run(activation, meter) {
      active = meter;
      try {
        const value = parsed(activation);
        if (meter.spent) throw meter.spent;
        return { value };
      } catch (e) {
        if (meter.spent) throw meter.spent;
        if (e instanceof PolicyError) throw e;
        if (e instanceof EvaluationError || e instanceof CelTypeError) {
          return { error: firstLine(e.message) };
        }
        // A JavaScript error from inside the evaluator (a bug or an unforeseen input) is this
        // rule's error too, never a crash of the whole evaluation.
        return { error: `evaluation failed: ${firstLine(String((e as Error)?.message ?? e))}` };
      } finally {
        active = undefined;
      }
    },
  };
}

// Each evaluator instance (one per cel-js Environment, ours only) gets its run() metered once.
function installMeter(ev: Evaluator): void {
  if (patched.has(ev)) return;
  patched.add(ev);
  ev.run = (node: ASTNode, ctx: unknown) =>
    metered(ev, node, ctx, () =>
      (node as unknown as { evaluate: EvaluateFn }).evaluate(ev, node, ctx),
    );
}

function metered(ev: Evaluator, node: ASTNode, ctx: unknown, evaluate: () => unknown): unknown {
  const meter = active;
  if (meter === undefined) throw new Error('CEL evaluation outside a meter');
  meter.charge(1);
  const re = patterns.get(node);
  if (re !== undefined) {
    const [, receiver] = node.args as [string, ASTNode, ASTNode[]];
    const subject = ev.run(receiver, ctx);
    if (typeof subject === 'string') {
      if (subject.length > meter.limits.maxRegexSubject)
        meter.refuse(`applied matches() to ${subject.length} characters`, 'regex-subject');
      meter.charge(stringCost(subject.length));
      return re.test(subject);
    }
    // Not a string: let cel-js report the type error as it would (its RegExp never runs then).
  } else if (isMatchesCall(node)) {
    // A matches() the compile step did not see (cel-js cloned the node): never let it reach
    // JavaScript's backtracking RegExp.
    meter.refuse('ran a matches() whose pattern was not checked', 'regex-unchecked');
  }
  const r = evaluate();
  if (MAKERS.has(node.op)) {
    if (typeof r === 'string' || r instanceof Uint8Array) {
      meter.checkLength(r.length);
      meter.charge(stringCost(r.length));
    } else if (Array.isArray(r)) {
      meter.checkLength(r.length);
      meter.charge(r.length);
    }
  }
  return r;
}

function isMatchesCall(node: ASTNode): boolean {
  return (node.op === 'rcall' || node.op === 'call') && (node.args as unknown[])[0] === 'matches';
}

// A character costs a tenth of a step, as in cel-go's cost model (a list element costs one).
function stringCost(length: number): number {
  return Math.ceil(length / 10);
}

function comprehensionNesting(node: unknown): number {
  if (!isNode(node)) return 0;
  const args = node.args as unknown;
  if (node.op === 'rcall') {
    const [name, receiver, callArgs] = args as [string, ASTNode, ASTNode[]];
    const inner = Math.max(0, ...callArgs.map(comprehensionNesting));
    return Math.max(comprehensionNesting(receiver), COMPREHENSIONS.has(name) ? inner + 1 : inner);
  }
  return Math.max(0, ...children(node).map(comprehensionNesting));
}

function checkPatterns(node: unknown, rule: string, limits: CelLimits): void {
  if (!isNode(node)) return;
  const name =
    node.op === 'rcall' || node.op === 'call' ? (node.args as unknown as [string])[0] : undefined;
  if (name === 'matches') {
    const args = node.op === 'rcall' ? (node.args as [string, ASTNode, ASTNode[]])[2] : [];
    const pattern = args[0];
    if (
      node.op !== 'rcall' ||
      args.length !== 1 ||
      pattern?.op !== 'value' ||
      typeof pattern.args !== 'string'
    ) {
      throw new PolicyError(
        'POLICY_TOO_COSTLY',
        `Rule ${rule}: matches() takes a string literal pattern (s.matches("^v[0-9]+$")), so it can be checked before it runs`,
        { details: { rule, limit: 'regex-constant' } },
      );
    }
    patterns.set(node, assertSafeRegex(pattern.args, limits.maxRegexLength, rule));
  }
  for (const c of children(node)) checkPatterns(c, rule, limits);
}

function isNode(v: unknown): v is ASTNode {
  return typeof v === 'object' && v !== null && 'op' in v && 'args' in v;
}

function children(node: ASTNode): unknown[] {
  const a = node.args as unknown;
  if (!Array.isArray(a)) return isNode(a) ? [a] : [];
  return a.flatMap((x) => (Array.isArray(x) ? x : [x])).filter(isNode);
}

function celFailure(e: unknown, rule: string): PolicyError {
  const err = e as { code?: string; message?: string };
  const message = firstLine(String(err?.message ?? e));
  if (err?.code === 'limit_exceeded') {
    return new PolicyError(
      'POLICY_TOO_COSTLY',
      `Rule ${rule}: ${message}; simplify the expression`,
      { details: { rule, limit: 'parse', cel: err.code } },
    );
  }
  const kind = e instanceof ParseError ? 'syntax' : 'type';
  return new PolicyError('POLICY_COMPILE_FAILED', `Rule ${rule}: CEL ${kind} error: ${message}`, {
    details: { rule, cel: err?.code ?? null, message: String(err?.message ?? e).slice(0, 2000) },
  });
}

function firstLine(s: string): string {
  return (s.split('\n')[0] ?? '').slice(0, 500);
}
