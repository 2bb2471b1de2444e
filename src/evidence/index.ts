/**
 * The evidence domain's public surface: an auditor's evidence archive (manifest, tar layout,
 * signature, offline verification), the chain-of-custody narrative and the runbook. Pure: bytes
 * in, bytes or reports out; app/evidence collects from the store.
 */

export type { AuditRowFile } from './check-audit.js';
export { EvidenceError, type EvidenceErrorCode } from './errors.js';
export type { CustodyFacts } from './facts.js';
export {
  AUDIT_ANCHORS_PATH,
  AUDIT_HEAD_PATH,
  AUDIT_PATH,
  type BundleRef,
  type BundleSigner,
  type EvidenceIndex,
  INDEX_PATH,
  type LogEntryFile,
  type LogEntryRef,
  MANIFEST_PATH,
  MANIFEST_SIGNATURE_PATH,
  NARRATIVE_PATH,
  RELEASE_PATH,
  SIGNING_KEY_PATH,
  TRUSTED_ROOT_PATH,
  WITNESSES_PATH,
  type WitnessRef,
} from './layout.js';
export { buildManifest, parseManifest, signManifest } from './manifest.js';
export { type NarrativeInput, renderNarrative } from './narrative.js';
export { formatEvidenceReport } from './report.js';
export { type RunbookInput, renderRunbook } from './runbook.js';
export {
  DEFAULT_EVIDENCE_LIMITS,
  type EvidenceFile,
  type EvidenceTarLimits,
  packEvidenceTar,
  readEvidenceTar,
} from './tar.js';
export { summarizeTrust, type TrustSummary } from './trust-summary.js';
export { type VerifyEvidenceOptions, verifyEvidence } from './verify.js';
