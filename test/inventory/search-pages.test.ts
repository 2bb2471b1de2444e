import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { seedPortfolio } from '../../bench/_seed-portfolio.js';
import type { Caller } from '../../src/access/index.js';
import { searchInventory } from '../../src/app/inventory/search-components.js';
import { CLI_CALLER } from '../../src/app/tokens.js';
import { versContains } from '../../src/core/vers/index.js';
import { type ComponentQueryParams, parseComponentQuery } from '../../src/inventory/query.js';
import { BACKENDS, freshServices, type TestServices } from '../helpers/store.js';

// Purl searches read one index run per (package, version) and merge them a slice at a time; these
// pages are checked row for row against the rows themselves: a package recorded at 100 versions
// (more runs than one statement merges) and without a version, a third of the SBOMs superseded,
// four teams, and pages small enough that slices are skipped past and grown.

const PACKAGE = 'pkg:npm/seed-lib-7';
const VERSIONS = Array.from({ length: 100 }, (_, i) => `1.${i}.0`);

interface Row {
  id: number;
  sbom: number;
  version: string | null;
  current: boolean;
  team: string;
  direct: boolean;
}

for (const backend of BACKENDS) {
  describe(`purl search pages (${backend})`, () => {
    let s: TestServices;
    let rows: Row[];
    before(async () => {
      s = await freshServices(backend, undefined, { tlog: false });
      await seedPortfolio(s, { releases: 300, products: 30, teams: 4, components: 5 });
      const db = s.db.kysely;
      const pkg = await db
        .selectFrom('packages')
        .select('id')
        .where('package', '=', PACKAGE)
        .executeTakeFirstOrThrow();
      const sboms = await db.selectFrom('sboms').select('id').orderBy('id').execute();
      const extra = sboms.flatMap((sb, i) =>
        [0, 1].map((k) => {
          const version = (i + k) % 17 === 0 ? null : (VERSIONS[(i * 7 + k) % 100] as string);
          return {
            sbom_id: sb.id,
            package_id: pkg.id,
            version,
            purl: version === null ? PACKAGE : `${PACKAGE}@${version}`,
            scope: null,
            direct: (i + k) % 2,
            licenses: null,
          };
        }),
      );
      for (let i = 0; i < extra.length; i += 200) {
        await db
          .insertInto('components')
          .values(extra.slice(i, i + 200))
          .execute();
      }
      // Every third SBOM superseded: without history its rows are skipped over.
      await db
        .updateTable('sboms')
        .set({ current: 0 })
        .where(({ eb }) => eb(eb('id', '%', 3), '=', 0))
        .execute();
      rows = (
        await db
          .selectFrom('components as c')
          .innerJoin('sboms as s', 's.id', 'c.sbom_id')
          .innerJoin('teams as t', 't.id', 's.team_id')
          .select(['c.id', 'c.sbom_id', 'c.version', 's.current', 't.name', 'c.direct'])
          .where('c.package_id', '=', pkg.id)
          .orderBy('c.id', 'desc')
          .execute()
      ).map((r) => ({
        id: r.id,
        sbom: r.sbom_id,
        version: r.version,
        current: r.current === 1,
        team: r.name,
        direct: r.direct === 1,
      }));
    });
    after(async () => s?.close());

    /** Every page of the search, `limit` at a time, as (sbom, version) pairs. */
    const allPages = async (q: ComponentQueryParams, who: Caller = CLI_CALLER) => {
      const out: [number, string | null][] = [];
      let cursor: string | undefined;
      for (let n = 0; n < 1000; n++) {
        const page = await searchInventory(
          s,
          who,
          parseComponentQuery({ ...q, ...(cursor ? { cursor } : {}) }),
          { fresh: true },
        );
        for (const h of page.items) out.push([h.sbom.id, h.version]);
        if (!page.nextCursor) return out;
        cursor = page.nextCursor;
      }
      throw new Error('no last page');
    };
    const expected = (keep: (r: Row) => boolean) =>
      rows.filter(keep).map((r): [number, string | null] => [r.sbom, r.version]);
    const inRange = (vers: string) => {
      const range = parseComponentQuery({ purl: PACKAGE, range: vers }).match;
      return (v: string | null) =>
        v !== null &&
        range.by === 'purl' &&
        range.range !== undefined &&
        versContains(range.range, v);
    };

    it('one version, newest first, across pages', async () => {
      const got = await allPages({ purl: `${PACKAGE}@1.21.0`, limit: '3' });
      const want = expected((r) => r.current && r.version === '1.21.0');
      assert.ok(want.length > 3);
      assert.deepEqual(got, want);
    });

    it('a range over more versions than one statement merges', async () => {
      const vers = 'vers:npm/>=1.0.0|<1.90.0';
      const ok = inRange(vers);
      const got = await allPages({ purl: PACKAGE, range: vers, limit: '37' });
      const want = expected((r) => r.current && ok(r.version));
      assert.ok(new Set(want.map((w) => w[1])).size > 64);
      assert.deepEqual(got, want);
    });

    it('every version, and rows recorded without one', async () => {
      const got = await allPages({ purl: PACKAGE, limit: '50', history: 'true' });
      const want = expected(() => true);
      assert.ok(want.some((w) => w[1] === null));
      assert.deepEqual(got, want);
    });

    it('a team-scoped caller: other teams’ rows skipped, slices grown', async () => {
      const who: Caller = {
        principal: { actor: 'token:0:v', person: 'v', role: 'viewer', teams: ['team-2'] },
        source: '192.0.2.1',
      };
      const vers = 'vers:npm/>=1.10.0|<1.30.0';
      const ok = inRange(vers);
      const got = await allPages({ purl: PACKAGE, range: vers, limit: '5', direct: 'true' }, who);
      const want = expected((r) => r.current && r.team === 'team-2' && r.direct && ok(r.version));
      assert.ok(want.length > 5);
      assert.deepEqual(got, want);
    });

    it('a team that ships none of it: no rows, after reading every slice', async () => {
      const who: Caller = {
        principal: { actor: 'token:0:v', person: 'v', role: 'viewer', teams: ['nobody'] },
        source: '192.0.2.1',
      };
      assert.deepEqual(await allPages({ purl: PACKAGE, limit: '10' }, who), []);
    });
  });
}
