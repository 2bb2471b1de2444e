import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery } from 'kysely';
import { seedPortfolio } from '../../bench/_seed-portfolio.js';
import { explainComponentSearch } from '../../src/app/inventory/search-components.js';
import { CLI_CALLER } from '../../src/app/tokens.js';
import { type ComponentQueryParams, parseComponentQuery } from '../../src/inventory/query.js';
import { freshServices, type TestServices } from '../helpers/store.js';

// SQLite's plans for purl searches at 2,000 releases: every statement is read off the
// (package_id, version, id) index by seeks, never a scan of the components table and never a sort
// of all matching rows, so a search costs what its page costs however many releases match.

describe('purl searches read the index by seeks (SQLite plans)', () => {
  let s: TestServices;
  before(async () => {
    s = await freshServices('sqlite', undefined, { tlog: false });
    await seedPortfolio(s, { releases: 2000, products: 100, teams: 4, components: 5 });
    await s.db.kysely.executeQuery(CompiledQuery.raw('ANALYZE'));
  });
  after(async () => s?.close());

  const plans = async (q: ComponentQueryParams, who = CLI_CALLER) =>
    explainComponentSearch(s, who, parseComponentQuery(q));
  const text = (p: { statement: string; plan: string[] }[]) =>
    p.map((x) => `${x.statement}:\n  ${x.plan.join('\n  ')}`).join('\n');
  const noScanOrSort = (p: { plan: string[] }[]) => {
    for (const x of p) {
      assert.ok(!x.plan.some((d) => /^SCAN (components|c)\b/.test(d)), text(p as never));
      assert.ok(!x.plan.some((d) => /TEMP B-TREE/.test(d)), text(p as never));
    }
  };

  it('exact purl: one seek on package and version, rows by primary key', async () => {
    const p = await plans({ purl: 'pkg:npm/seed-lib-7@1.0.0', limit: '50' });
    assert.deepEqual(
      p.map((x) => x.statement),
      ['page (1 index run)'],
    );
    const page = (p[0] as { plan: string[] }).plan;
    assert.ok(
      page.some((d) =>
        /SEARCH components USING COVERING INDEX components_package_version \(package_id=\? AND version=\?\)/.test(
          d,
        ),
      ),
      text(p),
    );
    assert.ok(
      page.some((d) => /SEARCH c USING INTEGER PRIMARY KEY/.test(d)),
      text(p),
    );
    noScanOrSort(p);
  });

  it('the next page starts at the cursor inside the index', async () => {
    const p = await plans({ purl: 'pkg:npm/seed-lib-7@1.0.0', limit: '50', cursor: 'YzoxMDAw' });
    assert.ok(
      (p[0] as { plan: string[] }).plan.some((d) =>
        /components_package_version \(package_id=\? AND version=\? AND (?:row)?id<\?\)/.test(d),
      ),
      text(p),
    );
    noScanOrSort(p);
  });

  it('version range: versions by a loose index scan, the runs merged in id order', async () => {
    const p = await plans({ purl: 'pkg:npm/seed-lib-7', range: 'vers:npm/>=1.0.0|<3.0.0' });
    assert.deepEqual(
      p.map((x) => x.statement),
      ['recorded versions', 'page (3 index runs)'],
    );
    const [versions, page] = p as unknown as [{ plan: string[] }, { plan: string[] }];
    assert.ok(
      versions.plan.some((d) =>
        /SEARCH c USING COVERING INDEX components_package_version \(package_id=\? AND version>\?\)/.test(
          d,
        ),
      ),
      text(p),
    );
    assert.ok(
      page.plan.some((d) => /MERGE \(UNION ALL\)/.test(d)),
      text(p),
    );
    noScanOrSort(p);
  });

  it('every version of a package, and a team-scoped caller: still seeks only', async () => {
    const who = {
      principal: { actor: 'token:0:t', person: 't', role: 'viewer' as const, teams: ['team-1'] },
      source: '192.0.2.1',
    };
    const p = await plans({ purl: 'pkg:npm/seed-lib-7', history: 'true', direct: 'true' }, who);
    assert.deepEqual(
      p.map((x) => x.statement),
      ['recorded versions', 'page (4 index runs)'],
    );
    noScanOrSort(p);
  });
});
