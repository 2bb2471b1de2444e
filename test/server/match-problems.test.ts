import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { conformancePath } from '../helpers/conformance.js';
import { BACKENDS, call, push, startServer, type TestServer, tokenFor } from '../helpers/server.js';

/** Moderate, CVE-2022-25883: semver < 5.7.2, 6.0.0–6.3.1, 7.0.0–7.5.2 (SEMVER ranges). */
const SEMVER = 'GHSA-c2qf-rxjj-qqgw';

/**
 * A CycloneDX 1.6 SBOM of three semver versions, one unreadable. (A component without a version
 * never gets this far: the quality gate refuses it, `ntia.version`.)
 */
function sbom(): string {
  const c = (name: string, version?: string) => ({
    type: 'library',
    'bom-ref': `${name}@${version ?? 'none'}`,
    name,
    ...(version !== undefined ? { version } : {}),
    purl: version !== undefined ? `pkg:npm/${name}@${version}` : `pkg:npm/${name}`,
    hashes: [
      { alg: 'SHA-256', content: createHash('sha256').update(`${name}@${version}`).digest('hex') },
    ],
  });
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    serialNumber: 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79',
    metadata: { component: { type: 'application', name: 'shop', version: '1.0.0' } },
    components: [c('semver', '5.7.1'), c('semver', 'banana'), c('semver', '7.6.0')],
  });
}

/**
 * An unparseable version is reported and never matched by accident, in the service too: it has
 * no finding, and GET /api/v1/match-problems lists it with the advisory that could not judge it.
 */
for (const backend of BACKENDS) {
  describe(`match problems (${backend})`, () => {
    let srv: TestServer;
    let admin: string;
    let alpha: string;
    let beta: string;
    before(async () => {
      srv = await startServer(backend);
      admin = await tokenFor(srv.services, 'admin');
      alpha = await tokenFor(srv.services, 'publisher', ['alpha']);
      beta = await tokenFor(srv.services, 'viewer', ['beta']);
      const record = JSON.parse(
        readFileSync(conformancePath('osv', 'npm', `${SEMVER}.json`), 'utf8'),
      );
      const a = await call(srv, 'POST', '/api/v1/advisories', { token: admin, body: [record] });
      assert.equal(a.status, 201, a.text.slice(0, 300));
      const p = await push(srv, alpha, sbom(), { product: 'shop', release: '1.0.0' });
      assert.ok(p.status === 201, p.text.slice(0, 500));
    });
    after(() => srv.close());

    it('lists the unreadable version with the advisory that could not judge it, and nothing else', async () => {
      const r = await call(srv, 'GET', '/api/v1/match-problems?product=shop', { token: alpha });
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json.components, 3);
      assert.deepEqual(
        r.json.problems.map((p: { purl: string; advisory: string; kind: string }) => [
          p.purl,
          p.advisory,
          p.kind,
        ]),
        [['pkg:npm/semver@banana', SEMVER, 'unparseable-version']],
      );
      assert.deepEqual(r.json.skipped, []);
      const one = await call(srv, 'GET', '/api/v1/match-problems?product=shop&release=9.9.9', {
        token: alpha,
      });
      assert.equal(one.json.sboms, 0);
    });

    it("another team's product is not found; a missing product parameter is refused", async () => {
      const r = await call(srv, 'GET', '/api/v1/match-problems?product=shop', { token: beta });
      assert.equal(r.status, 404, r.text);
      const bad = await call(srv, 'GET', '/api/v1/match-problems', { token: alpha });
      assert.equal(bad.status, 400, bad.text);
    });
  });
}
