import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  approveException,
  listExceptionViews,
  requestException,
  revokeException,
  StoredAdmissionGovernance,
  setNamespaceConfig,
} from '../../../../src/app/admission/governance/index.js';
import { BACKENDS, freshServices, type TestServices } from '../../../helpers/store.js';
import { auditActions, callerFor, count } from './callers.js';

const T0 = new Date('2026-12-01T12:00:00Z');
const inDays = (d: number) => new Date(T0.getTime() + d * 86_400_000);

for (const backend of BACKENDS) {
  describe(`admission exceptions (${backend})`, () => {
    let s: TestServices;
    let now = T0;
    let requester: Awaited<ReturnType<typeof callerFor>>;
    let requesterAsApprover: Awaited<ReturnType<typeof callerFor>>;
    let owner: Awaited<ReturnType<typeof callerFor>>;
    let ownerOrgWide: Awaited<ReturnType<typeof callerFor>>;
    let security: Awaited<ReturnType<typeof callerFor>>;
    let otherTeamApprover: Awaited<ReturnType<typeof callerFor>>;
    before(async () => {
      s = await freshServices(backend, () => now);
      const admin = await callerFor(s, 'admin', 'ada');
      await setNamespaceConfig(s, admin, '*', 'web', { mode: 'enforce', team: 'shop' });
      requester = await callerFor(s, 'publisher', 'Alice', ['shop']);
      // The requester's second token, an approver one: still the requester.
      requesterAsApprover = await callerFor(s, 'approver', 'alice', undefined);
      owner = await callerFor(s, 'approver', 'Bob', ['shop']);
      ownerOrgWide = await callerFor(s, 'approver', 'bob', undefined);
      security = await callerFor(s, 'approver', 'Carol', undefined);
      otherTeamApprover = await callerFor(s, 'approver', 'Dan', ['other']);
    });
    after(async () => s.close());

    const ask = (days = 7) =>
      requestException(s, requester, {
        namespace: 'web',
        imagePattern: 'ghcr.io/acme/*',
        ticket: 'INC-1',
        reasons: ['unsigned'],
        expiresAt: inDays(days).toISOString(),
      });

    it('becomes active with the service owner and security, and stops applying by itself at its expiry', async () => {
      const g = new StoredAdmissionGovernance(s);
      const e = await ask(7);
      assert.equal(e.state, 'pending');
      assert.equal(e.team, 'shop');
      assert.deepEqual(await g.activeExceptions('web', now), []);
      const one = await approveException(s, owner, Number(e.id));
      assert.equal(one.approvals[0]?.side, 'service-owner');
      assert.deepEqual(await g.activeExceptions('web', now), []);
      const both = await approveException(s, security, Number(e.id));
      assert.equal(both.state, 'active');
      const active = await g.activeExceptions('web', now);
      assert.deepEqual(
        active.map((x) => x.id),
        [e.id],
      );
      assert.deepEqual(active[0]?.reasons, ['unsigned']);
      // A moment before the expiry it applies; at and after it, it does not — with no job run,
      // and from the cache filled before.
      assert.equal((await g.activeExceptions('web', new Date(inDays(7).getTime() - 1))).length, 1);
      assert.deepEqual(await g.activeExceptions('web', inDays(7)), []);
      assert.deepEqual(await g.activeExceptions('web', inDays(8)), []);
      // And a fresh reader asked later agrees.
      assert.deepEqual(
        await new StoredAdmissionGovernance(s).activeExceptions('web', inDays(8)),
        [],
      );
      assert.deepEqual(await g.activeExceptions('other', now), []);
      now = inDays(8);
      assert.equal((await listExceptionViews(s, security, { state: 'expired' }))[0]?.id, e.id);
      now = T0;
      assert.deepEqual(await auditActions(s, 'admission.exception'), [
        'admission.exception.request',
        'admission.exception.approve',
        'admission.exception.approve',
      ]);
    });

    it('refuses the requester as approver (another token of the same person too), leaving no row', async () => {
      const e = await ask();
      const approvals = await count(s, 'admission_exception_approvals');
      await assert.rejects(approveException(s, requesterAsApprover, Number(e.id)), {
        code: 'AUTH_SAME_PERSON',
      });
      assert.equal(await count(s, 'admission_exception_approvals'), approvals);
    });

    it('refuses a team-scoped approver as security and one of another team as service owner', async () => {
      const e = await ask();
      await assert.rejects(approveException(s, owner, Number(e.id), 'security'), {
        code: 'ADMISSION_APPROVER_FORBIDDEN',
      });
      await assert.rejects(approveException(s, otherTeamApprover, Number(e.id)), {
        code: 'ADMISSION_EXCEPTION_NOT_FOUND',
      });
      await assert.rejects(approveException(s, security, Number(e.id), 'service-owner'), {
        code: 'ADMISSION_APPROVER_FORBIDDEN',
      });
    });

    it('refuses one person giving both approvals, whichever tokens they use', async () => {
      const e = await ask();
      await approveException(s, owner, Number(e.id));
      const approvals = await count(s, 'admission_exception_approvals');
      await assert.rejects(approveException(s, ownerOrgWide, Number(e.id)), {
        code: 'AUTH_SAME_PERSON',
      });
      await assert.rejects(approveException(s, owner, Number(e.id)), {
        code: 'ADMISSION_EXCEPTION_CONFLICT',
      });
      assert.equal(await count(s, 'admission_exception_approvals'), approvals);
    });

    it('refuses publishers and admins as approvers', async () => {
      const e = await ask();
      const admin = await callerFor(s, 'admin', 'Eve');
      await assert.rejects(approveException(s, admin, Number(e.id)), { code: 'AUTH_FORBIDDEN' });
    });

    it('stops applying once revoked', async () => {
      const g = new StoredAdmissionGovernance(s);
      const e = await ask();
      await approveException(s, owner, Number(e.id));
      await approveException(s, security, Number(e.id));
      assert.ok((await g.activeExceptions('web', now)).some((x) => x.id === e.id));
      const gen = g.generation();
      const r = await revokeException(s, requester, Number(e.id), 'fixed');
      assert.equal(r.state, 'revoked');
      assert.ok(!(await g.activeExceptions('web', now)).some((x) => x.id === e.id));
      assert.notEqual(g.generation(), gen);
      await assert.rejects(revokeException(s, requester, Number(e.id)), {
        code: 'ADMISSION_EXCEPTION_CONFLICT',
      });
      await assert.rejects(approveException(s, owner, Number(e.id)), {
        code: 'ADMISSION_EXCEPTION_CONFLICT',
      });
    });

    it('refuses requests for a namespace without a team, another team, or beyond 30 days, leaving no row', async () => {
      const rows = await count(s, 'admission_exceptions');
      const base = { imagePattern: 'x/y', ticket: 'T', expiresAt: inDays(1).toISOString() };
      await assert.rejects(requestException(s, requester, { ...base, namespace: 'unowned' }), {
        code: 'ADMISSION_EXCEPTION_INVALID',
      });
      const otherPublisher = await callerFor(s, 'publisher', 'Fay', ['other']);
      await assert.rejects(requestException(s, otherPublisher, { ...base, namespace: 'web' }), {
        code: 'AUTH_FORBIDDEN',
      });
      await assert.rejects(
        requestException(s, requester, {
          ...base,
          namespace: 'web',
          expiresAt: inDays(31).toISOString(),
        }),
        { code: 'ADMISSION_EXCEPTION_INVALID' },
      );
      assert.equal(await count(s, 'admission_exceptions'), rows);
    });
  });
}
