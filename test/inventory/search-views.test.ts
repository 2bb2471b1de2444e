import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedPortfolio } from '../../bench/_seed-portfolio.js';
import type { Caller } from '../../src/access/index.js';
import { findComponents, findComponentsJson } from '../../src/app/inventory/search-components.js';
import { CLI_CALLER } from '../../src/app/tokens.js';
import type { ComponentQueryParams } from '../../src/inventory/query.js';
import { BACKENDS, freshServices, type TestServices } from '../helpers/store.js';

// The search's HTTP body is assembled from views the database builds as JSON text; it must be the
// page findComponents answers, key for key and in the same order, whatever the rows hold
// (nulls, quotes, control characters, non-ASCII, both values of every flag).

const PACKAGE = 'pkg:npm/seed-lib-3';
const ODD = 'a "quoted" \\ back\tslash\nline é 😀 \u0001';

for (const backend of BACKENDS) {
  describe(`search body as JSON text (${backend})`, () => {
    let s: TestServices;
    before(async () => {
      s = await freshServices(backend, undefined, { tlog: false });
      await seedPortfolio(s, { releases: 60, products: 6, teams: 3, components: 5 });
      const db = s.db.kysely;
      const pkg = await db
        .selectFrom('packages')
        .select('id')
        .where('package', '=', PACKAGE)
        .executeTakeFirstOrThrow();
      const sboms = await db.selectFrom('sboms').select('id').orderBy('id').execute();
      await db
        .insertInto('components')
        .values(
          sboms.slice(0, 20).map((sb, i) => ({
            sbom_id: sb.id,
            package_id: pkg.id,
            version: i % 5 === 0 ? null : '9.9.9',
            purl: i % 5 === 0 ? PACKAGE : `${PACKAGE}@9.9.9`,
            scope: i % 2 ? ODD : null,
            direct: i % 2,
            licenses: i % 3 ? `MIT ${ODD}` : null,
          })),
        )
        .execute();
      await db
        .updateTable('sboms')
        .set({ current: 0 })
        .where('id', '=', sboms[3]?.id ?? 0)
        .execute();
      await db.updateTable('releases').set({ deployed: 1 }).where('id', '<', 10).execute();
      await db.updateTable('artifacts').set({ name: null }).where('id', '<', 5).execute();
      await db
        .updateTable('products')
        .set({ name: `p ${ODD}` })
        .where('id', '=', 1)
        .execute();
    });
    after(async () => s?.close());

    const same = async (q: ComponentQueryParams, who: Caller = CLI_CALLER) => {
      let cursor: string | undefined;
      let pages = 0;
      for (;;) {
        const params = { ...q, ...(cursor ? { cursor } : {}) };
        const body = await findComponentsJson(s, who, params, { fresh: true });
        const page = await findComponents(s, who, params, { fresh: true });
        assert.deepEqual(JSON.parse(body), page);
        assert.equal(JSON.stringify(JSON.parse(body)), JSON.stringify(page));
        pages++;
        if (!page.nextCursor) return pages;
        cursor = page.nextCursor;
      }
    };

    it('exact version, every version, history, direct, pages', async () => {
      assert.ok((await same({ purl: `${PACKAGE}@9.9.9`, limit: '4' })) > 1);
      await same({ purl: PACKAGE, history: 'true', limit: '7' });
      await same({ purl: PACKAGE, direct: 'false' });
      await same({ name: 'seed-lib-3', ecosystem: 'npm', range: 'vers:npm/>=1.0.0|<10.0.0' });
      await same({ purl: 'pkg:npm/nothing-here@1.0.0' });
      await same({ purl: `${PACKAGE}@0.0.0-none` });
    });

    it('a team-scoped caller', async () => {
      const who: Caller = {
        principal: { actor: 'token:0:v', person: 'v', role: 'viewer', teams: ['team-1'] },
        source: '192.0.2.1',
      };
      await same({ purl: PACKAGE, history: 'true', limit: '3' }, who);
    });

    it('hash and licence searches through the same body', async () => {
      await same({ license: 'MIT', limit: '3' });
    });
  });
}
