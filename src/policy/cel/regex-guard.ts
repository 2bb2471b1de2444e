import { PolicyError } from '../errors.js';

/**
 * Refuse a `matches()` pattern that could backtrack for long. CEL means RE2 (linear time), but
 * cel-js runs JavaScript's backtracking RegExp, where `(a+)+$` takes 2^n steps on n characters
 * and cannot be interrupted. So a pattern must be a literal (checked here, before it ever runs),
 * short, and inside a subset that backtracks at most polynomially, with a low degree:
 * - no quantified group that itself holds a quantifier or an alternation (`(a+)+`, `(a|ab)*`);
 * - at most 3 unbounded quantifiers (`*`, `+`, `{n,}`): with subjects capped at 4096 characters
 *   that is a bounded amount of backtracking;
 * - no back-references or look-arounds (RE2 has neither); bounded repeats up to {1000}.
 * @throws PolicyError POLICY_TOO_COSTLY (unsafe), POLICY_COMPILE_FAILED (not a valid pattern)
 */
export function assertSafeRegex(pattern: string, maxLength: number, rule: string): RegExp {
  const refuse = (why: string): never => {
    throw new PolicyError(
      'POLICY_TOO_COSTLY',
      `Rule ${rule}: the pattern ${JSON.stringify(pattern.slice(0, 80))} ${why}; write a simpler pattern (no nested or many repetitions)`,
      { details: { rule, pattern: pattern.slice(0, 300), reason: why } },
    );
  };
  if (pattern.length > maxLength) refuse(`is over ${maxLength} characters`);
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (e) {
    throw new PolicyError(
      'POLICY_COMPILE_FAILED',
      `Rule ${rule}: ${JSON.stringify(pattern.slice(0, 80))} is not a regular expression: ${(e as Error).message}`,
      { details: { rule, pattern: pattern.slice(0, 300) } },
    );
  }
  const why = unsafeReason(pattern);
  if (why !== undefined) refuse(why);
  return re;
}

interface Group {
  /** The group holds a quantifier or an alternation. */
  risky: boolean;
}

function unsafeReason(p: string): string | undefined {
  const stack: Group[] = [{ risky: false }];
  let unbounded = 0;
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
      if (q.max === Number.POSITIVE_INFINITY && ++unbounded > 3)
        return 'has more than 3 unbounded repetitions';
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
