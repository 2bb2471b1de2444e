export { AdmissionRecordsError, type AdmissionRecordsErrorCode } from './errors.js';
export { type AdmissionFigures, admissionFigures, OTHER_NAMESPACES } from './figures.js';
export {
  type DecisionImageView,
  type DecisionQuery,
  type DecisionView,
  type DeploymentView,
  listDecisionViews,
  listDeploymentViews,
  listReconciliationViews,
  type Paged,
  type ReconciliationView,
  wouldDenyReport,
} from './read.js';
export {
  type NamespaceConfigOf,
  type ReconcileChecker,
  type ReconcileResult,
  type ReconcileRun,
  reconcileDegraded,
} from './reconcile.js';
export { type ReconcileDeps, reconcileNow } from './reconcile-now.js';
export {
  type BatchingDecisionRecorder,
  createDecisionRecorder,
  type DecisionRecorderOptions,
  type RecorderHooks,
} from './recorder.js';
export {
  RECONCILE_JOB,
  type ReconcileScheduleOptions,
  startAdmissionReconciliation,
} from './schedule.js';
