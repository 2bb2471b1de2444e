import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SEED_001_ENGINE } from '../../../src/app/triggers/index.js';
import { BACKENDS, call, push, sbomFixtures } from '../../helpers/server.js';
import { startTriggerServer, type TriggerServer } from './harness.js';

interface Action {
  target: string;
  state: string;
  deadline: string | null;
  doneAt: string | null;
  late: boolean;
}

const MINUTE = 60_000;

/**
 * Who generates: a release event leaves an SBOM obligation (a pending `sbom` action due 15
 * minutes later) that a push of an SBOM for that product version meets; one not met by its
 * deadline is overdue in the API and in /metrics, and a push after it meets it late.
 */
for (const backend of BACKENDS) {
  describe(`SBOM obligations met by pushes (${backend})`, { timeout: 120_000 }, () => {
    let now = Date.parse('2026-12-03T10:00:00.000Z');
    let srv: TriggerServer;
    let token: string;
    let scraper: string;
    let sbom: string;
    before(async () => {
      srv = await startTriggerServer(backend, {
        engine: SEED_001_ENGINE,
        clock: () => new Date(now),
      });
      token = await srv.token('publisher', ['a']);
      scraper = await srv.token('viewer');
      sbom = (await sbomFixtures()).demo;
    });
    after(() => srv.close());

    const release = async (version: string) => {
      const body = {
        kind: 'release',
        at: new Date(now).toISOString(),
        product: 'shop',
        team: 'a',
        version,
        previousVersion: '1.0.0',
      };
      const r = await call(srv, 'POST', '/api/v1/events', { token, body });
      assert.equal(r.status, 201, r.text);
      return r.json as { id: number; actions: Action[] };
    };
    const sbomAction = async (id: number): Promise<Action> => {
      const r = await call(srv, 'GET', `/api/v1/events/${id}`, { token });
      assert.equal(r.status, 200, r.text);
      const a = (r.json.actions as Action[]).find((x) => x.target === 'sbom');
      assert.ok(a, r.text);
      return a;
    };
    const overdueIds = async () => {
      const r = await call(srv, 'GET', '/api/v1/events?overdue=true', { token });
      assert.equal(r.status, 200, r.text);
      return (r.json.items as { id: number }[]).map((e) => e.id);
    };
    const overdueGauge = async () => {
      const r = await call(srv, 'GET', '/metrics', { token: scraper });
      assert.equal(r.status, 200, r.text);
      const line = r.text.split('\n').find((l) => l.startsWith('custody_trigger_actions_overdue'));
      assert.ok(line, 'custody_trigger_actions_overdue is exported');
      return Number(line.split(' ').pop());
    };

    it('a release leaves a pending sbom action that a push for that version meets', async () => {
      const e = await release('1.0.1');
      const pending = await sbomAction(e.id);
      assert.equal(pending.state, 'pending');
      assert.equal(Date.parse(pending.deadline ?? ''), now + 15 * MINUTE);
      now += 5 * MINUTE;
      const p = await push(srv, token, sbom, { product: 'shop', release: '1.0.1' });
      assert.equal(p.status, 201, p.text);
      assert.deepEqual(p.json.obligationsMet, [
        { event: e.id, action: p.json.obligationsMet[0]?.action, late: false },
      ]);
      const done = await sbomAction(e.id);
      assert.equal(done.state, 'done');
      assert.equal(done.doneAt, new Date(now).toISOString());
      assert.equal(done.late, false);
      assert.deepEqual(await overdueIds(), []);
      // The response time of the SBOM action (event → push) is in /metrics: 5 minutes.
      const m = await call(srv, 'GET', '/metrics', { token: scraper });
      const sum = m.text
        .split('\n')
        .find((l) => l.startsWith('custody_trigger_response_seconds_sum{target="sbom"}'));
      assert.equal(Number(sum?.split(' ').pop()), 300, sum);
    });

    it('a push for another version meets nothing; past the deadline it is overdue, then met late', async () => {
      const e = await release('1.0.2');
      const other = await push(srv, token, sbom, { product: 'shop', release: '1.0.3' });
      assert.equal(other.status, 201, other.text);
      assert.equal((await sbomAction(e.id)).state, 'pending');
      assert.deepEqual(await overdueIds(), []);
      assert.equal(await overdueGauge(), 0);

      now += 20 * MINUTE;
      assert.deepEqual(await overdueIds(), [e.id]);
      assert.equal(await overdueGauge(), 1);

      const p = await push(srv, token, sbom, { product: 'shop', release: 'v1.0.2' });
      assert.equal(p.status, 201, p.text);
      const met = await sbomAction(e.id);
      assert.equal(met.state, 'done');
      assert.equal(met.late, true);
      assert.deepEqual(await overdueIds(), []);
      assert.equal(await overdueGauge(), 0);
    });

    it('an SBOM pushed before the event (CI pushed, then tagged) meets it on arrival', async () => {
      const commit = 'a1'.repeat(20);
      const p = await push(srv, token, sbom, { product: 'shop', release: '2.0.0', commit });
      assert.equal(p.status, 201, p.text);
      now += MINUTE;
      const e = await release('v2.0.0');
      const met = e.actions.find((a) => a.target === 'sbom');
      assert.equal(met?.state, 'done', JSON.stringify(e.actions));
      assert.equal(met?.doneAt, new Date(now).toISOString());
      assert.equal(met?.late, false);
      // By commit alone, under another version name.
      const byCommit = await call(srv, 'POST', '/api/v1/events', {
        token,
        body: {
          kind: 'lockfile-change',
          at: new Date(now).toISOString(),
          product: 'shop',
          team: 'a',
          commit: commit.toUpperCase(),
          onReleaseBranch: true,
          lockfiles: ['package-lock.json'],
        },
      });
      assert.equal(byCommit.status, 201, byCommit.text);
      const lock = (byCommit.json.actions as Action[]).find((a) => a.target === 'sbom');
      assert.equal(lock?.state, 'done', byCommit.text);
    });

    it("a rebuild is not met by the version's earlier SBOM, only by a push after it", async () => {
      const p = await push(srv, token, sbom, { product: 'shop', release: '3.0.0' });
      assert.equal(p.status, 201, p.text);
      now += MINUTE;
      const r = await call(srv, 'POST', '/api/v1/events', {
        token,
        body: {
          kind: 'release',
          at: new Date(now).toISOString(),
          product: 'shop',
          team: 'a',
          version: '3.0.0',
          rebuild: true,
        },
      });
      assert.equal(r.status, 201, r.text);
      const id = r.json.id as number;
      assert.equal((await sbomAction(id)).state, 'pending');
      now += MINUTE;
      const again = await push(srv, token, sbom.replace('"version"', '"version" '), {
        product: 'shop',
        release: '3.0.0',
      });
      assert.equal(again.status, 201, again.text);
      assert.equal((await sbomAction(id)).state, 'done');
    });
  });
}
