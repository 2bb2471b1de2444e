import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { VersError } from '../../src/core/vers/index.js';
import { InventoryError } from '../../src/inventory/errors.js';
import {
  type ComponentQueryParams,
  MAX_LIMIT,
  parseComponentQuery,
} from '../../src/inventory/query.js';
import {
  BACKENDS,
  call,
  errorCode,
  push,
  sbomFixtures,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

const KEYS = [
  'purl',
  'name',
  'version',
  'range',
  'ecosystem',
  'hash',
  'license',
  'direct',
  'history',
  'limit',
  'cursor',
] as const;

/** Strings shaped like what each parameter expects, broken in every way fast-check can think of. */
const anyText = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', ' ', 'true', 'false', '1', '0', '-1', '1e3', '0x10', 'NaN', '500', '501'),
  fc.string({ maxLength: 30 }).map((s) => `pkg:${s}`),
  fc
    .tuple(fc.constantFrom('npm', 'pypi', 'maven', 'golang', 'deb'), fc.string({ maxLength: 20 }))
    .map(([t, s]) => `pkg:${t}/${s}`),
  fc.string({ maxLength: 30 }).map((s) => `vers:npm/${s}`),
  fc.string({ maxLength: 30 }).map((s) => `vers:${s}`),
  fc.stringMatching(/^(sha256:)?[0-9a-fA-F]{0,70}$/),
  fc.string({ maxLength: 20 }).map((s) => Buffer.from(`c:${s}`).toString('base64url')),
  fc.nat().map((n) => Buffer.from(`c:${n}`).toString('base64url')),
);

const params: fc.Arbitrary<ComponentQueryParams> = fc.record(
  Object.fromEntries(KEYS.map((k) => [k, anyText])) as Record<
    (typeof KEYS)[number],
    fc.Arbitrary<string>
  >,
  { requiredKeys: [] },
);

describe('parseComponentQuery (property)', () => {
  it('either parses or throws INVENTORY_QUERY_INVALID (VERS_INVALID for a range bound), never anything else', () => {
    fc.assert(
      fc.property(params, (q) => {
        let parsed: ReturnType<typeof parseComponentQuery>;
        try {
          parsed = parseComponentQuery(q);
        } catch (e) {
          if (e instanceof VersError) {
            assert.equal(e.code, 'VERS_INVALID');
            return;
          }
          assert.ok(
            e instanceof InventoryError,
            `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
          );
          assert.equal(e.code, 'INVENTORY_QUERY_INVALID');
          assert.ok(e.message.length > 0);
          return;
        }
        // What parses is well-formed.
        assert.ok(Number.isInteger(parsed.limit) && parsed.limit >= 1 && parsed.limit <= MAX_LIMIT);
        assert.equal(typeof parsed.history, 'boolean');
        assert.ok(['purl', 'name', 'hash', 'license'].includes(parsed.match.by));
        if (parsed.before !== undefined) assert.ok(Number.isSafeInteger(parsed.before));
      }),
      { numRuns: 2000 },
    );
  });
});

for (const backend of BACKENDS) {
  describe(`GET /api/v1/components with arbitrary parameters (${backend})`, () => {
    let srv: TestServer;
    let token: string;

    before(async () => {
      srv = await startServer(backend);
      token = await tokenFor(srv.services, 'viewer');
      const admin = await tokenFor(srv.services, 'admin', ['alpha']);
      const p = await push(srv, admin, (await sbomFixtures()).demo, {
        product: 'app',
        release: '1',
      });
      assert.equal(p.status, 201, p.text);
    });
    after(() => srv.close());

    it('answers 200 or a coded 400, never a 500', async () => {
      await fc.assert(
        fc.asyncProperty(params, async (q) => {
          const qs = new URLSearchParams(q as Record<string, string>).toString();
          const a = await call(srv, 'GET', `/api/v1/components?${qs}`, { token });
          if (a.status === 200) {
            assert.ok(Array.isArray(a.json.items));
            return;
          }
          assert.equal(a.status, 400, `?${qs}: ${a.status} ${a.text.slice(0, 300)}`);
          assert.match(
            errorCode(a),
            /^(INVENTORY_QUERY_INVALID|REQUEST_INVALID|VERS_INVALID)$/,
            qs,
          );
        }),
        { numRuns: 100 },
      );
    });
  });
}
