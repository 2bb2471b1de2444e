import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AccessError, type Caller, type Role } from '../../src/access/index.js';
import { auditDecision, auditTrail } from '../../src/app/audit-trail.js';
import { CLI_CALLER } from '../../src/app/tokens.js';
import { expectCustodyErrorAsync } from '../helpers/expect-error.js';
import { BACKENDS, freshServices, type TestServices } from '../helpers/store.js';

const who = (role: Role, person: string, id = 1): Caller => ({
  principal: { actor: `token:${id}:${person}`, person, role, teams: ['a'] },
  source: '192.0.2.1',
});

const AT = '2026-03-01T12:00:00.000Z';
const decision = {
  action: 'vex.approve',
  target: 'vex:1',
  team: 'a',
  details: { status: 'not_affected' },
};

for (const backend of BACKENDS) {
  describe(`auditDecision: a decision names both people (${backend})`, () => {
    let s: TestServices;
    beforeEach(async () => {
      s = await freshServices(backend);
    });
    afterEach(() => s.close());

    /** What the trail holds for decisions, both people included. */
    const decisions = async () =>
      (await auditTrail(s, CLI_CALLER, { action: 'vex.approve' })).items.map((e) => ({
        person: e.person,
        role: e.role,
        details: e.details,
      }));

    it('records the decider as the row and the requester beside it', async () => {
      await s.db.kysely
        .transaction()
        .execute((trx) => auditDecision(trx, who('approver', 'bob'), 'alice', decision, AT));
      assert.deepEqual(await decisions(), [
        {
          person: 'bob',
          role: 'approver',
          details: { status: 'not_affected', requestedBy: 'alice', decidedBy: 'bob' },
        },
      ]);
    });

    it('refuses one person deciding alone, even with a second token, and records nothing', async () => {
      const requester = who('publisher', 'Alice', 2);
      const e = await expectCustodyErrorAsync(
        () =>
          s.db.kysely
            .transaction()
            .execute((trx) =>
              auditDecision(trx, who('approver', 'alice', 3), requester.principal, decision, AT),
            ),
        AccessError,
        'AUTH_SAME_PERSON',
      );
      assert.match(e.message, /another person must decide/);
      assert.deepEqual(await decisions(), []);
    });

    it('refuses an admin: admins grant roles, approvers decide', async () => {
      await expectCustodyErrorAsync(
        () =>
          s.db.kysely
            .transaction()
            .execute((trx) => auditDecision(trx, who('admin', 'root'), 'alice', decision, AT)),
        AccessError,
        'AUTH_FORBIDDEN',
      );
      assert.deepEqual(await decisions(), []);
    });
  });
}
