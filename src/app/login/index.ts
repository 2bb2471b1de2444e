export { LoginError, type LoginErrorCode } from './errors.js';
export {
  addLoginGrant,
  type LoginGrantRequest,
  type LoginGrantView,
  listLoginGrantViews,
  revokeLoginGrant,
} from './grants.js';
export {
  type CallbackQuery,
  createOidcLogin,
  LOGIN_CALLBACK_PATH,
  LOGIN_OIDC_PATH,
  type OidcLogin,
} from './oidc-login.js';
export { openLogin } from './open-login.js';
export { createLoginSession, type LoginSession, logout, sessionView } from './session.js';
