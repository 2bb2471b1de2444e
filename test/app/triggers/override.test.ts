import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BACKENDS, call } from '../../helpers/server.js';
import { startTriggerServer, type TriggerServer } from './harness.js';

for (const backend of BACKENDS) {
  describe(`POST /api/v1/events/{id}/override (${backend})`, { timeout: 60_000 }, () => {
    let srv: TriggerServer;
    let pub: string;
    let approver: string;
    let auditor: string;
    const report = async (body: object) => {
      const r = await call(srv, 'POST', '/api/v1/events', { token: pub, body });
      assert.equal(r.status, 201, r.text);
      return r.json;
    };
    before(async () => {
      // No executors: decided actions stay pending, as obligations do until they are met.
      srv = await startTriggerServer(backend);
      pub = await srv.token('publisher', ['a'], 'pat');
      approver = await srv.token('approver', ['a'], 'alex');
      auditor = await srv.token('auditor');
    });
    after(() => srv.close());

    it("lets the team's publisher skip an SBOM obligation, with a reason, audited", async () => {
      const e = await report({ kind: 'release', product: 'shop', version: '3.0.0' });
      const r = await call(srv, 'POST', `/api/v1/events/${e.id}/override`, {
        token: pub,
        body: { target: 'sbom', mode: 'skip', reason: 'rebuilt from the same lockfile' },
      });
      assert.equal(r.status, 200, r.text);
      const sbom = r.json.actions.find((a: { target: string }) => a.target === 'sbom');
      assert.equal(sbom.state, 'skipped');
      assert.equal(r.json.overrides.length, 1);
      assert.equal(r.json.overrides[0].reason, 'rebuilt from the same lockfile');
      assert.equal(r.json.overrides[0].person, 'pat');
      const audit = await call(srv, 'GET', '/api/v1/audit?action=event.skip', { token: auditor });
      assert.equal(audit.json.items[0].target, `event:${e.id}`);
      assert.equal(audit.json.items[0].details.reason, 'rebuilt from the same lockfile');
      const again = await call(srv, 'POST', `/api/v1/events/${e.id}/override`, {
        token: pub,
        body: { target: 'sbom', mode: 'skip', reason: 'twice' },
      });
      assert.equal(again.status, 409);
      assert.equal(again.json.error.code, 'EVENT_OVERRIDE_CONFLICT');
    });

    it('leaves VEX overrides to approvers', async () => {
      const e = await report({ kind: 'cve', product: 'shop', message: 'CVE-2026-0002' });
      const byPublisher = await call(srv, 'POST', `/api/v1/events/${e.id}/override`, {
        token: pub,
        body: { target: 'vex', mode: 'skip', reason: 'not ours' },
      });
      assert.equal(byPublisher.status, 403);
      const byApprover = await call(srv, 'POST', `/api/v1/events/${e.id}/override`, {
        token: approver,
        body: { target: 'vex', mode: 'skip', reason: 'duplicate of CVE-2026-0001' },
      });
      assert.equal(byApprover.status, 200, byApprover.text);
      assert.equal(byApprover.json.actions[0].state, 'skipped');
      const sbomByApprover = await call(srv, 'POST', `/api/v1/events/${e.id}/override`, {
        token: approver,
        body: { target: 'sbom', mode: 'force', reason: 'x' },
      });
      assert.equal(sbomByApprover.status, 403);
    });

    it('forces an action the decision did not ask for, as a new pending action', async () => {
      const e = await report({ kind: 'docs', product: 'shop', message: 'docs only?' });
      const r = await call(srv, 'POST', `/api/v1/events/${e.id}/override`, {
        token: pub,
        body: { target: 'sbom', mode: 'force', reason: 'the docs build vendors a library' },
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.actions.length, 1);
      assert.equal(r.json.actions[0].origin, 'override');
      assert.equal(r.json.actions[0].state, 'pending');
      assert.equal(r.json.actions[0].action, 'forced');
      const twice = await call(srv, 'POST', `/api/v1/events/${e.id}/override`, {
        token: pub,
        body: { target: 'sbom', mode: 'force', reason: 'again' },
      });
      assert.equal(twice.status, 409);
    });

    it('needs a reason, and hides other teams’ events', async () => {
      const e = await report({ kind: 'lockfile', product: 'shop', version: '3.0.1' });
      const blank = await call(srv, 'POST', `/api/v1/events/${e.id}/override`, {
        token: pub,
        body: { target: 'sbom', mode: 'skip', reason: '   ' },
      });
      assert.equal(blank.status, 400);
      assert.equal(blank.json.error.code, 'EVENT_INVALID');
      const missing = await call(srv, 'POST', `/api/v1/events/${e.id}/override`, {
        token: pub,
        body: { target: 'sbom', mode: 'skip' },
      });
      assert.equal(missing.status, 400);
      const other = await call(srv, 'POST', `/api/v1/events/${e.id}/override`, {
        token: await srv.token('publisher', ['b']),
        body: { target: 'sbom', mode: 'skip', reason: 'not mine' },
      });
      assert.equal(other.status, 404);
      const still = await call(srv, 'GET', `/api/v1/events/${e.id}`, { token: pub });
      assert.equal(still.json.actions[0].state, 'pending');
      assert.deepEqual(still.json.overrides, []);
    });
  });
}
