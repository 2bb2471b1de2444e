export { FRESH_DAYS, STALE_DAYS } from './check-freshness.js';
export { followUpMessage } from './follow-up.js';
export { formatQualityText } from './format.js';
export { formatGateText } from './format-gate.js';
export type { GateFailure, GateResult } from './gate.js';
export { evaluateGate, isGateRule } from './gate.js';
export type { GatePolicy, GateRuleId } from './gate-policy.js';
export {
  DEFAULT_FOLLOW_UP_SLA_DAYS,
  DEFAULT_GATE_POLICY,
  GATE_RULE_IDS,
  gatePolicyFromJSON,
  parseGatePolicy,
} from './gate-policy.js';
export { allChecks, CATEGORY_WEIGHTS, scoreSbom } from './score.js';
export type {
  CategoryId,
  CategoryResult,
  CheckId,
  CheckResult,
  FailingComponent,
  QualityReport,
  ScoreOptions,
} from './types.js';
export { CHECK_IDS } from './types.js';
export { isExactVersion } from './version-form.js';
