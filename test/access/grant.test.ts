import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AccessError,
  type Principal,
  ROLES,
  type Role,
  requireGrantable,
  requireOrganisationAdmin,
  requireSecondPerson,
  requireWithinTeams,
} from '../../src/access/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';

const who = (role: Role, teams?: string[], person = `${role}-person`): Principal => ({
  actor: `token:1:${person}`,
  person,
  role,
  teams,
});

const refused = (fn: () => void, code = 'AUTH_FORBIDDEN') =>
  expectCustodyError(fn, AccessError, code);

describe('requireGrantable: a caller grants only what it holds', () => {
  it('an organisation-wide admin grants every role, organisation-wide or to any teams', () => {
    for (const role of ROLES) {
      requireGrantable(who('admin'), { role, teams: undefined });
      requireGrantable(who('admin'), { role, teams: ['a', 'b'] });
    }
  });

  it('a team-scoped admin grants roles within its own to its own teams', () => {
    const admin = who('admin', ['a', 'b']);
    for (const role of ['admin', 'publisher', 'auditor', 'viewer'] as const) {
      requireGrantable(admin, { role, teams: ['a'] });
      requireGrantable(admin, { role, teams: ['b', 'a'] });
    }
  });

  it('never organisation-wide, never another team, never a role it does not hold', () => {
    const admin = who('admin', ['a']);
    // The probe of issue 11: a team admin asking for an organisation-wide admin token.
    refused(() => requireGrantable(admin, { role: 'admin', teams: undefined }));
    refused(() => requireGrantable(admin, { role: 'viewer', teams: [] }));
    refused(() => requireGrantable(admin, { role: 'viewer', teams: ['b'] }));
    refused(() => requireGrantable(admin, { role: 'viewer', teams: ['a', 'b'] }));
    // approver holds decision:write, which no admin holds.
    const e = refused(() => requireGrantable(admin, { role: 'approver', teams: ['a'] }));
    assert.deepEqual(e.details?.['beyond'], ['decision:write']);
  });

  it('a team-scoped caller with fewer permissions than the role it asks for is refused', () => {
    // Whoever calls this has passed requirePermission('admin'); the rule itself is by permission.
    refused(() => requireGrantable(who('publisher', ['a']), { role: 'auditor', teams: ['a'] }));
    requireGrantable(who('publisher', ['a']), { role: 'viewer', teams: ['a'] });
  });
});

describe('requireWithinTeams', () => {
  it('organisation-wide callers hold every team; scoped ones only theirs', () => {
    requireWithinTeams(who('admin'), undefined, 'x');
    requireWithinTeams(who('admin'), ['z'], 'x');
    requireWithinTeams(who('admin', ['a', 'b']), ['b'], 'x');
    refused(() => requireWithinTeams(who('admin', ['a']), undefined, 'x'));
    refused(() => requireWithinTeams(who('admin', ['a']), [], 'x'));
    refused(() => requireWithinTeams(who('admin', ['a']), ['a', 'c'], 'x'));
    refused(() => requireWithinTeams(who('admin', []), ['a'], 'x'));
  });
});

describe('requireOrganisationAdmin', () => {
  it('an organisation-wide admin only', () => {
    requireOrganisationAdmin(who('admin'), 'create teams');
    refused(() => requireOrganisationAdmin(who('admin', ['a']), 'create teams'));
    refused(() => requireOrganisationAdmin(who('publisher'), 'create teams'));
    refused(() => requireOrganisationAdmin(who('auditor'), 'create teams'));
  });
});

describe('requireSecondPerson: a decision needs a second person', () => {
  it('an approver decides what another person asked for', () => {
    requireSecondPerson(who('approver', undefined, 'bob'), who('publisher', undefined, 'alice'));
    requireSecondPerson(who('approver', ['a'], 'bob'), 'alice');
  });

  it('the same person is refused with AUTH_SAME_PERSON, however the name is written', () => {
    const alice = who('approver', undefined, 'alice@example.com');
    for (const requester of [
      'alice@example.com',
      ' Alice@Example.com ',
      who('publisher', ['a'], 'ALICE@example.com'),
      // Two tokens of one person are one person: the actor differs, the person does not.
      { ...alice, actor: 'token:99:other-token' },
    ]) {
      const e = refused(() => requireSecondPerson(alice, requester), 'AUTH_SAME_PERSON');
      assert.match(e.message, /another person must decide/);
    }
  });

  it('only an approver decides: an admin (or any other role) is refused even for someone else', () => {
    for (const role of ROLES.filter((r) => r !== 'approver')) {
      refused(() => requireSecondPerson(who(role, undefined, 'bob'), 'alice'));
    }
  });
});
