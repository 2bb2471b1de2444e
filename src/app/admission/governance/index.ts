export {
  type ClusterView,
  clusterTokenHash,
  listClusterViews,
  normaliseFingerprint,
  registerCluster,
} from './clusters.js';
export {
  approveException,
  type ExceptionView,
  listExceptionViews,
  requestException,
  revokeException,
} from './exceptions.js';
export {
  type HealthProbeView,
  listHealthProbeViews,
  probeUpstreams,
  recordHealthProbe,
} from './health.js';
export {
  getNamespaceConfig,
  listNamespaceConfigViews,
  type NamespaceConfigView,
  setNamespaceConfig,
} from './namespaces.js';
export {
  approveOverride,
  type BlastRadius,
  type BlastRadiusFn,
  listOverrideViews,
  type OverrideView,
  requestOverride,
  revertHealedOverrides,
  revokeOverride,
} from './overrides.js';
export { type GovernanceReaderOptions, StoredAdmissionGovernance } from './reader.js';
export { GOVERNANCE_JOB_CALLER } from './shared.js';
