import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseEvidence } from '../../src/policy/index.js';
import {
  BACKENDS,
  call,
  errorCode,
  push,
  sbomFixtures,
  snapshot,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

const ARTIFACT = `sha256:${'5e'.repeat(32)}`;
const OTHER = `sha256:${'0f'.repeat(32)}`;

function source(name: string, expression: string, version = 1): string {
  return `name: ${name}\nversion: ${version}\nrules:\n  - name: r\n    expression: ${JSON.stringify(expression)}\n    message: m\n`;
}

for (const backend of BACKENDS) {
  describe(`policies over HTTP (${backend})`, () => {
    let srv: TestServer;
    const t: Record<string, string> = {};
    before(async () => {
      srv = await startServer(backend);
      t['admin'] = await tokenFor(srv.services, 'admin');
      t['publisher'] = await tokenFor(srv.services, 'publisher', ['alpha']);
      t['viewer'] = await tokenFor(srv.services, 'viewer', ['alpha']);
      t['beta'] = await tokenFor(srv.services, 'publisher', ['beta'], 'beta-person');
      const f = await sbomFixtures();
      const a = await push(srv, t['publisher'] as string, f.demo, {
        product: 'shop',
        release: '1.0.0',
        team: 'alpha',
        artifact: ARTIFACT,
      });
      assert.equal(a.status, 201, a.text);
      const b = await push(srv, t['beta'] as string, f.demo11, {
        product: 'other',
        release: '1.0.0',
        team: 'beta',
        artifact: OTHER,
      });
      assert.equal(b.status, 201, b.text);
    });
    after(() => srv.close());

    const put = (who: string, team: string, name: string, src: string) =>
      call(srv, 'PUT', `/api/v1/teams/${team}/policies/${name}`, {
        token: t[who] as string,
        body: { source: src },
      });

    it('stores versions, never overwriting: same text answers 200, changed text is the next version', async () => {
      const v1 = await put('publisher', 'alpha', 'gates', source('gates', 'evidence.sbom.present'));
      assert.equal(v1.status, 201, v1.text);
      assert.equal(v1.json.version, 1);
      const again = await put(
        'publisher',
        'alpha',
        'gates',
        source('gates', 'evidence.sbom.present'),
      );
      assert.equal(again.status, 200);
      assert.equal(again.json.version, 1);
      const v2 = await put('admin', 'alpha', 'gates', source('gates', 'evidence.sbom.signed', 2));
      assert.equal(v2.status, 201, v2.text);
      assert.equal(v2.json.version, 2);

      const latest = await call(srv, 'GET', '/api/v1/teams/alpha/policies/gates', {
        token: t['viewer'] as string,
      });
      assert.equal(latest.status, 200);
      assert.equal(latest.json.version, 2);
      assert.match(latest.json.source, /evidence\.sbom\.signed/);
      const first = await call(srv, 'GET', '/api/v1/teams/alpha/policies/gates/versions/1', {
        token: t['viewer'] as string,
      });
      assert.equal(first.status, 200);
      assert.match(first.json.source, /evidence\.sbom\.present/);
      assert.notEqual(first.json.digest, latest.json.digest);
      const versions = await call(srv, 'GET', '/api/v1/teams/alpha/policies/gates/versions', {
        token: t['viewer'] as string,
      });
      assert.deepEqual(
        versions.json.items.map((v: { version: number }) => v.version),
        [1, 2],
      );
      const list = await call(srv, 'GET', '/api/v1/teams/alpha/policies', {
        token: t['viewer'] as string,
      });
      assert.deepEqual(
        list.json.items.map((v: { name: string; version: number }) => `${v.name}@${v.version}`),
        ['gates@2'],
      );
      assert.equal(list.json.items[0].source, undefined);
      const missing = await call(srv, 'GET', '/api/v1/teams/alpha/policies/gates/versions/3', {
        token: t['viewer'] as string,
      });
      assert.equal(missing.status, 404);
      assert.equal(errorCode(missing), 'POLICY_NOT_FOUND');
    });

    it('audits each new version', async () => {
      const rows = await srv.services.db.read
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'policy.put')
        .execute();
      assert.equal(rows.length, 2);
    });

    it('refuses viewers, other teams and bad policies, storing nothing', async () => {
      const cases: [string, string, string, string, number, string][] = [
        ['viewer', 'alpha', 'v', source('v', 'true'), 403, 'AUTH_FORBIDDEN'],
        ['beta', 'alpha', 'b', source('b', 'true'), 404, 'INVENTORY_NOT_FOUND'],
        [
          'publisher',
          'alpha',
          'syntax',
          source('syntax', 'evidence.sbom.present &&'),
          422,
          'POLICY_COMPILE_FAILED',
        ],
        [
          'publisher',
          'alpha',
          'redos',
          source('redos', 'evidence.artifact.name.matches("(a+)+$")'),
          422,
          'POLICY_TOO_COSTLY',
        ],
        [
          'publisher',
          'alpha',
          'loop',
          source(
            'loop',
            `[${'1,'.repeat(400)}1].all(x, [${'1,'.repeat(400)}1].all(y, [1].exists(z, true)))`,
          ),
          422,
          'POLICY_TOO_COSTLY',
        ],
        ['publisher', 'alpha', 'other', source('named-otherwise', 'true'), 400, 'POLICY_INVALID'],
        [
          'publisher',
          'alpha',
          'huge',
          `# ${'x'.repeat(70 * 1024)}\n${source('huge', 'true')}`,
          413,
          'POLICY_TOO_LARGE',
        ],
        ['publisher', 'alpha', 'bad name!', source('x', 'true'), 400, 'POLICY_INVALID'],
      ];
      for (const [who, team, name, src, status, code] of cases) {
        const before = await snapshot(srv.services);
        const a = await put(who, team, encodeURIComponent(name), src);
        assert.equal(a.status, status, `${name}: ${a.text}`);
        assert.equal(errorCode(a), code, name);
        assert.deepEqual(await snapshot(srv.services), before, name);
      }
      const beta = await call(srv, 'GET', '/api/v1/teams/alpha/policies/gates', {
        token: t['beta'] as string,
      });
      assert.equal(beta.status, 404);
      assert.equal(errorCode(beta), 'POLICY_NOT_FOUND');
    });

    it('serves the evidence document of an artifact, only to its team', async () => {
      const a = await call(srv, 'GET', `/api/v1/artifacts/${ARTIFACT}/evidence`, {
        token: t['viewer'] as string,
      });
      assert.equal(a.status, 200, a.text);
      const e = parseEvidence(a.json, 'answer');
      assert.equal(e.artifact.team, 'alpha');
      assert.equal(e.artifact.product, 'shop');
      assert.equal(e.sbom.present, true);
      assert.equal(e.sbom.signed, false);
      assert.ok(e.sbom.components > 0);
      assert.ok(e.sbom.licenses.length > 0);
      assert.ok(e.sbom.quality.score > 0 && e.sbom.quality.grade !== null);
      const other = await call(srv, 'GET', `/api/v1/artifacts/${OTHER}/evidence`, {
        token: t['viewer'] as string,
      });
      assert.equal(other.status, 404);
      const bad = await call(srv, 'GET', '/api/v1/artifacts/sha256:xyz/evidence', {
        token: t['viewer'] as string,
      });
      assert.equal(bad.status, 400);
      assert.equal(errorCode(bad), 'POLICY_ARTIFACT_INVALID');
    });

    it('evaluates the built-in pack, a stored version and an inline policy', async () => {
      const evaluate = (body: unknown, who = 'viewer') =>
        call(srv, 'POST', '/api/v1/policies/evaluate', { token: t[who] as string, body });
      const builtin = await evaluate({ artifact: ARTIFACT, policy: 'builtin' });
      assert.equal(builtin.status, 200, builtin.text);
      assert.equal(builtin.json.allowed, false);
      assert.equal(builtin.json.results.length, 11);
      const outcome = (name: string) =>
        builtin.json.results.find((r: { name: string }) => r.name === name)?.outcome;
      assert.equal(outcome('sbom-signed-attached'), 'fail');
      assert.equal(outcome('provenance-present'), 'fail');
      assert.equal(outcome('licenses-not-restricted'), 'pass');

      const v1 = await evaluate({ artifact: ARTIFACT, team: 'alpha', policy: 'gates', version: 1 });
      assert.equal(v1.status, 200, v1.text);
      assert.equal(v1.json.allowed, true);
      assert.equal(v1.json.policy.version, '1');
      const latest = await evaluate({ artifact: ARTIFACT, team: 'alpha', policy: 'gates' });
      assert.equal(latest.json.allowed, false);

      const inline = await evaluate({
        artifact: ARTIFACT,
        source: source(
          'inline',
          'evidence.artifact.release == params.want && evidence.sbom.quality.score >= 1.0',
        ),
        params: { want: '1.0.0' },
      });
      assert.equal(inline.status, 200, inline.text);
      assert.equal(inline.json.allowed, true);

      const costly = await evaluate({
        artifact: ARTIFACT,
        source: source('x', '"a".matches("(a|aa)*$")'),
      });
      assert.equal(costly.status, 422);
      assert.equal(errorCode(costly), 'POLICY_TOO_COSTLY');
      const two = await evaluate({
        artifact: ARTIFACT,
        policy: 'builtin',
        source: source('x', 'true'),
      });
      assert.equal(errorCode(two), 'POLICY_REQUEST_INVALID');
      const otherTeam = await evaluate({ artifact: OTHER, policy: 'builtin' });
      assert.equal(otherTeam.status, 404);
      const storedElsewhere = await evaluate(
        { artifact: OTHER, team: 'alpha', policy: 'gates' },
        'beta',
      );
      assert.equal(errorCode(storedElsewhere), 'POLICY_NOT_FOUND');
    });
  });
}
