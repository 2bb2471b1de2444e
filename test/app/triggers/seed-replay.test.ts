import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SEED_001_ENGINE } from '../../../src/app/triggers/index.js';
import { conformancePath, REPO_ROOT } from '../../helpers/conformance.js';
import { BACKENDS, call } from '../../helpers/server.js';
import { startTriggerServer, type TriggerServer } from './harness.js';

interface Row {
  table: string;
  row: string;
  event: Record<string, unknown> | null;
  expect: { rule?: string; sbom?: string; vex?: string; automation?: string } | null;
}

const ROWS = (
  JSON.parse(
    readFileSync(join(REPO_ROOT, 'test/fixtures/triggers/seed-001-rows.json'), 'utf8'),
  ) as { rows: Row[] }
).rows;

/**
 * Seed 001, every row of every table, replayed through `POST /api/v1/events` of a real server
 * with the service's own engine: each event is stored with the decision the seed asks for.
 */
for (const backend of BACKENDS) {
  describe(`seed 001 replayed through POST /api/v1/events (${backend})`, {
    timeout: 120_000,
  }, () => {
    let srv: TriggerServer;
    let token: string;
    before(async () => {
      srv = await startTriggerServer(backend, { engine: SEED_001_ENGINE });
      token = await srv.token('publisher', ['a']);
    });
    after(() => srv.close());

    for (const [i, r] of ROWS.entries()) {
      if (r.event === null || r.expect === null) continue;
      const { event, expect } = r as {
        event: Record<string, unknown>;
        expect: NonNullable<Row['expect']>;
      };
      it(`${r.table}: ${r.row}`, async () => {
        const body = { ...event, team: 'a', context: `row ${i}: ${r.row}`.slice(0, 500) };
        const res = await call(srv, 'POST', '/api/v1/events', { token, body });
        assert.equal(res.status, 201, res.text);
        const d = res.json.decision;
        if (expect.rule !== undefined) assert.equal(d.rule, expect.rule);
        if (expect.sbom !== undefined) assert.equal(d.sbom.action, expect.sbom);
        if (expect.vex !== undefined) assert.equal(d.vex.action, expect.vex);
        if (expect.automation !== undefined) assert.equal(d.automation.level, expect.automation);
        const targets = (res.json.actions as { target: string; action: string }[]).map(
          (a) => `${a.target}:${a.action}`,
        );
        if (expect.sbom !== undefined && expect.sbom !== 'none')
          assert.ok(targets.includes(`sbom:${expect.sbom}`), targets.join(', '));
        if (expect.vex !== undefined && expect.vex !== 'none')
          assert.ok(targets.includes(`vex:${expect.vex}`), targets.join(', '));
      });
    }

    it('the same row again acts once', async () => {
      const first = ROWS.find((r) => r.event !== null) as Row;
      const body = { ...first.event, team: 'a', context: 'row 0 again' };
      const a = await call(srv, 'POST', '/api/v1/events', { token, body });
      const b = await call(srv, 'POST', '/api/v1/events', { token, body });
      assert.equal(a.status, 201, a.text);
      assert.equal(b.status, 200, b.text);
      assert.equal(b.json.id, a.json.id);
    });
  });
}

/** GitHub's real release payload, signed, through the service's own engine. */
describe('a real GitHub release webhook, decided by seed 001 (sqlite)', { timeout: 60_000 }, () => {
  const secret = 'service-wide-inbound-secret-01';
  let srv: TriggerServer;
  before(async () => {
    srv = await startTriggerServer('sqlite', { engine: SEED_001_ENGINE });
    const set = await call(srv, 'PUT', '/api/v1/teams/a/webhook-secret', {
      token: await srv.token('admin'),
      body: { secret },
    });
    assert.equal(set.status, 200, set.text);
  });
  after(() => srv.close());

  it('becomes a release event with an SBOM obligation due 15 minutes after it arrived', async () => {
    const body = readFileSync(
      conformancePath('webhooks', 'github', 'release', 'published.payload.json'),
    );
    const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const r = await call(srv, 'POST', '/api/v1/webhooks/github?team=a', {
      body,
      contentType: 'application/json',
      headers: {
        'x-github-event': 'release',
        'x-github-delivery': 'gh-release-1',
        'x-hub-signature-256': signature,
      },
    });
    assert.equal(r.status, 201, r.text);
    const [e] = r.json.items;
    assert.equal(e.decision.eventKind, 'release');
    const sbom = e.actions.find((a: { target: string }) => a.target === 'sbom');
    assert.ok(sbom, JSON.stringify(e.actions));
    const due = Date.parse(sbom.deadline) - Date.parse(e.receivedAt ?? e.createdAt);
    assert.ok(due > 0 && due <= 15 * 60_000 + 1000, `due in ${due} ms`);
  });
});
