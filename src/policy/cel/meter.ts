import { PolicyError } from '../errors.js';
import type { CelLimits } from './limits.js';

/**
 * The evaluation budget of one policy run: steps (per rule and in all) and time. Once spent it
 * stays spent: CEL's `||` and `&&` absorb an error on one side when the other decides, so the
 * evaluator may swallow the first refusal, but every later step is refused again and the caller
 * checks `spent` after each rule.
 */
export class Meter {
  steps = 0;
  ruleSteps = 0;
  spent: PolicyError | undefined;
  rule = '';
  private readonly deadline: number | undefined;
  private nextClockRead = 1024;

  constructor(
    readonly limits: CelLimits,
    private readonly now: (() => number) | undefined,
  ) {
    this.deadline = now === undefined ? undefined : now() + limits.maxMillis;
  }

  startRule(name: string): void {
    this.rule = name;
    this.ruleSteps = 0;
  }

  /** Count `n` steps; throws once a budget is spent (and on every call after). */
  charge(n: number): void {
    if (this.spent) throw this.spent;
    this.steps += n;
    this.ruleSteps += n;
    if (this.ruleSteps > this.limits.maxRuleSteps)
      this.refuse(`took over ${this.limits.maxRuleSteps} evaluation steps`, 'rule-steps');
    if (this.steps > this.limits.maxPolicySteps)
      this.refuse(
        `the policy took over ${this.limits.maxPolicySteps} evaluation steps`,
        'policy-steps',
      );
    // The clock is read about every 1024 steps: reading it costs more than a step.
    if (this.deadline !== undefined && this.steps >= this.nextClockRead && this.now !== undefined) {
      this.nextClockRead = this.steps + 1024;
      if (this.now() > this.deadline)
        this.refuse(`the policy ran over ${this.limits.maxMillis} ms`, 'time');
    }
  }

  /** Refuse a string or list made during evaluation that is over the value cap. */
  checkLength(length: number): void {
    if (length > this.limits.maxValueLength)
      this.refuse(
        `made a value of ${length} elements (the cap is ${this.limits.maxValueLength})`,
        'value-length',
      );
  }

  refuse(why: string, limit: string): never {
    this.spent = new PolicyError(
      'POLICY_TOO_COSTLY',
      `Rule ${this.rule} ${why}; simplify it (fewer nested comprehensions, smaller lists)`,
      { details: { rule: this.rule, limit, steps: this.steps } },
    );
    throw this.spent;
  }
}
