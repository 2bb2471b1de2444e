/**
 * What a policy may cost. cel-js 8 bounds only the parse (AST nodes, depth, literal sizes: its
 * `limits` option); it has no evaluation cost limit, so Custody adds one (cel/meter.ts): every
 * node evaluated is a step, a new list costs its length as well (a string a tenth of it), and a
 * policy's steps and time are budgeted. Comprehension nesting is bounded at compile time; regexes
 * are checked before they run (cel/regex-guard.ts) and run in linear time (cel/linear-regex.ts),
 * so no single step can run away. With these limits the
 * built-in pack over 10 000 licences takes about 60 000 steps (11 ms here).
 */
export interface CelLimits {
  /** Bytes of one rule's expression. */
  maxRuleBytes: number;
  /** Bytes of a whole policy source (YAML or JSON). */
  maxPolicyBytes: number;
  /** Rules in one policy. */
  maxRules: number;
  /** cel-js parse limits. */
  maxAstNodes: number;
  maxDepth: number;
  maxListElements: number;
  maxMapEntries: number;
  maxCallArguments: number;
  /** Comprehensions (all, exists, exists_one, map, filter) inside one another. */
  maxComprehensionNesting: number;
  /**
   * Steps one rule may take: a node evaluated is 1; a list it makes costs its length too, a string
   * a tenth of its length (as does the subject of `matches()`), as in cel-go's cost model.
   */
  maxRuleSteps: number;
  /** Steps a whole policy may take. */
  maxPolicySteps: number;
  /** A string or list made during evaluation may not be longer. */
  maxValueLength: number;
  /** Milliseconds a policy's evaluation may take (checked between steps, with the clock passed in). */
  maxMillis: number;
  /** Characters of a `matches()` pattern (which must be a literal). */
  maxRegexLength: number;
  /** Characters of a string `matches()` is applied to. */
  maxRegexSubject: number;
}

export const DEFAULT_CEL_LIMITS: Readonly<CelLimits> = Object.freeze({
  maxRuleBytes: 16 * 1024,
  maxPolicyBytes: 64 * 1024,
  maxRules: 100,
  maxAstNodes: 2000,
  maxDepth: 48,
  maxListElements: 512,
  maxMapEntries: 128,
  maxCallArguments: 16,
  maxComprehensionNesting: 2,
  maxRuleSteps: 200_000,
  maxPolicySteps: 1_000_000,
  maxValueLength: 100_000,
  maxMillis: 1000,
  maxRegexLength: 256,
  maxRegexSubject: 4096,
});
