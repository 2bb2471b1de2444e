import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery } from 'kysely';
import { seedPortfolio } from '../../bench/_seed-portfolio.js';
import { type ReleaseListFilter, releasePageQuery } from '../../src/store/dashboard.js';
import { freshServices, type TestServices } from '../helpers/store.js';

// SQLite's plan for the portfolio listing at 2,000 releases: each page is read off an index
// (releases' primary key, products' name index, releases_product_id from migration 0021), with no
// scan of the releases table beyond the page and no sort of the whole portfolio.

describe('the release listing reads one page off an index (SQLite plans)', () => {
  let s: TestServices;
  before(async () => {
    s = await freshServices('sqlite', undefined, { tlog: false });
    await seedPortfolio(s, { releases: 2000, products: 100, teams: 4, components: 1 });
    await s.db.kysely.executeQuery(CompiledQuery.raw('ANALYZE'));
  });
  after(async () => s?.close());

  const plan = async (f: ReleaseListFilter): Promise<string[]> => {
    const c = releasePageQuery(s.db.kysely, f).compile();
    const r = await s.db.kysely.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`EXPLAIN QUERY PLAN ${c.sql}`, [...c.parameters]),
    );
    return r.rows.map((x) => x.detail);
  };

  it('newest first: by primary key, no sort', async () => {
    const first = await plan({ sort: 'newest', limit: 50 });
    // The first page walks the primary key from its end and stops after the page.
    assert.ok(
      first.some((d) => /^SCAN r$/.test(d)) ||
        first.some((d) => /SEARCH r USING INTEGER PRIMARY KEY/.test(d)),
      first.join('\n'),
    );
    assert.ok(!first.some((d) => /TEMP B-TREE/.test(d)), first.join('\n'));
    const next = await plan({ sort: 'newest', limit: 50, after: { id: 1000, product: '' } });
    assert.ok(
      next.some((d) => /SEARCH r USING INTEGER PRIMARY KEY \(rowid<\?\)/.test(d)),
      next.join('\n'),
    );
    assert.ok(!next.some((d) => /TEMP B-TREE/.test(d)), next.join('\n'));
  });

  it('one product: its releases off releases_product_id, in order', async () => {
    const p = await plan({ sort: 'newest', limit: 50, productIds: [7] });
    assert.ok(
      p.some((d) => /SEARCH r USING (COVERING )?INDEX releases_product_id/.test(d)),
      p.join('\n'),
    );
    assert.ok(!p.some((d) => /TEMP B-TREE/.test(d)), p.join('\n'));
  });

  it('by product name: products in name order, no sort', async () => {
    const p = await plan({
      sort: 'product',
      limit: 50,
      after: { id: 10, product: 'product-0050' },
    });
    assert.ok(
      p.some((d) => /USING (COVERING )?INDEX sqlite_autoindex_products_1/.test(d)),
      p.join('\n'),
    );
    assert.ok(!p.some((d) => /TEMP B-TREE/.test(d)), p.join('\n'));
  });

  it('one team: only that team’s products and their releases are read', async () => {
    const p = await plan({ sort: 'newest', limit: 50, teamIds: [2] });
    assert.ok(!p.some((d) => /^SCAN (r|p)\b/.test(d)), p.join('\n'));
  });
});
