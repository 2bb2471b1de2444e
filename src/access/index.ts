export { AccessError } from './errors.js';
export type { AccessErrorCode } from './errors.js';
export { inScope } from './principal.js';
export type { Caller, Principal } from './principal.js';
export { requireOrganisationWide, requirePermission } from './require-permission.js';
export { can, isRole, ROLES } from './roles.js';
export type { Permission, Role } from './roles.js';
