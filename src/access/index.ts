export type {
  AuditChainProblem,
  AuditChainProblemCode,
  AuditChainRow,
  ChainedAuditRow,
} from './audit-chain.js';
export {
  AUDIT_CHAIN_DOMAIN,
  AUDIT_CHAIN_GENESIS,
  computeAuditHash,
  verifyAuditChain,
} from './audit-chain.js';
export type { AccessErrorCode } from './errors.js';
export { AccessError } from './errors.js';
export { requireGrantable, requireOrganisationAdmin, requireWithinTeams } from './grant.js';
export type { Caller, Principal } from './principal.js';
export { inScope, samePerson } from './principal.js';
export { requireOrganisationWide, requirePermission } from './require-permission.js';
export type { Permission, Role } from './roles.js';
export { can, isRole, permissionsOf, ROLES } from './roles.js';
export { requireSecondPerson } from './second-person.js';
