import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { conformancePath } from '../../helpers/conformance.js';
import { BACKENDS, call } from '../../helpers/server.js';
import { startTriggerServer, type TriggerServer } from './harness.js';

const TEAM_SECRET = 'team-a-inbound-secret-0001';
const GLOBAL_SECRET = 'service-wide-inbound-secret-01';
/** GitHub's own push payload (a new branch, with a head commit and its message). */
const PUSH = readFileSync(
  conformancePath('webhooks', 'github', 'push', 'with-new-branch.payload.json'),
);

function sign(secret: string, body: Uint8Array | string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

async function events(srv: TriggerServer): Promise<number> {
  const r = await sql<{ n: number | string }>`select count(*) as n from trigger_events`.execute(
    srv.services.db.kysely,
  );
  return Number(r.rows[0]?.n ?? 0);
}

for (const backend of BACKENDS) {
  describe(`inbound webhooks (${backend})`, { timeout: 60_000 }, () => {
    let srv: TriggerServer;
    let viewer: string;
    before(async () => {
      srv = await startTriggerServer(backend, { webhookSecret: GLOBAL_SECRET });
      const admin = await srv.token('admin');
      const r = await call(srv, 'PUT', '/api/v1/teams/a/webhook-secret', {
        token: admin,
        body: { secret: TEAM_SECRET },
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.inboundSecret, true);
      assert.ok(!r.text.includes(TEAM_SECRET));
      viewer = await srv.token('viewer', ['a']);
    });
    after(() => srv.close());

    const github = (body: Uint8Array | string, signature: string | undefined, delivery: string) =>
      call(srv, 'POST', '/api/v1/webhooks/github?team=a', {
        body,
        contentType: 'application/json',
        headers: {
          'x-github-event': 'push',
          'x-github-delivery': delivery,
          ...(signature !== undefined ? { 'x-hub-signature-256': signature } : {}),
        },
      });

    it('takes a GitHub push signed with the team secret, with the commit message as context', async () => {
      const r = await github(PUSH, sign(TEAM_SECRET, PUSH), 'gh-delivery-1');
      assert.equal(r.status, 201, r.text);
      const [e] = r.json.items;
      assert.equal(e.source, 'github');
      assert.equal(e.team, 'a');
      assert.equal(e.product, 'Hello-World');
      assert.equal(e.context, 'Initial commit');
      assert.deepEqual(e.decision, { rule: 'push', actions: [] });
      const list = await call(srv, 'GET', '/api/v1/events?source=github', { token: viewer });
      assert.equal(list.json.items.length, 1);
    });

    it('acts once on a redelivery (same X-GitHub-Delivery): 200, the first record', async () => {
      const before = await events(srv);
      const r = await github(PUSH, sign(TEAM_SECRET, PUSH), 'gh-delivery-1');
      assert.equal(r.status, 200);
      assert.equal(await events(srv), before);
    });

    it('checks the signature before reading the body: a bad one is 401 even for non-JSON, and nothing is stored or parsed', async () => {
      const before = await events(srv);
      const parses = srv.engine.webhookParses;
      const garbage = '{ this is not JSON';
      for (const sig of [undefined, sign('wrong-secret-wrong-secret', garbage), 'sha256=00']) {
        const r = await github(garbage, sig, 'gh-delivery-bad');
        assert.equal(r.status, 401, r.text);
        assert.equal(r.json.error.code, 'WEBHOOK_SIGNATURE_INVALID');
      }
      // A valid body signed with another secret, and a signed body altered by one byte.
      const forged = await github(PUSH, sign('another-team-secret-xyz', PUSH), 'gh-delivery-2');
      assert.equal(forged.status, 401);
      const altered = Buffer.from(PUSH);
      altered.writeUInt8((altered.at(-2) as number) ^ 1, altered.length - 2);
      const tampered = await github(altered, sign(TEAM_SECRET, PUSH), 'gh-delivery-3');
      assert.equal(tampered.status, 401);
      assert.equal(await events(srv), before);
      assert.equal(srv.engine.webhookParses, parses, 'the engine never saw a refused payload');
      // Signed correctly, the same garbage is refused as bad input, after the check.
      const signedGarbage = await github(garbage, sign(TEAM_SECRET, garbage), 'gh-delivery-4');
      assert.equal(signedGarbage.status, 400);
      assert.equal(signedGarbage.json.error.code, 'EVENT_INVALID');
    });

    it('refuses a team without a secret (401 WEBHOOK_NOT_CONFIGURED), and uses the service secret without ?team', async () => {
      const r = await call(srv, 'POST', '/api/v1/webhooks/github?team=b', {
        body: PUSH,
        contentType: 'application/json',
        headers: { 'x-github-event': 'push', 'x-hub-signature-256': sign(TEAM_SECRET, PUSH) },
      });
      assert.equal(r.status, 401);
      assert.equal(r.json.error.code, 'WEBHOOK_NOT_CONFIGURED');
      const release = JSON.stringify({ action: 'published', repository: { name: 'shop' } });
      const g = await call(srv, 'POST', '/api/v1/webhooks/github', {
        body: release,
        contentType: 'application/json',
        headers: {
          'x-github-event': 'release',
          'x-github-delivery': 'gh-global-1',
          'x-hub-signature-256': sign(GLOBAL_SECRET, release),
        },
      });
      // Signed with the service secret, but the product is unknown and no team is named.
      assert.equal(g.status, 400);
      assert.equal(g.json.error.code, 'EVENT_INVALID');
    });

    it('takes a GitLab tag push whose X-Gitlab-Token is the team secret, and refuses a wrong token', async () => {
      const body = JSON.stringify({ object_kind: 'tag_push', project: { name: 'shop' } });
      const ok = await call(srv, 'POST', '/api/v1/webhooks/gitlab?team=a', {
        body,
        contentType: 'application/json',
        headers: { 'x-gitlab-token': TEAM_SECRET, 'x-gitlab-event-uuid': 'gl-1' },
      });
      assert.equal(ok.status, 201, ok.text);
      assert.equal(ok.json.items[0].kind, 'release');
      assert.equal(ok.json.items[0].actions.length, 2);
      const bad = await call(srv, 'POST', '/api/v1/webhooks/gitlab?team=a', {
        body,
        contentType: 'application/json',
        headers: { 'x-gitlab-token': `${TEAM_SECRET}x`, 'x-gitlab-event-uuid': 'gl-2' },
      });
      assert.equal(bad.status, 401);
      assert.equal(bad.json.error.code, 'WEBHOOK_SIGNATURE_INVALID');
    });
  });
}
