export {
  ADMISSION_CACHE_DEFAULTS,
  type AdmissionCacheSettings,
  loadAdmissionCacheSettings,
} from './admission-cache-settings.js';
export {
  ADMISSION_DEFAULT_MODES,
  type AdmissionDefaultMode,
  type AdmissionSettings,
  type AdmissionTlsSettings,
  loadAdmissionSettings,
} from './admission-settings.js';
export {
  type AdmissionTrustSettings,
  type IdentitySetting,
  loadAdmissionTrustSettings,
} from './admission-trust-settings.js';
export {
  type AuditSettings,
  DEFAULT_AUDIT_SETTINGS,
  loadAuditSettings,
} from './audit-settings.js';
export { type CliSettings, loadCliSettings } from './cli-settings.js';
export {
  DEFAULT_DATA_DIR,
  DEFAULT_LISTEN,
  DEFAULT_OIDC_MAX_TOKEN_LIFETIME_SECONDS,
  loadServeConfig,
  type OidcIssuerSetting,
  parseListen,
  type ServeConfig,
  type ServeFlags,
  type TimeoutConfig,
  type TlogConfig,
} from './config.js';
export {
  DEFAULT_KPI_SETTINGS,
  type KpiSettings,
  loadKpiSettings,
  MIN_KPI_RETENTION_DAYS,
} from './kpi-settings.js';
export { loadOciSettings, type OciSettings } from './oci-settings.js';
export { DEFAULT_SLO_SETTINGS, loadSloSettings, type SloSettings } from './slo-settings.js';
export {
  DEFAULT_SESSION_TTL_SECONDS,
  type LoginOidcSettings,
  type LoginSettings,
  loadLoginSettings,
} from './login-settings.js';
