import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { generateSbom } from '../../src/app/generate-sbom.js';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { conformancePath, REPO_ROOT } from '../helpers/conformance.js';
import { BACKENDS, call, push, startServer, type TestServer, tokenFor } from '../helpers/server.js';

const DAY_MS = 86_400_000;

/** A real npm v1 lockfile (x-tag): 571 packages, 374 of them only ever bundled (no integrity), none with a licence. */
const XTAG = conformancePath('lockfiles', 'npm', 'cdxgen__x-tag.package-lock.v1.json');
/** A real npm v3 lockfile (cdxgen): every package has an integrity, none a licence. */
const CDXGEN = conformancePath('lockfiles', 'npm', 'cdxgen__cdxgen.package-lock.v3.json');

interface FollowUp {
  check: string;
  component: string;
  purl: string | null;
  message: string;
  openedAt: string;
  ageDays: number;
  slaDays: number;
  dueAt: string;
  overdue: boolean;
  resolution: string | null;
  product: string;
  team: string;
}

async function cli(argv: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd: REPO_ROOT,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

for (const backend of BACKENDS) {
  describe(`follow-ups: the default gate passes a real npm project with warnings (${backend})`, () => {
    let srv: TestServer;
    let now = new Date('2026-11-01T00:00:00Z');
    let alpha: string;
    let beta: string;
    let admin: string;
    let xtag: { text: string; components: number };
    let sbomId: number;

    before(async () => {
      srv = await startServer(backend, { clock: () => now });
      alpha = await tokenFor(srv.services, 'publisher', ['alpha']);
      beta = await tokenFor(srv.services, 'viewer', ['beta']);
      admin = await tokenFor(srv.services, 'admin');
      const g = await generateSbom(XTAG, { deterministic: true });
      xtag = { text: g.text, components: g.document.components.length };
    });
    after(() => srv.close());

    it('push under the default gate: 201, warnings listed, follow-ups stored', async () => {
      assert.equal(xtag.components, 571);
      const a = await push(srv, alpha, xtag.text, { product: 'x-tag', release: '1.0.0' });
      assert.equal(a.status, 201, a.text.slice(0, 600));
      sbomId = a.json.sbom.id;
      assert.equal(a.json.gate.passed, true);
      assert.deepEqual(a.json.gate.failures, []);
      const warnings = a.json.gate.warnings as { check: string; components: unknown[] }[];
      assert.deepEqual(
        warnings.map((w) => [w.check, w.components.length]),
        [
          ['integrity.hash', 374],
          ['licensing.valid-spdx', 571],
        ],
      );
      assert.deepEqual(a.json.followUps, {
        open: 945,
        overdue: 0,
        slaDays: 30,
        list: `/api/v1/follow-ups?sbom=${sbomId}`,
      });
    });

    it('GET /api/v1/follow-ups lists them with age, SLA and due date', async () => {
      const a = await call(srv, 'GET', `/api/v1/follow-ups?sbom=${sbomId}&limit=1000`, {
        token: alpha,
      });
      assert.equal(a.status, 200, a.text.slice(0, 400));
      assert.equal(a.json.open, 945);
      assert.equal(a.json.overdue, 0);
      const items = a.json.items as FollowUp[];
      assert.equal(items.length, 945);
      assert.equal(a.json.nextCursor, null);
      const hash = items.filter((f) => f.check === 'integrity.hash');
      assert.equal(hash.length, 374);
      assert.ok(hash.some((f) => f.component === 'abbrev@1.1.1'));
      assert.match(hash[0]?.message ?? '', /bundled in another package/);
      for (const f of items) {
        assert.equal(f.openedAt, '2026-11-01T00:00:00.000Z');
        assert.equal(f.dueAt, '2026-12-01T00:00:00.000Z');
        assert.equal(f.ageDays, 0);
        assert.equal(f.slaDays, 30);
        assert.equal(f.overdue, false);
        assert.equal(f.product, 'x-tag');
        assert.equal(f.team, 'alpha');
      }
      // Pages by cursor, and filters by check.
      const page = await call(srv, 'GET', '/api/v1/follow-ups?limit=500', { token: alpha });
      assert.equal(page.json.items.length, 500);
      const next = await call(
        srv,
        'GET',
        `/api/v1/follow-ups?limit=500&cursor=${page.json.nextCursor}`,
        {
          token: alpha,
        },
      );
      assert.equal(next.json.items.length, 445);
      const byCheck = await call(srv, 'GET', '/api/v1/follow-ups?check=integrity.hash&limit=1000', {
        token: alpha,
      });
      assert.equal(byCheck.json.items.length, 374);
    });

    it('is team-scoped, and refuses malformed parameters', async () => {
      const other = await call(srv, 'GET', '/api/v1/follow-ups', { token: beta });
      assert.equal(other.status, 200);
      assert.deepEqual([other.json.open, other.json.items.length], [0, 0]);
      for (const q of ['limit=1e2', 'limit=0', 'sbom=-1', 'state=later', 'cursor=x']) {
        const bad = await call(srv, 'GET', `/api/v1/follow-ups?${q}`, { token: alpha });
        assert.equal(bad.status, 400, q);
      }
    });

    it('past the SLA they are overdue, in the API and /metrics', async () => {
      now = new Date(now.getTime() + 31 * DAY_MS);
      const a = await call(srv, 'GET', '/api/v1/follow-ups?state=overdue&limit=5', {
        token: alpha,
      });
      assert.equal(a.json.overdue, 945);
      const items = a.json.items as FollowUp[];
      assert.equal(items.length, 5);
      for (const f of items) assert.deepEqual([f.overdue, f.ageDays], [true, 31]);
      const m = await call(srv, 'GET', '/metrics', { token: admin });
      assert.equal(m.status, 200);
      assert.match(m.text, /^custody_follow_ups_open 945$/m);
      assert.match(m.text, /^custody_follow_ups_overdue 945$/m);
    });

    it('the next SBOM version carries the open ones (their age runs on) and closes the fixed', async () => {
      const doc = JSON.parse(xtag.text) as {
        components: { name: string; licenses?: unknown[] }[];
      };
      const fixed = doc.components.find((c) => c.name === 'abbrev');
      assert.ok(fixed);
      fixed.licenses = [{ license: { id: 'ISC' } }];
      const a = await push(srv, alpha, JSON.stringify(doc), { product: 'x-tag', release: '1.0.0' });
      assert.equal(a.status, 201, a.text.slice(0, 400));
      assert.equal(a.json.sbom.supersedes, sbomId);
      assert.equal(a.json.followUps.open, 944);
      assert.equal(a.json.followUps.overdue, 944);
      const all = await call(srv, 'GET', `/api/v1/follow-ups?state=all&sbom=${sbomId}&limit=1000`, {
        token: alpha,
      });
      const old = all.json.items as FollowUp[];
      assert.equal(old.filter((f) => f.resolution === 'carried').length, 944);
      const gone = old.filter((f) => f.resolution === 'fixed');
      assert.deepEqual(
        gone.map((f) => [f.check, f.component]),
        [['licensing.valid-spdx', 'abbrev@1.1.1']],
      );
      const current = await call(srv, 'GET', '/api/v1/follow-ups?limit=1', { token: alpha });
      assert.equal(current.json.open, 944);
      assert.equal((current.json.items as FollowUp[])[0]?.openedAt, '2026-11-01T00:00:00.000Z');
    });

    it("a team gate's followUpSlaDays sets the SLA; the push output lists the warnings", async () => {
      const put = await call(srv, 'PUT', '/api/v1/teams/alpha/gate-policy', {
        token: admin,
        contentType: 'application/yaml',
        body: 'require: [ntia.version, integrity.source-hash]\nwarn: [licensing.valid-spdx]\nfollowUpSlaDays: 60\n',
      });
      assert.equal(put.status, 200, put.text);
      const g = await generateSbom(CDXGEN, { deterministic: true });
      const file = join(mkdtempSync(join(tmpdir(), 'custody-follow-')), 'cdxgen.cdx.json');
      writeFileSync(file, g.text);
      const env = { CUSTODY_URL: srv.base, CUSTODY_TOKEN: alpha };
      const json = await cli(
        ['push', 'sbom', file, '--product', 'cdxgen', '--release', '1.0.0', '--json'],
        env,
      );
      assert.equal(json.code, 0, json.stderr);
      const [o] = JSON.parse(json.stdout) as {
        ok: boolean;
        warnings: { check: string; components: unknown[] }[];
        followUps: { open: number; slaDays: number };
      }[];
      assert.ok(o?.ok);
      assert.deepEqual(
        o.warnings.map((w) => w.check),
        ['licensing.valid-spdx'],
      );
      const n = g.document.components.length;
      assert.equal(o.warnings[0]?.components.length, n);
      assert.deepEqual([o.followUps.open, o.followUps.slaDays], [n, 60]);
      const listed = await call(srv, 'GET', '/api/v1/follow-ups?product=cdxgen&limit=1', {
        token: alpha,
      });
      const f = (listed.json.items as FollowUp[])[0];
      assert.equal(f?.slaDays, 60);
      assert.equal(Date.parse(f?.dueAt ?? '') - Date.parse(f?.openedAt ?? ''), 60 * DAY_MS);
      // Text: the push line on stdout, then the warnings and the follow-ups opened.
      const again = await cli(
        ['push', 'sbom', file, '--product', 'cdxgen', '--release', '1.0.0'],
        env,
      );
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /^already stored {2}/);
      assert.match(again.stdout, /due within 60 days; they did not block the push/);
      assert.match(
        again.stdout,
        new RegExp(`^ {2}! licensing\\.valid-spdx: ${n} components to follow up`, 'm'),
      );
      assert.match(
        again.stdout,
        new RegExp(`^ {2}${n} follow-up\\(s\\) open: GET /api/v1/follow-ups\\?sbom=\\d+$`, 'm'),
      );
    });

    it('a purl that is not a purl is reported: blocked alone, a warning beside a CPE', async () => {
      const doc = JSON.parse(xtag.text) as {
        components: { purl?: string; name: string; cpe?: string }[];
      };
      const c = doc.components.find((x) => x.name === 'abbrev');
      assert.ok(c);
      c.purl = 'npm/abbrev@1.1.1';
      // Under the default gate (alpha's was changed above).
      const gamma = await tokenFor(srv.services, 'publisher', ['gamma']);
      // Its only identifier identifies nothing: ambiguous identity, which the default gate blocks.
      const refused = await push(srv, gamma, JSON.stringify(doc), {
        product: 'bad-purl',
        release: '1',
      });
      assert.equal(refused.status, 422, refused.text.slice(0, 400));
      const failures = refused.json.error.details.failures as {
        check: string;
        components: { label: string }[];
      }[];
      assert.deepEqual(
        failures.map((f) => [f.check, f.components.map((x) => x.label)]),
        [['ntia.unique-id', ['abbrev@1.1.1']]],
      );
      c.cpe = 'cpe:2.3:a:npm:abbrev:1.1.1:*:*:*:*:*:*:*';
      const a = await push(srv, gamma, JSON.stringify(doc), { product: 'bad-purl', release: '1' });
      assert.equal(a.status, 201, a.text.slice(0, 400));
      const vw = a.json.validation.warnings as { pointer: string; keyword: string }[];
      assert.equal(vw.length, 1);
      assert.equal(vw[0]?.keyword, 'purl');
      assert.match(vw[0]?.pointer ?? '', /^\/components\/\d+\/purl$/);
      const w = (a.json.gate.warnings as { check: string; components: { label: string }[] }[]).find(
        (x) => x.check === 'identification.valid-purl',
      );
      assert.deepEqual(
        w?.components.map((x) => x.label),
        ['abbrev@1.1.1'],
      );
    });
  });
}
