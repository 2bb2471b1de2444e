export {
  DEV_OIDC_WARNING,
  type DevOidcIssuer,
  type DevTokenRequest,
  openDevOidcIssuer,
} from './dev-oidc.js';
export {
  type CaKeyType,
  caPaths,
  fromPem,
  type InitCaOptions,
  type InitCaResult,
  initCa,
  loadCa,
  readTrustStore,
  toPem,
  writeTrustStore,
} from './files.js';
export { createJwksSource, type JwksSource, type JwksSourceOptions } from './jwks-source.js';
export {
  type CaService,
  type CaServiceOptions,
  createCaService,
  type IssuedEvent,
  type OidcIssuerConfig,
} from './service.js';
