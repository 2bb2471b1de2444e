import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type Answer,
  BACKENDS,
  type CallOptions,
  call,
  errorCode,
  push,
  sbomFixtures,
  snapshot,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

const MAX_BODY = 16 * 1024;

function expectError(a: Answer, status: number, code: string, what = ''): void {
  assert.equal(a.status, status, `${what} ${a.status} ${a.text.slice(0, 400)}`);
  assert.equal(errorCode(a), code, `${what} ${a.text.slice(0, 400)}`);
}

for (const backend of BACKENDS) {
  describe(`HTTP bad input (${backend})`, () => {
    let srv: TestServer;
    let admin: string;
    let release: number;
    const as = (o: CallOptions = {}): CallOptions => ({ token: admin, ...o });

    before(async () => {
      srv = await startServer(backend, { maxBodyBytes: MAX_BODY });
      admin = await tokenFor(srv.services, 'admin', undefined);
      await tokenFor(srv.services, 'viewer', ['alpha']);
      const f = await sbomFixtures();
      const p = await push(srv, admin, f.demo, { product: 'app', release: '1.0.0', team: 'alpha' });
      assert.equal(p.status, 201, p.text);
      release = p.json.sbom.releaseId;
    });
    after(() => srv.close());

    describe('GET /api/v1/components', () => {
      const bad = async (query: string, code = 'INVENTORY_QUERY_INVALID') => {
        const a = await call(srv, 'GET', `/api/v1/components${query}`, as());
        expectError(a, 400, code, query);
        return a;
      };

      it('no way of naming the component', async () => {
        await bad('');
        await bad('?');
        await bad('?name=');
        await bad('?name=%20%20');
        await bad('?version=1.0.0');
        await bad('?direct=true');
      });

      it('two ways of naming the component', async () => {
        await bad('?name=express&purl=pkg:npm/express');
        await bad('?hash=sha256:' + 'a'.repeat(64) + '&license=MIT');
      });

      it('a malformed purl', async () => {
        await bad('?purl=express');
        await bad('?purl=pkg:');
        await bad('?purl=pkg:npm/');
        await bad(`?purl=${encodeURIComponent('pkg:npm/%zz')}`);
      });

      it('a malformed range, or a range with a version', async () => {
        await bad('?name=express&range=>=4');
        await bad(`?name=express&range=${encodeURIComponent('vers:')}`);
        await bad(`?name=express&range=${encodeURIComponent('vers:npm/>=')}`);
        await bad(`?name=express&range=${encodeURIComponent('vers:npm')}`);
        await bad(`?name=express&range=${encodeURIComponent('vers:npm/')}`);
        await bad(`?name=express&version=4.0.0&range=${encodeURIComponent('vers:npm/>=4')}`);
        await bad(`?purl=pkg:npm/express@4.0.0&range=${encodeURIComponent('vers:npm/>=4')}`);
        await bad(`?license=MIT&range=${encodeURIComponent('vers:npm/>=4')}`);
        await bad('?license=MIT&version=1');
      });

      // Regression test for a fixed bug: range=vers:npm/>>4 parses as comparator ">" with version ">4" (parseVers, normalize mode) and
      // answers 200 with hits (express 4.21.2); a doubled comparator should be INVENTORY_QUERY_INVALID.
      it('a range with a doubled comparator is INVENTORY_QUERY_INVALID', async () => {
        for (const range of ['vers:npm/>>4', 'vers:npm/=>4', 'vers:npm/<<4', 'vers:npm/>=<4']) {
          await bad(`?name=express&range=${encodeURIComponent(range)}`);
        }
      });

      // Regression tests: each of these answered 200, searching for something else than asked.
      it('a range bound that is no version of its scheme is VERS_INVALID', async () => {
        for (const range of ['vers:npm/>=notaversion', 'vers:pypi/<one.two', 'vers:deb/>=abc']) {
          const a = await bad(`?name=express&range=${encodeURIComponent(range)}`, 'VERS_INVALID');
          assert.match(a.json.error.message, /is not a/);
        }
        const ok = await call(
          srv,
          'GET',
          `/api/v1/components?name=express&range=${encodeURIComponent('vers:npm/>=4')}`,
          as(),
        );
        assert.equal(ok.status, 200, ok.text);
      });

      it('a licence that is not one SPDX id or LicenseRef- is refused, not corrected', async () => {
        for (const license of [
          "MIT' OR 1=1--",
          'MIT OR Apache-2.0',
          'apache 2.0',
          'x'.repeat(50),
        ]) {
          await bad(`?license=${encodeURIComponent(license)}`);
        }
        for (const license of ['MIT', 'mit', 'LicenseRef-acme']) {
          const a = await call(srv, 'GET', `/api/v1/components?license=${license}`, as());
          assert.equal(a.status, 200, `${license}: ${a.text}`);
        }
      });

      it('a malformed hash', async () => {
        await bad('?hash=xyz');
        await bad('?hash=sha256:abc');
      });

      it('a bad limit', async () => {
        await bad('?name=express&limit=0');
        await bad('?name=express&limit=501');
        await bad('?name=express&limit=9999');
      });

      // Regression test for a fixed bug: limit=abc / limit=-1 / limit=1.5 answer REQUEST_INVALID (Fastify's schema pattern), not INVENTORY_QUERY_INVALID like limit=0.
      it('a non-numeric limit is INVENTORY_QUERY_INVALID like an out-of-range one', async () => {
        await bad('?name=express&limit=abc');
        await bad('?name=express&limit=-1');
        await bad('?name=express&limit=1.5');
        await bad('?name=express&limit=1e2');
        await bad('?name=express&limit=0x10');
        await bad('?name=express&limit=%2B5');
      });

      it('a bad cursor', async () => {
        await bad('?name=express&cursor=garbage');
        await bad(`?name=express&cursor=${Buffer.from('c:abc').toString('base64url')}`);
        await bad(`?name=express&cursor=${Buffer.from('c:-1').toString('base64url')}`);
        await bad(`?name=express&cursor=${Buffer.from('c:12').toString('base64url')}!!`);
      });

      it('unknown, repeated or ill-typed parameters are 400, never 500', async () => {
        for (const query of [
          '?name=express&frobnicate=1',
          '?name=express&direct=maybe',
          '?name=express&history=yes',
          '?name=a&name=b',
          '?purl=pkg:npm/a&purl=pkg:npm/b',
          `?name=${'x'.repeat(501)}`,
        ]) {
          const a = await call(srv, 'GET', `/api/v1/components${query}`, as());
          assert.equal(a.status, 400, `${query}: ${a.text}`);
          assert.match(errorCode(a), /^(REQUEST_INVALID|INVENTORY_QUERY_INVALID)$/, query);
        }
      });

      it('pagination with nextCursor walks every hit once', async () => {
        const all = await call(srv, 'GET', '/api/v1/components?license=MIT&limit=500', as());
        assert.equal(all.status, 200);
        const total = all.json.items.length as number;
        assert.ok(total > 5, 'the demo app has several MIT components');
        const seen: number[] = [];
        let cursor = '';
        for (let i = 0; i < 100; i++) {
          const page = await call(
            srv,
            'GET',
            `/api/v1/components?license=MIT&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
            as(),
          );
          assert.equal(page.status, 200, page.text);
          assert.ok(page.json.items.length <= 2);
          seen.push(...page.json.items.map((h: { purl: string }) => h.purl));
          if (page.json.nextCursor === null) break;
          cursor = page.json.nextCursor;
        }
        assert.equal(seen.length, total);
        assert.equal(new Set(seen).size, total);
      });
    });

    describe('names, ids and bodies of the other endpoints', () => {
      it('a malformed id is 400 and an unknown one 404', async () => {
        for (const path of [
          '/api/v1/releases/abc',
          '/api/v1/releases/0',
          '/api/v1/releases/-1',
          '/api/v1/sboms/1.5',
          '/api/v1/sboms/1e0',
          '/api/v1/sboms/0x1',
          '/api/v1/sboms/%2B1',
          '/api/v1/sboms/1e0/document',
          '/api/v1/releases/1e0',
          `/api/v1/releases/${release}/diff?against=1e0`,
          `/api/v1/releases/${release}/diff?against=${release}.0`,
          `/api/v1/releases/${release}/diff`,
          `/api/v1/releases/${release}/diff?against=x`,
        ]) {
          const a = await call(srv, 'GET', path, as());
          assert.equal(a.status, 400, `${path}: ${a.text}`);
          errorCode(a);
        }
        expectError(
          await call(srv, 'GET', '/api/v1/releases/999999', as()),
          404,
          'INVENTORY_NOT_FOUND',
        );
        expectError(
          await call(srv, 'GET', '/api/v1/sboms/999999', as()),
          404,
          'INVENTORY_NOT_FOUND',
        );
        expectError(
          await call(srv, 'GET', '/api/v1/sboms/999999/document', as()),
          404,
          'INVENTORY_NOT_FOUND',
        );
        expectError(
          await call(srv, 'GET', '/api/v1/products/nope/releases/1', as()),
          404,
          'INVENTORY_NOT_FOUND',
        );
        expectError(
          await call(srv, 'GET', '/api/v1/products/app/releases/9.9.9', as()),
          404,
          'INVENTORY_NOT_FOUND',
        );
      });

      it('a diff against a release without an SBOM is 404, not 500', async () => {
        // A release with no SBOM cannot be made over the API; the other side must simply exist.
        const a = await call(srv, 'GET', `/api/v1/releases/${release}/diff?against=999999`, as());
        expectError(a, 404, 'INVENTORY_NOT_FOUND');
      });

      it('an unknown route is 404 NOT_FOUND, with or without a token', async () => {
        expectError(await call(srv, 'GET', '/api/v1/nothing-here', as()), 404, 'NOT_FOUND');
        expectError(await call(srv, 'GET', '/api/v2/products'), 404, 'NOT_FOUND');
        expectError(await call(srv, 'DELETE', '/api/v1/products', as()), 404, 'NOT_FOUND');
        // `/` is the dashboard (server/web-assets.ts); the service's own prefixes stay JSON 404s.
        expectError(await call(srv, 'GET', '/api', as()), 404, 'NOT_FOUND');
      });

      it('POST /api/v1/teams: malformed JSON is 400 JSON_PARSE', async () => {
        const before = await snapshot(srv.services);
        for (const body of ['{"name": "x"', '{name: x}', 'null,']) {
          expectError(
            await call(srv, 'POST', '/api/v1/teams', as({ body, contentType: 'application/json' })),
            400,
            'JSON_PARSE',
            body,
          );
        }
        expectError(
          await call(
            srv,
            'POST',
            '/api/v1/teams',
            as({ body: '', contentType: 'application/json' }),
          ),
          400,
          'JSON_PARSE',
          'empty',
        );
        assert.deepEqual(await snapshot(srv.services), before);
      });

      it('POST /api/v1/teams: bad names and shapes are 400', async () => {
        for (const name of ['Upper', 'with space', '-dash', '', 'x'.repeat(63) + 'y']) {
          const a = await call(srv, 'POST', '/api/v1/teams', as({ body: { name } }));
          assert.equal(a.status, 400, `${name}: ${a.text}`);
          assert.match(errorCode(a), /^(INVENTORY_INPUT_INVALID|REQUEST_INVALID)$/);
        }
        // (Scalars are coerced by the server's ajv options: { name: 5 } is the team "5".)
        for (const body of [
          {},
          { name: 'ok', extra: 1 },
          { name: null },
          { name: ['a', 'b'] },
          [],
          'text',
        ]) {
          const a = await call(
            srv,
            'POST',
            '/api/v1/teams',
            as({ body: JSON.stringify(body), contentType: 'application/json' }),
          );
          assert.equal(a.status, 400, `${JSON.stringify(body)}: ${a.text}`);
          errorCode(a);
        }
        const ok = await call(srv, 'POST', '/api/v1/teams', as({ body: { name: 'gamma' } }));
        assert.equal(ok.status, 201, ok.text);
        const again = await call(srv, 'POST', '/api/v1/teams', as({ body: { name: 'gamma' } }));
        assert.equal(again.status, 200, again.text);
      });

      it('wrong content types are 415', async () => {
        expectError(
          await call(
            srv,
            'POST',
            '/api/v1/teams',
            as({ body: 'name=x', contentType: 'application/x-www-form-urlencoded' }),
          ),
          415,
          'REQUEST_UNSUPPORTED_MEDIA_TYPE',
          'teams',
        );
        expectError(
          await call(
            srv,
            'POST',
            '/api/v1/tokens',
            as({ body: 'role: viewer', contentType: 'application/yaml' }),
          ),
          415,
          'REQUEST_UNSUPPORTED_MEDIA_TYPE',
          'tokens',
        );
        expectError(
          await call(
            srv,
            'PATCH',
            `/api/v1/releases/${release}`,
            as({ body: '<deployed/>', contentType: 'application/xml' }),
          ),
          415,
          'REQUEST_UNSUPPORTED_MEDIA_TYPE',
          'patch',
        );
        // Fastify reads text/plain itself, so a text body fails the schema instead: 400 either way.
        const text = await call(
          srv,
          'PATCH',
          `/api/v1/releases/${release}`,
          as({ body: 'deployed', contentType: 'text/plain' }),
        );
        assert.match(String(text.status), /^4(00|15)$/);
        errorCode(text);
        expectError(
          await call(
            srv,
            'PUT',
            '/api/v1/teams/alpha/gate-policy',
            as({ body: '{}', contentType: 'application/octet-stream' }),
          ),
          415,
          'REQUEST_UNSUPPORTED_MEDIA_TYPE',
          'gate',
        );
      });

      it('a body over maxBodyBytes is 413 INPUT_TOO_LARGE', async () => {
        const big = { name: 'x'.repeat(MAX_BODY) };
        expectError(
          await call(srv, 'POST', '/api/v1/teams', as({ body: big })),
          413,
          'INPUT_TOO_LARGE',
        );
        expectError(
          await call(
            srv,
            'POST',
            '/api/v1/tokens',
            as({ body: { role: 'viewer', person: 'pat', name: 'y'.repeat(MAX_BODY) } }),
          ),
          413,
          'INPUT_TOO_LARGE',
        );
        expectError(
          await call(
            srv,
            'PUT',
            '/api/v1/teams/alpha/gate-policy',
            as({ body: `# ${'z'.repeat(2 * 1024 * 1024)}\n`, contentType: 'application/yaml' }),
          ),
          413,
          'INPUT_TOO_LARGE',
        );
      });

      it('PUT gate-policy: an invalid policy is 400 and leaves the gate as it was; a missing team 404', async () => {
        const teams = async () =>
          (await call(srv, 'GET', '/api/v1/teams', as())).json.items.find(
            (t: { name: string }) => t.name === 'alpha',
          ).gatePolicy;
        const was = await teams();
        for (const body of [
          'minScore: lots\n',
          'require: [no.such.check]\n',
          'unknownKey: 1\n',
          ': : :\n',
          '- a list\n',
        ]) {
          const a = await call(
            srv,
            'PUT',
            '/api/v1/teams/alpha/gate-policy',
            as({ body, contentType: 'application/yaml' }),
          );
          assert.equal(a.status, 400, `${body}: ${a.text}`);
          errorCode(a);
        }
        assert.deepEqual(await teams(), was);
        expectError(
          await call(
            srv,
            'PUT',
            '/api/v1/teams/nope/gate-policy',
            as({ body: '{}', contentType: 'application/yaml' }),
          ),
          404,
          'INVENTORY_NOT_FOUND',
        );
      });

      it('PATCH /api/v1/releases/:id: bad bodies are 400 and change nothing', async () => {
        const before = await call(srv, 'GET', `/api/v1/releases/${release}`, as());
        for (const body of [
          {},
          { deployed: 'yes' },
          { colour: 'red' },
          { rebuiltAt: 'yesterday' },
        ]) {
          const a = await call(srv, 'PATCH', `/api/v1/releases/${release}`, as({ body }));
          assert.equal(a.status, 400, `${JSON.stringify(body)}: ${a.text}`);
          assert.match(errorCode(a), /^(REQUEST_INVALID|INVENTORY_INPUT_INVALID)$/);
        }
        expectError(
          await call(srv, 'PATCH', '/api/v1/releases/999999', as({ body: { deployed: true } })),
          404,
          'INVENTORY_NOT_FOUND',
        );
        const afterwards = await call(srv, 'GET', `/api/v1/releases/${release}`, as());
        assert.deepEqual(afterwards.json, before.json);
      });

      it('POST /api/v1/tokens: bad roles, teams and expiries are 400', async () => {
        for (const body of [
          { role: 'root', person: 'pat' },
          { role: 'viewer', person: 'pat', teams: ['Bad Team'] },
          { role: 'viewer', person: 'pat', expiresInDays: 0 },
          { role: 'viewer', person: 'pat', expiresInDays: 99999 },
          { role: 'viewer', person: 'pat', teams: [5, 'Bad'] },
          { role: 'viewer' },
          { role: 'viewer', person: '' },
          { role: 'viewer', person: 'pat\u202e' },
          {},
        ]) {
          const a = await call(srv, 'POST', '/api/v1/tokens', as({ body }));
          assert.equal(a.status, 400, `${JSON.stringify(body)}: ${a.text}`);
          assert.match(errorCode(a), /^(REQUEST_INVALID|INVENTORY_INPUT_INVALID)$/);
        }
      });

      it('GET /api/v1/audit: a bad cursor or limit is 400', async () => {
        for (const query of [
          '?cursor=garbage',
          '?limit=0',
          '?limit=abc',
          '?limit=1001',
          '?what=1',
        ]) {
          const a = await call(srv, 'GET', `/api/v1/audit${query}`, as());
          assert.equal(a.status, 400, `${query}: ${a.text}`);
          assert.match(errorCode(a), /^(REQUEST_INVALID|INVENTORY_QUERY_INVALID)$/);
        }
      });
    });
  });
}
