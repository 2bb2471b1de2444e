import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { generateSbom } from '../../src/app/generate-sbom.js';
import { createLogger } from '../../src/log/logger.js';
import { type Evidence, parseEvidence } from '../../src/policy/index.js';
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

/** A real npm v3 lockfile (cdxgen): @babel/traverse 7.21.5, semver 5.7.1, 6.3.0 and 7.5.0, … */
const CDXGEN = conformancePath('lockfiles', 'npm', 'cdxgen__cdxgen.package-lock.v3.json');
const NPM_OSV = conformancePath('osv', 'npm');
/** Critical, CVE-2023-45133: @babel/traverse < 7.23.2 (a fixed version is known). */
const BABEL = 'GHSA-67hx-6x53-jw92';
/** Moderate, CVE-2022-25883: semver. */
const SEMVER = 'GHSA-c2qf-rxjj-qqgw';
const ARTIFACT_HEX = 'c0'.repeat(32);

async function startJobsServer(backend: Backend): Promise<TestServer> {
  const services = await freshServices(backend, undefined, {
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

for (const backend of BACKENDS) {
  describe(`the evidence document from what the service stores (${backend})`, () => {
    let srv: TestServer;
    let admin: string;
    let alpha: string;
    let qualityScore: number;
    const evidence = async (): Promise<Evidence> => {
      const a = await call(srv, 'GET', `/api/v1/artifacts/sha256:${ARTIFACT_HEX}/evidence`, {
        token: alpha,
      });
      assert.equal(a.status, 200, a.text);
      return parseEvidence(a.json, 'answer');
    };
    const until = async (what: string, ok: (e: Evidence) => boolean): Promise<Evidence> => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const e = await evidence();
        if (ok(e)) return e;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };

    before(async () => {
      srv = await startJobsServer(backend);
      admin = await tokenFor(srv.services, 'admin');
      alpha = await tokenFor(srv.services, 'publisher', ['alpha']);
      const records = [BABEL, SEMVER].map((id) =>
        JSON.parse(readFileSync(`${NPM_OSV}/${id}.json`, 'utf8')),
      );
      const a = await call(srv, 'POST', '/api/v1/advisories', { token: admin, body: records });
      assert.equal(a.status, 201, a.text);
      // The SBOM names the artifact as its subject (CycloneDX metadata.component.hashes).
      const doc = JSON.parse((await generateSbom(CDXGEN, { deterministic: true })).text);
      doc.metadata.component.hashes = [{ alg: 'SHA-256', content: ARTIFACT_HEX }];
      const p = await push(srv, alpha, JSON.stringify(doc), {
        product: 'cdxgen',
        release: '1.0.0',
        team: 'alpha',
      });
      assert.equal(p.status, 201, p.text.slice(0, 500));
      assert.equal(p.json.sbom.artifact, `sha256:${ARTIFACT_HEX}`);
      qualityScore = p.json.sbom.qualityScore;
    });
    after(() => srv.close());

    it('holds the filing, the SBOM facts and its subject match', async () => {
      const e = await evidence();
      assert.deepEqual(
        [e.artifact.team, e.artifact.product, e.artifact.release],
        ['alpha', 'cdxgen', '1.0.0'],
      );
      assert.equal(e.sbom.present, true);
      assert.equal(e.sbom.subjectMatchesArtifact, true);
      assert.equal(e.sbom.format, 'cyclonedx');
      assert.ok(e.sbom.components > 100);
      // A lockfile records no licences: every component counts as without one.
      assert.equal(e.sbom.noAssertion, e.sbom.components);
      assert.equal(e.sbom.quality.score, qualityScore);
      assert.ok(e.sbom.quality.score <= 10);
      assert.deepEqual([...e.sbom.licenses].sort(), e.sbom.licenses);
      assert.ok(e.sbom.quality.failures.length > 0);
      assert.deepEqual(e.provenance, []);
      assert.equal(e.commit.signed, false);
    });

    it('counts open findings by severity, fixable ones and KEV; a VEX statement answers a critical one', async () => {
      const e = await until('the SBOM matched', (x) => x.vulnerabilities.open.critical > 0);
      assert.ok(e.vulnerabilities.open.medium >= 1, JSON.stringify(e.vulnerabilities));
      assert.ok(e.vulnerabilities.fixable >= 2);
      assert.equal(e.vulnerabilities.kev, 0);
      assert.ok(e.vex.unanswered.critical <= e.vulnerabilities.open.critical);

      // CISA's real catalogue, its first entry renamed to the Babel CVE.
      const kev = JSON.parse(
        readFileSync(
          conformancePath('advisories', 'kev', 'known_exploited_vulnerabilities.json'),
          'utf8',
        ),
      );
      kev.vulnerabilities = [{ ...kev.vulnerabilities[0], cveID: 'CVE-2023-45133' }];
      kev.count = 1;
      const k = await call(srv, 'PUT', '/api/v1/feeds/kev', { token: admin, body: kev });
      assert.equal(k.status, 200, k.text.slice(0, 300));
      const withKev = await evidence();
      assert.equal(withKev.vulnerabilities.kev, withKev.vulnerabilities.open.critical);

      // Findings get an under_investigation draft of their own (the vulnerability workflow);
      // once it is there, no critical finding is unanswered, and statements are counted by status.
      const drafted = await until('the drafts', (x) => x.vex.statements.under_investigation >= 2);
      assert.equal(drafted.vex.unanswered.critical, 0);
      const listed = await call(srv, 'GET', '/api/v1/vex/cdxgen/statements', { token: alpha });
      const items = (listed.json.items ?? listed.json) as { status: string }[];
      const total = Object.values(drafted.vex.statements).reduce((a, b) => a + b, 0);
      assert.equal(total, items.length);
    });
  });
}
