import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { generateSbom } from '../../src/app/generate-sbom.js';
import { createLogger } from '../../src/log/logger.js';
import { buildServer } from '../../src/server/app.js';
import { conformancePath } from '../helpers/conformance.js';
import {
  BACKENDS,
  type Backend,
  call,
  errorCode,
  push,
  snapshot,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';
import { freshServices } from '../helpers/store.js';

/** A real npm v3 lockfile (cdxgen): @babel/traverse 7.21.5, semver 5.7.1, 6.3.0 and 7.5.0, … */
const CDXGEN = conformancePath('lockfiles', 'npm', 'cdxgen__cdxgen.package-lock.v3.json');
const NPM_OSV = conformancePath('osv', 'npm');
/** Critical (CVSS 3.1 vector), CVE-2023-45133: @babel/traverse < 7.23.2. */
const BABEL = 'GHSA-67hx-6x53-jw92';
/** Moderate, CVE-2022-25883: semver < 5.7.2, 6.0.0–6.3.1, 7.0.0–7.5.2. */
const SEMVER = 'GHSA-c2qf-rxjj-qqgw';
const DAY_MS = 86_400_000;

// biome-ignore lint/suspicious/noExplicitAny: OSV records and API answers are poked at freely
type Json = any;

function osv(id: string): Json {
  return JSON.parse(readFileSync(`${NPM_OSV}/${id}.json`, 'utf8'));
}

/** A Custody server with the job queue on (matching runs as jobs). */
async function startVulnServer(backend: Backend, clock: () => Date): Promise<TestServer> {
  const services = await freshServices(backend, clock, {
    tlog: false,
    jobs: { pollMs: backend === 'sqlite' ? 50 : 500 },
  });
  const custody = await buildServer({
    services,
    logger: createLogger(process.env['CUSTODY_TEST_LOG'] ?? 'silent'),
    maxSbomBytes: 16 * 1024 * 1024,
    maxBodyBytes: 1024 * 1024,
  });
  await custody.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = custody.app.server.address() as AddressInfo;
  return {
    services,
    custody,
    base: `http://127.0.0.1:${port}`,
    async close() {
      await custody.app.close();
      await services.close();
    },
  };
}

/** Poll until `check` returns a value (the jobs run in the background). */
async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The generated SBOM with one component's version replaced (a dependency upgrade). */
function upgraded(sbom: string, purl: string, version: string): string {
  const doc = JSON.parse(sbom);
  let n = 0;
  for (const c of doc.components) {
    if (c.purl !== purl) continue;
    c.version = version;
    c.purl = `${purl.slice(0, purl.lastIndexOf('@'))}@${version}`;
    n++;
  }
  assert.equal(n, 1, `${purl} in the SBOM`);
  return JSON.stringify(doc, null, 2);
}

for (const backend of BACKENDS) {
  describe(`vulnerabilities in the service (${backend})`, () => {
    let srv: TestServer;
    let now = new Date('2026-11-01T00:00:00Z');
    let admin: string;
    let alpha: string;
    let betaViewer: string;
    let sbom: string;

    const vulns = async (token: string, query = '') => {
      const a = await call(srv, 'GET', `/api/v1/vulnerabilities${query}`, { token });
      assert.equal(a.status, 200, a.text.slice(0, 500));
      return a.json as Json;
    };
    const affectedOf = async (id: string, state = 'open') =>
      (await vulns(admin, `?id=${id}&state=${state}`)).items[0]?.affected as Json[] | undefined;

    before(async () => {
      srv = await startVulnServer(backend, () => now);
      admin = await tokenFor(srv.services, 'admin');
      alpha = await tokenFor(srv.services, 'publisher', ['alpha']);
      betaViewer = await tokenFor(srv.services, 'viewer', ['beta']);
      await tokenFor(srv.services, 'publisher', ['beta']); // creates team beta
      sbom = (await generateSbom(CDXGEN, { deterministic: true })).text;
    });
    after(() => srv.close());

    it('ingests the npm OSV records of the conformance data (201), then the same again (200, unchanged)', async () => {
      const records = readdirSync(NPM_OSV)
        .filter((f) => f.endsWith('.json'))
        .map((f) => JSON.parse(readFileSync(`${NPM_OSV}/${f}`, 'utf8')));
      assert.ok(records.length > 100);
      const a = await call(srv, 'POST', '/api/v1/advisories', { token: admin, body: records });
      assert.equal(a.status, 201, a.text.slice(0, 800));
      assert.equal(a.json.created, records.length);
      assert.equal(typeof a.json.matchJob, 'string');
      const again = await call(srv, 'POST', '/api/v1/advisories', { token: admin, body: records });
      assert.equal(again.status, 200);
      assert.equal(again.json.unchanged, records.length);
      assert.equal(again.json.matchJob, null);
    });

    it('a pushed SBOM is matched after its ingest: findings with release, component, fixed version and times', async () => {
      const p = await push(srv, alpha, sbom, { product: 'cdxgen', release: '1.0.0' });
      assert.equal(p.status, 201, p.text.slice(0, 500));
      const babel = await until('the SBOM matched', async () => {
        const [b] = (await affectedOf(BABEL)) ?? [];
        return b && (await affectedOf(SEMVER))?.[0] ? b : undefined;
      });
      assert.equal(babel.product, 'cdxgen');
      assert.equal(babel.release, '1.0.0');
      assert.equal(babel.team, 'alpha');
      assert.equal(babel.component, 'pkg:npm/%40babel/traverse@7.21.5');
      assert.equal(babel.fixed, '7.23.2');
      assert.equal(babel.severity.rating, 'critical');
      assert.ok(babel.severity.score >= 9);
      assert.equal(babel.openedAt, now.toISOString());
      assert.equal(babel.closedAt, null);
      // semver is there three times (5.7.1, 6.3.0, 7.5.0): one finding, every affected version.
      const [semver] = (await affectedOf(SEMVER)) ?? [];
      assert.deepEqual(semver.versions, ['5.7.1', '6.3.0', '7.5.0']);
      const list = await vulns(alpha, '?severity=critical');
      assert.ok(list.items.length >= 1);
      assert.ok(
        list.items.every((v: Json) =>
          v.affected.every((f: Json) => f.severity.rating === 'critical'),
        ),
      );
      const one = await call(srv, 'GET', `/api/v1/vulnerabilities/CVE-2023-45133`, {
        token: alpha,
      });
      assert.equal(one.status, 200);
      assert.equal(one.json.id, BABEL);
      assert.equal(one.json.history.length, 1);
      assert.ok(one.json.history[0].affectedReadyAt);
      // Seed 001's Pattern 2: the system drafted an under_investigation statement per advisory.
      const vex = await until('VEX drafted', async () => {
        const r = await call(srv, 'GET', '/api/v1/vex/cdxgen/statements', { token: alpha });
        const found = (r.json.items as Json[]).find((x: Json) => x.vulnerability === BABEL);
        return found;
      });
      assert.equal(vex.status, 'under_investigation');
    });

    it('a changed record keeps its history (modified, what changed) and updates the findings', async () => {
      now = new Date(now.getTime() + DAY_MS);
      const r = osv(BABEL);
      const before = r.modified;
      r.modified = '2026-10-30T00:00:00Z';
      for (const a of r.affected)
        for (const range of a.ranges)
          for (const e of range.events) if (e.fixed === '7.23.2') e.fixed = '7.23.3';
      r.aliases = [...r.aliases, 'CVE-2099-0001'];
      const a = await call(srv, 'POST', '/api/v1/advisories', { token: admin, body: r });
      assert.equal(a.status, 201, a.text);
      assert.equal(a.json.updated, 1);
      assert.equal(a.json.records[0].version, 2);
      const changes = a.json.records[0].changes;
      assert.equal(changes.previousModified, before);
      assert.deepEqual(changes.aliases, { added: ['CVE-2099-0001'], removed: [] });
      assert.ok(changes.ranges[0].after.some((x: string) => x.includes('fixed 7.23.3')));
      const one = await until('version 2 matched', async () => {
        const d = await call(srv, 'GET', `/api/v1/vulnerabilities/${BABEL}`, { token: admin });
        return d.json.history[1]?.affectedReadyAt ? d : undefined;
      });
      const [babel] = (await affectedOf(BABEL)) ?? [];
      assert.equal(babel.fixed, '7.23.3');
      assert.equal(babel.openedAt, '2026-11-01T00:00:00.000Z', 'still the same finding');
      assert.deepEqual(
        one.json.history.map((h: Json) => [h.version, h.modified]),
        [
          [1, before],
          [2, '2026-10-30T00:00:00Z'],
        ],
      );
      // An older version of the record is stale: not applied.
      const stale = await call(srv, 'POST', '/api/v1/advisories', {
        token: admin,
        body: osv(BABEL),
      });
      assert.equal(stale.json.stale, 1);
    });

    it('a new SBOM of the artifact without the vulnerable version closes the finding, with its time', async () => {
      now = new Date(now.getTime() + DAY_MS);
      const fixed = upgraded(sbom, 'pkg:npm/%40babel/traverse@7.21.5', '7.23.3');
      const p = await push(srv, alpha, fixed, { product: 'cdxgen', release: '1.0.0' });
      assert.equal(p.status, 201, p.text.slice(0, 500));
      assert.equal(p.json.sbom.version, 2);
      const closed = await until(
        'the finding closed',
        async () => (await affectedOf(BABEL, 'closed'))?.[0],
      );
      assert.equal(closed.closedAt, now.toISOString());
      assert.equal(closed.closeReason, 'fixed');
      assert.equal(await affectedOf(BABEL), undefined, 'no open finding left');
      // semver was not upgraded: its finding stays open, now seen in the new SBOM.
      const [semver] = (await affectedOf(SEMVER)) ?? [];
      assert.equal(semver.sbom, p.json.sbom.id);
      assert.equal(semver.openedAt, '2026-11-01T00:00:00.000Z');
    });

    it('/metrics: open findings by severity, MTTR of CVSS ≥ 7 with numerator and denominator, ingest → affected list', async () => {
      const m = await call(srv, 'GET', '/metrics', { token: admin });
      assert.equal(m.status, 200);
      const value = (name: string) => {
        const line = m.text
          .split('\n')
          .find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
        assert.ok(line, `${name} in /metrics`);
        return Number(line.split(' ').pop());
      };
      assert.equal(value('custody_vuln_mttr_findings'), 1);
      assert.equal(value('custody_vuln_mttr_seconds_sum'), 2 * 86_400);
      assert.equal(value('custody_vuln_mttr_seconds'), 2 * 86_400);
      assert.match(m.text, /custody_vuln_findings_open\{severity="medium"\} [1-9]/);
      assert.equal(value('custody_advisory_versions_pending_match'), 0);
      assert.ok(value('custody_advisory_affected_ready_seconds_count') > 100);
    });

    it('reads are team-scoped: another team sees no finding, and the advisory without affected releases', async () => {
      const list = await vulns(betaViewer);
      assert.deepEqual(list.items, []);
      const one = await call(srv, 'GET', `/api/v1/vulnerabilities/${SEMVER}`, {
        token: betaViewer,
      });
      assert.equal(one.status, 200);
      assert.deepEqual(one.json.affected, []);
      const mine = await call(srv, 'GET', `/api/v1/vulnerabilities/${SEMVER}`, { token: alpha });
      assert.equal(mine.json.affected.length, 1);
      const none = await call(srv, 'GET', '/api/v1/vulnerabilities/GHSA-0000-0000-0000', {
        token: alpha,
      });
      assert.equal(none.status, 404);
      assert.equal(errorCode(none), 'VULN_ADVISORY_NOT_FOUND');
    });

    it('KEV and EPSS load and show on the advisory by its CVE alias', async () => {
      const kev = readFileSync(
        conformancePath('advisories', 'kev', 'known_exploited_vulnerabilities.json'),
      );
      const k = await call(srv, 'PUT', '/api/v1/feeds/kev', {
        token: admin,
        body: kev,
        contentType: 'application/json',
      });
      assert.equal(k.status, 200, k.text.slice(0, 300));
      assert.ok(k.json.entries > 1000);
      const csv =
        '#model_version:v2025.03.14,score_date:2026-11-01T00:00:00+0000\ncve,epss,percentile\nCVE-2022-25883,0.00123,0.456\n';
      const e = await call(srv, 'PUT', '/api/v1/feeds/epss', {
        token: admin,
        body: csv,
        contentType: 'text/csv',
      });
      assert.equal(e.status, 200, e.text);
      const [semver] = (await vulns(alpha, `?id=${SEMVER}`)).items;
      assert.deepEqual(semver.epss, { cve: 'CVE-2022-25883', score: 0.00123, percentile: 0.456 });
    });

    it('bad input is refused with a code and nothing is stored', async () => {
      const before = await snapshot(srv.services);
      const good = osv(SEMVER);
      good.id = 'GHSA-aaaa-bbbb-cccc';
      const noModified = { ...osv(BABEL), id: 'GHSA-dddd-eeee-ffff' };
      delete noModified.modified;
      const unknownEcosystem = osv(SEMVER);
      unknownEcosystem.id = 'GHSA-gggg-hhhh-jjjj';
      unknownEcosystem.affected[0].package.ecosystem = 'NotAnEcosystem';
      const refused = await call(srv, 'POST', '/api/v1/advisories', {
        token: admin,
        body: [good, noModified, unknownEcosystem],
      });
      assert.equal(refused.status, 400, refused.text.slice(0, 300));
      assert.equal(errorCode(refused), 'OSV_RECORD_INVALID');
      assert.deepEqual(
        refused.json.error.details.refused.map((r: Json) => [r.index, r.code]),
        [
          [1, 'OSV_RECORD_INVALID'],
          [2, 'OSV_RECORD_INVALID'],
        ],
      );
      const cases: [string, string, string | Json, string, number, string][] = [
        ['not JSON', '/api/v1/advisories', '{"id":', 'application/json', 400, 'OSV_PARSE'],
        [
          'an empty batch',
          '/api/v1/advisories',
          '[]',
          'application/json',
          400,
          'VULN_NO_ADVISORIES',
        ],
        [
          'a duplicate id',
          '/api/v1/advisories',
          JSON.stringify([good, good]),
          'application/json',
          400,
          'OSV_RECORD_INVALID',
        ],
        [
          'XML',
          '/api/v1/advisories',
          '<x/>',
          'application/xml',
          415,
          'REQUEST_UNSUPPORTED_MEDIA_TYPE',
        ],
        [
          'a KEV file that breaks the schema',
          '/api/v1/feeds/kev',
          '{"title":"x"}',
          'application/json',
          400,
          'VULN_KEV_INVALID',
        ],
        [
          'an EPSS file with a score over 1',
          '/api/v1/feeds/epss',
          'cve,epss,percentile\nCVE-2022-25883,1.5,0.2\n',
          'text/csv',
          400,
          'VULN_EPSS_INVALID',
        ],
      ];
      for (const [what, path, body, type, status, code] of cases) {
        const method = path.includes('feeds') ? 'PUT' : 'POST';
        const a = await call(srv, method, path, {
          token: admin,
          body: typeof body === 'string' ? body : JSON.stringify(body),
          contentType: type,
        });
        assert.equal(a.status, status, `${what}: ${a.text.slice(0, 200)}`);
        assert.equal(errorCode(a), code, what);
      }
      const scoped = await call(srv, 'POST', '/api/v1/advisories', { token: alpha, body: good });
      assert.equal(scoped.status, 403);
      assert.equal(errorCode(scoped), 'AUTH_FORBIDDEN');
      const query = await call(srv, 'GET', '/api/v1/vulnerabilities?severity=urgent', {
        token: alpha,
      });
      assert.equal(errorCode(query), 'VULN_QUERY_INVALID');
      const after = await snapshot(srv.services);
      delete before['jobs'];
      delete after['jobs'];
      assert.deepEqual(after, before);
    });

    it('an advisory on a NuGet package finds it in SBOMs matched before it, whatever case the purl spells its name in', async () => {
      // NuGet names ignore case, NuGet purls keep it: the advisory says jquery, the SBOM jQuery.
      const bom = JSON.stringify({
        bomFormat: 'CycloneDX',
        specVersion: '1.6',
        version: 1,
        components: [
          {
            type: 'library',
            name: 'jQuery',
            version: '1.4.2',
            purl: 'pkg:nuget/jQuery@1.4.2',
            hashes: [{ alg: 'SHA-256', content: 'a1'.repeat(32) }],
          },
        ],
      });
      const p = await push(srv, alpha, bom, { product: 'nuget-web', release: '1.0.0' });
      assert.equal(p.status, 201, p.text.slice(0, 500));
      const sbomId = p.json.sbom.id as number;
      await until('the SBOM matched (before the advisory exists)', async () =>
        srv.services.db.read
          .selectFrom('vuln_sbom_scans')
          .select('sbom_id')
          .where('sbom_id', '=', sbomId)
          .executeTakeFirst(),
      );
      const id = 'GHSA-jqry-case-0001';
      const a = await call(srv, 'POST', '/api/v1/advisories', {
        token: admin,
        body: {
          schema_version: '1.6.0',
          id,
          modified: '2026-10-01T00:00:00Z',
          affected: [
            {
              package: { ecosystem: 'NuGet', name: 'jquery' },
              ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.5.0' }] }],
            },
          ],
        },
      });
      assert.equal(a.status, 201, a.text.slice(0, 500));
      const found = await until('the advisory matched', async () => (await affectedOf(id))?.[0]);
      assert.equal(found.product, 'nuget-web');
      assert.equal(found.component, 'pkg:nuget/jQuery@1.4.2');
      assert.equal(found.fixed, '3.5.0');
    });

    it('advisories changed in one batch close their findings each for its own reason, and leave the others', async () => {
      const jquery = (
        id: string,
        o: { fixed?: string; withdrawn?: string; modified?: string },
      ) => ({
        schema_version: '1.6.0',
        id,
        modified: o.modified ?? '2026-10-01T00:00:00Z',
        ...(o.withdrawn ? { withdrawn: o.withdrawn } : {}),
        affected: [
          {
            package: { ecosystem: 'NuGet', name: 'jquery' },
            ranges: [
              { type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: o.fixed ?? '3.5.0' }] },
            ],
          },
        ],
      });
      const [a, b] = ['GHSA-jqry-case-0002', 'GHSA-jqry-case-0003'];
      const first = await call(srv, 'POST', '/api/v1/advisories', {
        token: admin,
        body: [jquery(a, {}), jquery(b, {})],
      });
      assert.equal(first.json.created, 2, first.text.slice(0, 300));
      await until('both matched', async () =>
        (await affectedOf(a))?.[0] && (await affectedOf(b))?.[0] ? true : undefined,
      );
      now = new Date(now.getTime() + DAY_MS);
      const later = '2026-10-02T00:00:00Z';
      const second = await call(srv, 'POST', '/api/v1/advisories', {
        token: admin,
        body: [
          jquery(a, { modified: later, withdrawn: later }),
          jquery(b, { modified: later, fixed: '1.0.0' }),
        ],
      });
      assert.equal(second.json.updated, 2, second.text.slice(0, 300));
      const [wa, nb] = await until('both closed', async () => {
        const x = (await affectedOf(a, 'closed'))?.[0];
        const y = (await affectedOf(b, 'closed'))?.[0];
        return x && y ? [x, y] : undefined;
      });
      assert.equal(wa.closeReason, 'withdrawn');
      assert.equal(nb.closeReason, 'not_affected');
      assert.equal(wa.closedAt, now.toISOString());
      assert.equal(await affectedOf(a), undefined);
      assert.equal(await affectedOf(b), undefined);
      assert.equal((await affectedOf('GHSA-jqry-case-0001'))?.length, 1, 'another advisory: open');
    });
  });
}
