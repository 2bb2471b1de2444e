/**
 * The vex domain's public surface: code outside src/vex/ imports it from here. The model comes
 * from formats/vex/model.ts; the lifecycle on it is this folder's.
 */
export {
  VEX_JUSTIFICATIONS,
  VEX_RESPONSES,
  VEX_STATUSES,
  type VexDocument,
  type VexJustification,
  type VexProduct,
  type VexResponse,
  type VexStatement,
  type VexStatus,
} from '../formats/index.js';
export { approveStatement, assertPublishable, needsApproval } from './approval.js';
export {
  discloseStatement,
  isConfidential,
  metricLabel,
  publishableDocument,
  redactConfidential,
  toPublicStatement,
} from './confidential.js';
export type { CsafRevision, DocumentChange } from './document-version.js';
export { documentChangeOf, nextCsafRevision, nextDocumentVersion } from './document-version.js';
export type { AdvisoryRef, AffectedRelease } from './draft.js';
export { draftConfidentialStatements, draftStatements } from './draft.js';
export { endOfLife } from './eol.js';
export type { VexLifecycleErrorCode } from './errors.js';
export { VexLifecycleError } from './errors.js';
export type { PatchRelease } from './events.js';
export {
  analysisAffected,
  analysisNotAffected,
  analysisRevised,
  exploitPublished,
  falsePositive,
  newAffectedVersion,
  patchReleased,
  urgencyOf,
  workaroundIdentified,
} from './events.js';
export type { CompareVersions } from './evidence.js';
export { assertFixProven } from './evidence.js';
export type { NonSubstantiveField, StatementField, SubstantiveField } from './fields.js';
export { NON_SUBSTANTIVE, SUBSTANTIVE } from './fields.js';
export { type VexStatusLookup, vexStatusLookup } from './lookup.js';
export { assertPerson, assertSecondPerson, samePersonName } from './people.js';
export { assertNoScopeConflict, mergeProducts } from './scope.js';
export type {
  ActContext,
  ChangeKind,
  ChangeRecord,
  FixEvidence,
  LifecycleStatement,
  Revision,
  ThreatIntel,
} from './statement.js';
export { SYSTEM_ACTOR } from './statement.js';
export type { ChangeStatusOptions, StatusChange } from './transition.js';
export { changeStatus } from './transition.js';
export type { VexTransition } from './transitions.js';
export { assertTransition, isAllowedTransition, VEX_TRANSITIONS } from './transitions.js';
export { assertStatementValid } from './validate.js';
export type { ReviseOptions, StatementEdit } from './versioning.js';
export {
  EPSS_VERSION_STEP,
  isTypoFix,
  normalizeFormatting,
  reviseStatement,
  TYPO_MAX_EDITS,
} from './versioning.js';
