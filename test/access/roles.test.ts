import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  can,
  inScope,
  isRole,
  type Permission,
  permissionsOf,
  ROLES,
  type Role,
} from '../../src/access/index.js';

const PERMISSIONS: Permission[] = [
  'inventory:read',
  'inventory:write',
  'decision:write',
  'audit:read',
  'tlog:append',
  'admin',
];

// The whole table, written out: a change to a role's grants must change this test too.
const TABLE: Record<Role, Permission[]> = {
  // No decision:write: an admin grants roles, an approver decides (separation of duties).
  admin: ['inventory:read', 'inventory:write', 'audit:read', 'tlog:append', 'admin'],
  publisher: ['inventory:read', 'inventory:write', 'tlog:append'],
  approver: ['inventory:read', 'decision:write'],
  auditor: ['inventory:read', 'audit:read'],
  viewer: ['inventory:read'],
};

describe('roles', () => {
  it('the five roles', () => {
    assert.deepEqual([...ROLES], ['admin', 'publisher', 'approver', 'auditor', 'viewer']);
    for (const r of ROLES) assert.equal(isRole(r), true);
    for (const r of ['Admin', 'root', '', 'publisher ']) assert.equal(isRole(r), false);
  });

  for (const role of ROLES) {
    it(`${role}: ${TABLE[role].join(', ')}`, () => {
      for (const p of PERMISSIONS)
        assert.equal(can(role, p), TABLE[role].includes(p), `${role} ${p}`);
      assert.deepEqual([...permissionsOf(role)].sort(), [...TABLE[role]].sort());
    });
  }

  it('only the approver decides: no other role holds decision:write', () => {
    assert.deepEqual(
      ROLES.filter((r) => can(r, 'decision:write')),
      ['approver'],
    );
  });

  it('inScope: organisation-wide sees every team, a scoped principal only its own', () => {
    assert.equal(
      inScope({ actor: 'a', person: 'a', role: 'viewer', teams: undefined }, 'web'),
      true,
    );
    assert.equal(inScope({ actor: 'a', person: 'a', role: 'viewer', teams: ['web'] }, 'web'), true);
    assert.equal(inScope({ actor: 'a', person: 'a', role: 'admin', teams: ['web'] }, 'ops'), false);
    assert.equal(inScope({ actor: 'a', person: 'a', role: 'admin', teams: [] }, 'ops'), false);
  });
});
