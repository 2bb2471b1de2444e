import { PolicyError } from '../errors.js';
import { compileLinearRegex, type LinearRegex } from './linear-regex.js';

/**
 * Check and compile a `matches()` pattern. It must be a literal (checked where the rule compiles,
 * before it ever runs) and short. It runs on Custody's linear-time matcher (linear-regex.ts), so
 * no pattern backtracks; the classic exponential shapes are refused all the same, with a message
 * that says why, because a policy that holds one was written for a backtracking engine:
 * - no quantified group that itself holds a quantifier or an alternation (`(a+)+`, `(a|ab)*`);
 * - no back-references or look-arounds (RE2 has neither); bounded repeats up to {1000}.
 * @throws PolicyError POLICY_TOO_COSTLY (unsafe), POLICY_COMPILE_FAILED (not a pattern Custody runs)
 */
export function assertSafeRegex(pattern: string, maxLength: number, rule: string): LinearRegex {
  const refuse = (why: string): never => {
    throw new PolicyError(
      'POLICY_TOO_COSTLY',
      `Rule ${rule}: the pattern ${JSON.stringify(pattern.slice(0, 80))} ${why}; write a simpler pattern (no nested or many repetitions)`,
      { details: { rule, pattern: pattern.slice(0, 300), reason: why } },
    );
  };
  if (pattern.length > maxLength) refuse(`is over ${maxLength} characters`);
  const why = unsafeReason(pattern);
  if (why !== undefined) refuse(why);
  return compileLinearRegex(pattern, rule);
}

interface Group {
  /** The group holds a quantifier or an alternation. */
  risky: boolean;
}

function unsafeReason(p: string): string | undefined {
  const stack: Group[] = [{ risky: false }];
  // Whether the atom just closed was a group that holds a quantifier or an alternation.
  let lastWasRiskyGroup = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i];
    const top = stack[stack.length - 1] as Group;
    if (c === '\\') {
      const n = p[i + 1] ?? '';
      if (/[1-9]/.test(n) || n === 'k') return 'uses a back-reference';
      i++;
      lastWasRiskyGroup = false;
      continue;
    }
    if (c === '[') {
      // A character class is one atom; skip to its end (escapes inside included).
      i++;
      while (i < p.length && p[i] !== ']') i += p[i] === '\\' ? 2 : 1;
      lastWasRiskyGroup = false;
      continue;
    }
    if (c === '(') {
      if (
        p.startsWith('(?=', i) ||
        p.startsWith('(?!', i) ||
        p.startsWith('(?<=', i) ||
        p.startsWith('(?<!', i)
      )
        return 'uses a look-around';
      stack.push({ risky: false });
      lastWasRiskyGroup = false;
      continue;
    }
    if (c === ')') {
      const g = stack.pop() as Group;
      if (stack.length === 0) return 'has an unbalanced parenthesis';
      lastWasRiskyGroup = g.risky;
      // A risky group makes its enclosing group risky too.
      if (g.risky) (stack[stack.length - 1] as Group).risky = true;
      continue;
    }
    if (c === '|') {
      top.risky = true;
      lastWasRiskyGroup = false;
      continue;
    }
    const q = quantifierAt(p, i);
    if (q !== undefined) {
      if (lastWasRiskyGroup) return 'repeats a group that repeats or alternates';
      if (q.max !== Number.POSITIVE_INFINITY && q.max > 1000) return 'repeats more than 1000 times';
      if (q.max > 1) top.risky = true;
      i = q.end - 1;
      if (p[i + 1] === '?') i++; // lazy form
      lastWasRiskyGroup = false;
      continue;
    }
    lastWasRiskyGroup = false;
  }
  return undefined;
}

function quantifierAt(p: string, i: number): { max: number; end: number } | undefined {
  const c = p[i];
  if (c === '*' || c === '+') return { max: Number.POSITIVE_INFINITY, end: i + 1 };
  if (c === '?') return { max: 1, end: i + 1 };
  if (c === '{') {
    const m = /^\{(\d{1,6})(,(\d{0,6}))?\}/.exec(p.slice(i));
    if (!m) return undefined;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
    return { max, end: i + m[0].length };
  }
  return undefined;
}
