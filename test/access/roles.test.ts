import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { can, inScope, isRole, type Permission, ROLES, type Role } from '../../src/access/index.js';

const PERMISSIONS: Permission[] = [
  'inventory:read',
  'inventory:write',
  'decision:write',
  'audit:read',
  'admin',
];

// The whole table, written out: a change to a role's grants must change this test too.
const TABLE: Record<Role, Permission[]> = {
  admin: ['inventory:read', 'inventory:write', 'decision:write', 'audit:read', 'admin'],
  publisher: ['inventory:read', 'inventory:write'],
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
    });
  }

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
