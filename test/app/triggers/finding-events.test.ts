import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { generateSbom } from '../../../src/app/generate-sbom.js';
import { SEED_001_ENGINE } from '../../../src/app/triggers/index.js';
import { conformancePath } from '../../helpers/conformance.js';
import { BACKENDS, call, push } from '../../helpers/server.js';
import { startReceiver, startTriggerServer, type TriggerServer } from './harness.js';

/** A real npm v3 lockfile (cdxgen) with semver 5.7.1, 6.3.0 and 7.5.0. */
const CDXGEN = conformancePath('lockfiles', 'npm', 'cdxgen__cdxgen.package-lock.v3.json');
/** Moderate, CVE-2022-25883: semver < 5.7.2, 6.0.0–6.3.1, 7.0.0–7.5.2. */
const SEMVER = 'GHSA-c2qf-rxjj-qqgw';
const HOUR = 3_600_000;

// biome-ignore lint/suspicious/noExplicitAny: JSON answers
type Json = any;

async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Brief 4's "open tickets with affected service owners", as seed 001's "CVE published affecting
 * your components": findings the matcher opens become one `cve-published` event per team, product
 * and advisory, decided by the engine (draft under_investigation within the team's cveDraft
 * deadline), stored with its source `matcher`, and sent to the team's notification webhook.
 */
for (const backend of BACKENDS) {
  describe(`new findings raise cve-published events for their teams (${backend})`, {
    timeout: 120_000,
  }, () => {
    const now = Date.parse('2026-12-03T10:00:00.000Z');
    let srv: TriggerServer;
    let admin: string;
    let publisher: string;
    let receiver: Awaited<ReturnType<typeof startReceiver>>;
    before(async () => {
      srv = await startTriggerServer(backend, {
        engine: SEED_001_ENGINE,
        clock: () => new Date(now),
      });
      admin = await srv.token('admin');
      publisher = await srv.token('publisher', ['a']);
      receiver = await startReceiver('s3cret-s3cret-s3cret');
      const hook = await call(srv, 'PUT', '/api/v1/teams/a/notifications', {
        token: admin,
        body: { url: receiver.url, secret: 's3cret-s3cret-s3cret' },
      });
      assert.equal(hook.status, 200, hook.text);
    });
    after(async () => {
      await srv.close();
      await receiver.close();
    });

    const events = async () => {
      const r = await call(srv, 'GET', '/api/v1/events?kind=cve-published', { token: publisher });
      assert.equal(r.status, 200, r.text);
      return r.json.items as Json[];
    };

    it('an advisory matched against a pushed SBOM is an event with its decision and deadline, notified to the team', async () => {
      const sbom = (await generateSbom(CDXGEN, { deterministic: true })).text;
      for (const release of ['1.0.0', '1.1.0']) {
        const p = await push(srv, publisher, sbom.replace('"version": 1', `"version": 1 `), {
          product: 'shop',
          release,
          artifact: `sha256:${(release === '1.0.0' ? 'a' : 'b').repeat(64)}`,
        });
        assert.equal(p.status, 201, p.text);
      }
      const record = JSON.parse(
        readFileSync(conformancePath('osv', 'npm', `${SEMVER}.json`), 'utf8'),
      );
      const a = await call(srv, 'POST', '/api/v1/advisories', { token: admin, body: [record] });
      assert.equal(a.status, 201, a.text.slice(0, 300));

      const [e] = await until('the cve-published event', async () => {
        const items = await events();
        return items.length > 0 ? items : undefined;
      });
      assert.equal(e.source, 'matcher');
      assert.equal(e.product, 'shop');
      const vex = (e.actions as Json[]).find((x) => x.target === 'vex');
      assert.equal(vex?.action, 'draft-under-investigation');
      assert.equal(Date.parse(vex?.deadline), now + 48 * HOUR);
      assert.match(e.context, new RegExp(`${SEMVER} affects shop`));
      // The releases known affected when it is first reported (a job still matching the other
      // SBOM reports it later, to the same event).
      assert.match(e.context, /shop 1\.[01]\.0/);

      const note = await until('the notification', async () =>
        receiver.received.find((r) => r.body.includes(SEMVER)),
      );
      assert.equal(note.signatureOk, true);

      // The same advisory again (a re-ingest, a second SBOM) is no second event.
      const again = await call(srv, 'POST', '/api/v1/advisories', {
        token: admin,
        body: [{ ...record, modified: '2026-12-01T00:00:00Z', summary: 'changed' }],
      });
      assert.equal(again.status, 201, again.text.slice(0, 300));
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await events()).length, 1);
    });
  });
}
