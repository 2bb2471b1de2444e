export {
  type CaService,
  type CaServiceOptions,
  createCaService,
  EMERGENCY_MAX_SECONDS,
  type EmergencyIssue,
  type IssuedEvent,
  type OidcIssuerConfig,
} from './certificate-issuer.js';
export { DEV_LOGIN_CLIENT_ID, DEV_LOGIN_SUBJECT } from './dev-oidc-codes.js';
export {
  DEV_OIDC_WARNING,
  type DevOidcIssuer,
  type DevTokenRequest,
  openDevOidcIssuer,
} from './dev-oidc-issuer.js';
export { type InitCaOptions, type InitCaResult, initCa, loadCa } from './init-ca.js';
export { type Keyless, openKeyless } from './open-keyless.js';
