import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
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
  push,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';
import { freshServices } from '../helpers/store.js';

/**
 * VEX and findings in the service (issue 12), through a real server on SQLite and PostgreSQL:
 * an approved not_affected or fixed statement closes the findings it covers (vex_not_affected
 * does not count as remediation; vex_fixed does), a revised analysis reopens them (same finding,
 * opened time kept), re-matching does not reopen them, each finding shows its VEX status; and
 * KEV/EPSS loads revise the statements naming their CVEs as the system (seed 001's versioning).
 */

const CDXGEN = conformancePath('lockfiles', 'npm', 'cdxgen__cdxgen.package-lock.v3.json');
const NPM_OSV = conformancePath('osv', 'npm');
/** Critical, CVE-2023-45133: @babel/traverse < 7.23.2 (the SBOM has 7.21.5). */
const BABEL = 'GHSA-67hx-6x53-jw92';
/** Moderate, CVE-2022-25883: semver (the SBOM has 5.7.1, 6.3.0, 7.5.0). */
const SEMVER = 'GHSA-c2qf-rxjj-qqgw';
const SEMVER_CVE = 'CVE-2022-25883';
/** Log4Shell: in the real KEV catalogue of the conformance data. */
const LOG4SHELL = 'CVE-2021-44228';
const DAY_MS = 86_400_000;

// biome-ignore lint/suspicious/noExplicitAny: API answers are poked at freely
type Json = any;

const osv = (id: string): Json => JSON.parse(readFileSync(`${NPM_OSV}/${id}.json`, 'utf8'));

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

