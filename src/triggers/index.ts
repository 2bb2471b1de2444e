/**
 * The triggers domain's public surface: code outside src/triggers/ imports it from here.
 * Seed 001 as a pure decision table: events → SBOM and VEX actions, deadlines, automation level;
 * SBOM obligations; webhook payloads → events. No I/O; imports core only.
 */
export type {
  Automation,
  Deadline,
  DecideOptions,
  TriggerDecision,
  VexDecision,
} from './decide.js';
export { decideTrigger, ruleFor } from './decide.js';
export type { TriggerErrorCode } from './errors.js';
export { TriggerError } from './errors.js';
export { eventId } from './event-id.js';
export type {
  AnalysisOutcome,
  EventKind,
  ReleaseEvent,
  TriggerEvent,
  VexChange,
} from './events.js';
export { EVENT_KINDS, VEX_CHANGES } from './events.js';
export type {
  AutomationLevel,
  DecisionBranch,
  Detection,
  RuleId,
  SbomActionKind,
  SeedSource,
  SeedTable,
  TriggerRule,
  VexActionKind,
  VexStatus,
} from './model.js';
export type { MetObligation, ObligationReport, SbomObligation, SbomPush } from './obligations.js';
export { evaluateObligations, obligationFor } from './obligations.js';
export { parseTriggerEvent } from './parse-event.js';
export {
  DEFAULT_LOCKFILE_NAMES,
  DEFAULT_RELEASE_BRANCHES,
  lockfilesIn,
  matchesAny,
} from './patterns.js';
export type { ReleaseKind, Semver } from './release.js';
export { classifyRelease, DEFAULT_HOTFIX_BRANCHES, parseSemver } from './release.js';
export { RULES_BY_ID, TRIGGER_RULES } from './rules.js';
export type {
  AutomationStrategy,
  ChecklistItem,
  DecisionFacts,
  EdgeCase,
  ImplementationPattern,
} from './seed-tables.js';
export {
  AUTOMATION_TREE,
  automationStrategy,
  CHECKLIST,
  DECISION_TREE,
  EDGE_CASES,
  PATTERNS,
  requiresNewVexVersion,
  SEMI_AUTOMATION_STEPS,
  VEX_VERSIONING,
  walkDecisionTree,
} from './seed-tables.js';
export type { DurationInput, SlaEntry, SlaKey, SlaOverride, SlaTable } from './sla.js';
export { DEFAULT_SLA, durationMs, SLA_KEYS, slaTable } from './sla.js';
export type { WebhookDelivery, WebhookOptions, WebhookResult } from './webhooks/index.js';
export {
  GITHUB_SIGNATURE_HEADER,
  GITLAB_TOKEN_HEADER,
  parseGithubWebhook,
  parseGitlabWebhook,
  signGithubPayload,
  verifyGithubSignature,
  verifyGitlabToken,
} from './webhooks/index.js';
