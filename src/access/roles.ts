/**
 * Who may do what. Roles are fixed and named after what people do with the service; a token also
 * carries the teams it may see (none means organisation-wide).
 */
export const ROLES = ['admin', 'publisher', 'approver', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  /** read products, releases, SBOMs, components, portfolio figures, metrics */
  | 'inventory:read'
  /** push SBOMs; create products and releases in one's teams; record rebuilds and deployments */
  | 'inventory:write'
  /** decide: VEX statements, exceptions, emergency certificates (approvers only, never admins) */
  | 'decision:write'
  /** read the audit trail */
  | 'audit:read'
  /** append to the transparency log, when a deployment requires a token for appends */
  | 'tlog:append'
  /** teams, gate policies, tokens */
  | 'admin';

/**
 * Separation of duties (Brief 3): `admin` grants roles but decides nothing, so no one token both
 * makes an approver and approves; a decision is an approver's, and needs a second person
 * (`requireSecondPerson`).
 */
const GRANTS: Readonly<Record<Role, readonly Permission[]>> = {
  admin: ['inventory:read', 'inventory:write', 'audit:read', 'tlog:append', 'admin'],
  publisher: ['inventory:read', 'inventory:write', 'tlog:append'],
  approver: ['inventory:read', 'decision:write'],
  auditor: ['inventory:read', 'audit:read'],
  viewer: ['inventory:read'],
};

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** The permissions a role holds. */
export function permissionsOf(role: Role): readonly Permission[] {
  return GRANTS[role];
}