async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const backend of BACKENDS) {
  describe(`VEX settles findings; feeds revise statements (${backend})`, () => {
    let srv: TestServer;
    let now = new Date('2026-11-01T00:00:00Z');
    let admin: string;
    let alice: string;
    let bob: string;
    let sbom: string;

    /** The findings of an advisory in one product, open and closed. */
    const findings = async (id: string, product: string): Promise<Json[]> => {
      const a = await call(srv, 'GET', `/api/v1/vulnerabilities?id=${id}&state=all`, {
        token: admin,
      });
      assert.equal(a.status, 200, a.text.slice(0, 300));
      return ((a.json.items[0]?.affected ?? []) as Json[]).filter((f) => f.product === product);
    };
    const one = async (id: string, product: string): Promise<Json> => {
      const list = await findings(id, product);
      assert.equal(list.length, 1, JSON.stringify(list));
      return list[0];
    };
    const statementOf = async (product: string, vulnerability: string): Promise<Json> =>
      until(`the system's statement on ${vulnerability} in ${product}`, async () => {
        const r = await call(srv, 'GET', `/api/v1/vex/${product}/statements`, { token: bob });
        return (r.json.items as Json[]).find((x) => x.vulnerability === vulnerability);
      });
    const act = async (id: number, what: string, token: string, body?: unknown) => {
      const r = await call(srv, 'POST', `/api/v1/vex-statements/${id}/${what}`, {
        token,
        ...(body !== undefined ? { body } : {}),
      });
      assert.equal(r.status, 200, r.text);
      return r.json as Json;
    };
    const history = async (id: number) =>
      (await call(srv, 'GET', `/api/v1/vex-statements/${id}`, { token: bob })).json as Json;
    const metric = async (name: string) => {
      // /metrics computes the figures at most once a second (wall time): wait that out.
      await new Promise((r) => setTimeout(r, 1100));
      const m = await call(srv, 'GET', '/metrics', { token: admin });
      const line = m.text.split('\n').find((l) => l.startsWith(`${name} `));
      return line === undefined ? undefined : Number(line.split(' ').pop());
    };

    before(async () => {
      srv = await startVulnServer(backend, () => now);
      admin = await tokenFor(srv.services, 'admin');
      alice = await tokenFor(srv.services, 'publisher', ['web'], 'alice@example.com');
      bob = await tokenFor(srv.services, 'approver', ['web'], 'bob@example.com');
      sbom = (await generateSbom(CDXGEN, { deterministic: true })).text;
      const a = await call(srv, 'POST', '/api/v1/advisories', {
        token: admin,
        body: [osv(BABEL), osv(SEMVER)],
      });
      assert.equal(a.status, 201, a.text);
      for (const product of ['shop', 'portal']) {
        const p = await push(srv, alice, sbom, { product, release: '1.0.0', team: 'web' });
        assert.equal(p.status, 201, p.text.slice(0, 300));
      }
      for (const product of ['shop', 'portal'])
        for (const id of [BABEL, SEMVER])
          await until(`${id} in ${product}`, async () => (await findings(id, product))[0]);
    });
    after(() => srv?.close());

    it('approved not_affected closes the product’s findings (vex_not_affected, not remediation); the other product’s stay open', async () => {
      const st = await statementOf('shop', BABEL);
      now = new Date(now.getTime() + DAY_MS);
      await act(st.id, 'transition', alice, {
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impactStatement: 'shop never compiles untrusted code with babel',
      });
      const waiting = await one(BABEL, 'shop');
      assert.equal(waiting.closedAt, null, 'a judgment waiting for approval settles nothing');
      assert.equal(waiting.vex.status, 'not_affected');
      assert.equal(waiting.vex.needsApproval, true);
      await act(st.id, 'approve', bob);
      const closed = await one(BABEL, 'shop');
      assert.equal(closed.closedAt, now.toISOString());
      assert.equal(closed.closeReason, 'vex_not_affected');
      assert.deepEqual(closed.vex, {
        statement: st.id,
        status: 'not_affected',
        version: 2,
        needsApproval: false,
      });
      const other = await one(BABEL, 'portal');
      assert.equal(other.closedAt, null);
      assert.equal(other.vex.status, 'under_investigation');
      assert.equal(await metric('custody_vuln_mttr_findings'), 0, 'not_affected is no remediation');
    });

    it('re-matching (a changed advisory) does not reopen a finding VEX closed', async () => {
      const r = osv(BABEL);
      r.modified = '2026-10-30T00:00:00Z';
      r.summary = `${r.summary} (revised)`;
      const a = await call(srv, 'POST', '/api/v1/advisories', { token: admin, body: r });
      assert.equal(a.status, 201, a.text);
      await until('version 2 matched', async () => {
        const d = await call(srv, 'GET', `/api/v1/vulnerabilities/${BABEL}`, { token: admin });
        return d.json.history[1]?.affectedReadyAt ? d : undefined;
      });
      const list = await findings(BABEL, 'shop');
      assert.equal(list.length, 1, 'no new finding row');
      assert.equal(list[0].closeReason, 'vex_not_affected');
    });

    it('analysis revised (not_affected → affected) reopens the same finding, opened time kept; then fixed closes it as remediation', async () => {
      const st = await statementOf('shop', BABEL);
      const before = await one(BABEL, 'shop');
      now = new Date(now.getTime() + DAY_MS);
      await act(st.id, 'transition', alice, {
        status: 'affected',
        actionStatement: 'Upgrade @babel/traverse to 7.23.2',
      });
      const reopened = await one(BABEL, 'shop');
      assert.equal(reopened.finding, before.finding, 'the same finding');
      assert.equal(reopened.closedAt, null);
      assert.equal(reopened.closeReason, null);
      assert.equal(reopened.openedAt, '2026-11-01T00:00:00.000Z');
      assert.equal(reopened.vex.status, 'affected');

      now = new Date(now.getTime() + DAY_MS);
      await act(st.id, 'transition', alice, { status: 'fixed' });
      assert.equal(
        (await one(BABEL, 'shop')).closedAt,
        null,
        'an unproven fixed waits for approval',
      );
      await act(st.id, 'approve', bob);
      const fixed = await one(BABEL, 'shop');
      assert.equal(fixed.closeReason, 'vex_fixed');
      assert.equal(fixed.closedAt, now.toISOString());
      assert.equal(await metric('custody_vuln_mttr_findings'), 1);
      assert.equal(await metric('custody_vuln_mttr_seconds_sum'), 3 * 86_400, 'from first opening');
    });

    it('a statement naming the advisory by its CVE alias settles the finding', async () => {
      const d = await call(srv, 'POST', '/api/v1/vex/portal/statements', {
        token: alice,
        body: { vulnerability: SEMVER_CVE, releases: ['1.0.0'], components: ['pkg:npm/semver'] },
      });
      assert.equal(d.status, 201, d.text);
      await act(d.json.id, 'transition', alice, {
        status: 'not_affected',
        justification: 'vulnerable_code_not_present',
      });
      await act(d.json.id, 'approve', bob);
      const f = await one(SEMVER, 'portal');
      assert.equal(f.closeReason, 'vex_not_affected');
      assert.equal(f.vex.statement, d.json.id);
      assert.equal((await one(SEMVER, 'shop')).closedAt, null, 'another product is untouched');
    });

    it('a confidential statement settles nothing and shows on no finding until it is disclosed', async () => {
      const carol = await tokenFor(srv.services, 'approver', ['web'], 'carol@example.com');
      const d = await call(srv, 'POST', '/api/v1/vex/shop/statements', {
        token: carol,
        body: {
          vulnerability: SEMVER_CVE,
          releases: ['1.0.0'],
          components: ['pkg:npm/semver'],
          confidential: true,
        },
      });
      assert.equal(d.status, 201, d.text);
      await act(d.json.id, 'transition', carol, {
        status: 'not_affected',
        justification: 'vulnerable_code_not_present',
      });
      await act(d.json.id, 'approve', bob);
      const hidden = await one(SEMVER, 'shop');
      assert.equal(hidden.closedAt, null);
      assert.notEqual(hidden.vex?.statement, d.json.id);
      now = new Date(now.getTime() + DAY_MS);
      await act(d.json.id, 'disclose', bob);
      const f = await one(SEMVER, 'shop');
      assert.equal(f.closeReason, 'vex_not_affected');
      assert.equal(f.closedAt, now.toISOString());
      assert.equal(f.vex.statement, d.json.id);
    });

    it('a KEV load newly listing a CVE makes a new version of the statement naming it, as the system, in its trail; loading it again does not', async () => {
      const d = await call(srv, 'POST', '/api/v1/vex/shop/statements', {
        token: alice,
        body: {
          vulnerability: LOG4SHELL,
          releases: ['1.0.0'],
          components: ['pkg:maven/org.apache.logging.log4j/log4j-core'],
        },
      });
      assert.equal(d.status, 201, d.text);
      assert.equal(d.json.version, 1);
      const kev = readFileSync(
        conformancePath('advisories', 'kev', 'known_exploited_vulnerabilities.json'),
      );
      const load = () =>
        call(srv, 'PUT', '/api/v1/feeds/kev', {
          token: admin,
          body: kev,
          contentType: 'application/json',
        });
      now = new Date(now.getTime() + DAY_MS);
      const k = await load();
      assert.equal(k.status, 200, k.text.slice(0, 300));
      assert.ok(k.json.vexStatementsRevised >= 1);
      const h = await history(d.json.id);
      assert.equal(h.version, 2);
      assert.equal(h.statement.intel.kev, true);
      assert.equal(h.draftedBy, 'system');
      assert.deepEqual(
        h.trail
          .filter((t: Json) => t.field === 'intel.kev')
          .map((t: Json) => [t.kind, t.by, t.version]),
        [['substantive', 'system', 2]],
      );
      assert.equal((await load()).status, 200);
      assert.equal((await history(d.json.id)).version, 2, 'the same listing is no new information');
      // CISA removing an entry is no new information about the product: nothing changes.
      const catalogue = JSON.parse(kev.toString('utf8')) as {
        vulnerabilities: Json[];
        count: number;
      };
      catalogue.vulnerabilities = catalogue.vulnerabilities.filter((v) => v.cveID !== LOG4SHELL);
      catalogue.count = catalogue.vulnerabilities.length;
      const removed = await call(srv, 'PUT', '/api/v1/feeds/kev', {
        token: admin,
        body: JSON.stringify(catalogue),
        contentType: 'application/json',
      });
      assert.equal(removed.status, 200, removed.text.slice(0, 300));
      assert.equal(removed.json.vexStatementsRevised, 0);
      const after = await history(d.json.id);
      assert.equal(after.version, 2, 'a KEV removal makes no new version');
      assert.equal(after.statement.intel.kev, true, 'the version keeps what it stated');
    });

    it('EPSS: a move of 0.05 makes no new version, a move of 0.1 does (from the score the version states)', async () => {
      const st = (
        (await call(srv, 'GET', '/api/v1/vex/shop/statements', { token: bob })).json.items as Json[]
      ).find((x) => x.vulnerability === LOG4SHELL);
      const epss = async (score: string) => {
        const e = await call(srv, 'PUT', '/api/v1/feeds/epss', {
          token: admin,
          body: `cve,epss,percentile\n${LOG4SHELL},${score},0.9\n`,
          contentType: 'text/csv',
        });
        assert.equal(e.status, 200, e.text);
        return (await history(st.id)) as Json;
      };
      const first = await epss('0.2');
      assert.equal(first.version, 3, 'from no score to 0.2');
      assert.equal(first.statement.intel.epss, 0.2);
      const small = await epss('0.25');
      assert.equal(small.version, 3, 'a move of 0.05 is no new version');
      assert.equal(small.statement.intel.epss, 0.2, 'the version keeps the score it states');
      const big = await epss('0.3');
      assert.equal(big.version, 4, '0.2 → 0.3 is a move of 0.1');
      assert.equal(big.statement.intel.epss, 0.3);
      assert.ok(
        big.trail.some(
          (t: Json) => t.field === 'intel.epss' && t.kind === 'substantive' && t.version === 4,
        ),
      );
    });
  });
}
