export { FRESH_DAYS, STALE_DAYS } from './check-freshness.js';
export { formatQualityText } from './format.js';
export { formatGateText } from './format-gate.js';
export type { GateFailure, GateResult } from './gate.js';
export { evaluateGate } from './gate.js';
export type { GatePolicy } from './gate-policy.js';
export { DEFAULT_GATE_POLICY, parseGatePolicy } from './gate-policy.js';
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
