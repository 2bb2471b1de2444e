import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Caller } from '../../../src/access/index.js';
import { ingestSbom } from '../../../src/app/inventory/ingest-sbom.js';
import { setGatePolicy } from '../../../src/app/inventory/manage-teams.js';
import { searchInventory } from '../../../src/app/inventory/search-components.js';
import type { ComponentHitView, Page } from '../../../src/app/inventory/views.js';
import { bootstrapAdminToken, CLI_CALLER, createToken } from '../../../src/app/tokens.js';
import { parseSbom } from '../../../src/formats/index.js';
import { InventoryError } from '../../../src/inventory/errors.js';
import { type IndexedComponent, indexRows } from '../../../src/inventory/index-rows.js';
import { type ComponentQueryParams, parseComponentQuery } from '../../../src/inventory/query.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';
import { BACKENDS, freshServices, type TestServices } from '../../helpers/store.js';
import { caller, demoSbom, edited, SAMPLES, sample } from './fixtures.js';

/** One indexed component as the test expects to find it: the oracle the searches are checked against. */
interface Expected extends IndexedComponent {
  product: string;
  release: string;
  team: string;
  current: boolean;
}

interface Push {
  bytes: Uint8Array;
  product: string;
  release: string;
  team?: string;
  supersededBy?: boolean;
}

async function dataset(): Promise<Push[]> {
  const demo = await demoSbom('demo-app');
  return [
    { bytes: demo, product: 'demo', release: '1.0.0' },
    // An earlier SBOM of 1.1.0, replaced by the next push: only `history` finds its components.
    {
      bytes: edited(demo, (d) => {
        d['serialNumber'] = 'urn:uuid:0b5d6a2e-3c4f-4e5a-8b6c-7d8e9f0a1b2c';
      }),
      product: 'demo',
      release: '1.1.0',
      supersededBy: true,
    },
    { bytes: await demoSbom('demo-app-1.1'), product: 'demo', release: '1.1.0' },
    {
      bytes: sample(SAMPLES, 'juice-shop/v11.1.2/bom.json'),
      product: 'juice-shop',
      release: '11.1.2',
    },
    {
      bytes: sample(SAMPLES, 'protonmail-webclient-v4-0912dff/bom.json'),
      product: 'protonmail-web',
      release: '4.0.0-beta.20',
    },
    {
      bytes: sample(SAMPLES, 'dropwizard-1.3.15/bom.json'),
      product: 'dropwizard',
      release: '1.3.15',
    },
    {
      bytes: sample(SAMPLES, 'juice-shop/via_npm/flat/bom.1.4.json'),
      product: 'juice-shop-npm',
      release: '14.1.1',
      team: 'web',
    },
  ];
}

/** Ingest the dataset and return the expected index, oldest first (the order ids are given). */
async function populate(s: TestServices): Promise<Expected[]> {
  await bootstrapAdminToken(s);
  await createToken(s, CLI_CALLER, { role: 'publisher', teams: ['web'] });
  // Several of these real-world SBOMs carry free-text licences; the gate is not under test here.
  await setGatePolicy(s, CLI_CALLER, 'default', '{}');
  await setGatePolicy(s, CLI_CALLER, 'web', '{}');
  const expected: Expected[] = [];
  for (const p of await dataset()) {
    const team = p.team ?? 'default';
    const who = p.team ? caller('publisher', [p.team]) : CLI_CALLER;
    await ingestSbom(s, who, { bytes: p.bytes, product: p.product, release: p.release });
    if (p.release === '1.1.0' && !p.supersededBy) {
      for (const e of expected)
        if (e.product === p.product && e.release === p.release) e.current = false;
    }
    for (const r of indexRows(parseSbom(p.bytes, p.product))) {
      expected.push({ ...r, product: p.product, release: p.release, team, current: true });
    }
  }
  return expected;
}

type Row = [product: string, release: string, component: string, direct: boolean];

const row = (h: ComponentHitView): Row => [
  h.product.name,
  h.release.version,
  h.purl ?? `${h.name}@${h.version}`,
  h.direct,
];
const expectedRow = (e: Expected): Row => [
  e.product,
  e.release,
  e.purl ?? `${e.name}@${e.version}`,
  e.direct,
];

for (const backend of BACKENDS) {
  describe(`searchInventory (${backend})`, () => {
    let s: TestServices;
    let index: Expected[];
    before(async () => {
      s = await freshServices(backend);
      index = await populate(s);
    });
    after(() => s.close());

    const search = (q: ComponentQueryParams, who: Caller = CLI_CALLER) =>
      searchInventory(s, who, parseComponentQuery({ limit: '500', ...q }));
    /** Every hit, following cursors. */
    const searchAll = async (q: ComponentQueryParams, who: Caller = CLI_CALLER) => {
      const out: ComponentHitView[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Page<ComponentHitView> = await searchInventory(
          s,
          who,
          parseComponentQuery({ ...q, ...(cursor ? { cursor } : {}) }),
        );
        out.push(...page.items);
        cursor = page.nextCursor;
        pages++;
      } while (cursor);
      return { hits: out, pages };
    };
    /** The oracle: matching current components, newest first. */
    const want = (pred: (e: Expected) => boolean, history = false) =>
      index
        .filter((e) => (history || e.current) && pred(e))
        .reverse()
        .map(expectedRow);

    it('by exact purl', async () => {
      const r = await search({ purl: 'pkg:npm/lodash@4.17.19' });
      assert.deepEqual(r.items.map(row), [
        ['protonmail-web', '4.0.0-beta.20', 'pkg:npm/lodash@4.17.19', false],
        ['juice-shop', '11.1.2', 'pkg:npm/lodash@4.17.19', false],
      ]);
      assert.equal(r.nextCursor, null);
      const h = r.items[1];
      assert.equal(h?.product.team, 'default');
      assert.equal(h?.current, true);
      assert.equal(h?.ecosystem, 'npm');
      assert.match(h?.artifact.digest ?? '', /^sha256:[0-9a-f]{64}$/);
    });

    it('by purl without version: every version of the package', async () => {
      const r = await search({ purl: 'pkg:npm/lodash' });
      assert.deepEqual(
        r.items.map(row),
        want((e) => e.package === 'pkg:npm/lodash'),
      );
      assert.deepEqual(
        r.items.map((h) => `${h.product.name}@${h.release.version}:${h.version}`),
        [
          'juice-shop-npm@14.1.1:2.4.2',
          'juice-shop-npm@14.1.1:4.17.21',
          'protonmail-web@4.0.0-beta.20:4.17.19',
          'juice-shop@11.1.2:2.4.2',
          'juice-shop@11.1.2:4.17.19',
          'demo@1.1.0:4.17.21',
          'demo@1.0.0:4.17.20',
        ],
      );
    });

    it('by name and version, and by name with ecosystem', async () => {
      const r = await search({ name: 'lodash', version: '4.17.21' });
      assert.deepEqual(r.items.map(row), [
        ['juice-shop-npm', '14.1.1', 'pkg:npm/lodash@4.17.21', false],
        ['demo', '1.1.0', 'pkg:npm/lodash@4.17.21', true],
      ]);
      assert.deepEqual(
        (await search({ name: 'guava', ecosystem: 'maven' })).items.map(row),
        want((e) => e.name === 'guava' && e.ecosystem === 'maven'),
      );
      assert.deepEqual((await search({ name: 'lodash', ecosystem: 'pypi' })).items, []);
    });

    it('by vers range across releases with different versions', async () => {
      const range = 'vers:npm/>=4.0.0|<4.17.21';
      const expected: Row[] = [
        ['protonmail-web', '4.0.0-beta.20', 'pkg:npm/lodash@4.17.19', false],
        ['juice-shop', '11.1.2', 'pkg:npm/lodash@4.17.19', false],
        ['demo', '1.0.0', 'pkg:npm/lodash@4.17.20', true],
      ];
      assert.deepEqual((await search({ purl: 'pkg:npm/lodash', range })).items.map(row), expected);
      assert.deepEqual((await search({ name: 'lodash', range })).items.map(row), expected);
      // With history, the superseded first SBOM of demo 1.1.0 (lodash 4.17.20) is found too.
      const hist = await search({ purl: 'pkg:npm/lodash', range, history: 'true' });
      assert.deepEqual(hist.items.map(row), [
        ...expected.slice(0, 2),
        ['demo', '1.1.0', 'pkg:npm/lodash@4.17.20', true],
        expected[2],
      ]);
      assert.deepEqual(
        hist.items.map((h) => h.current),
        [true, true, false, true],
      );
      // A range that no recorded version satisfies finds nothing.
      assert.deepEqual(
        (await search({ purl: 'pkg:npm/lodash', range: 'vers:npm/>=5.0.0' })).items,
        [],
      );
      assert.deepEqual(
        (await search({ purl: 'pkg:npm/express', range: 'vers:npm/<4.18.0' })).items.map(row),
        [['juice-shop', '11.1.2', 'pkg:npm/express@4.17.1', false]],
      );
    });

    it('by hash, with or without its algorithm', async () => {
      const lodash = index.find((e) => e.purl === 'pkg:npm/lodash@4.17.20');
      const h = lodash?.hashes[0];
      assert.ok(h);
      const pred = (e: Expected) => e.hashes.some((x) => x.value === h.value);
      const expected = want(pred);
      assert.ok(expected.length >= 1);
      assert.deepEqual((await search({ hash: h.value })).items.map(row), expected);
      assert.deepEqual((await search({ hash: h.value.toUpperCase() })).items.map(row), expected);
      assert.deepEqual((await search({ hash: `${h.alg}:${h.value}` })).items.map(row), expected);
      assert.deepEqual(
        (await search({ hash: `${h.alg.toLowerCase().replace('-', '')}:${h.value}` })).items.map(
          row,
        ),
        expected,
      );
      assert.deepEqual((await search({ hash: `sha1:${h.value}` })).items, []);
      // SHA-256 of a Maven jar in dropwizard.
      const jar = index.find((e) => e.product === 'dropwizard' && e.purl?.includes('guava'));
      const sha = jar?.hashes.find((x) => x.alg === 'SHA-256');
      assert.ok(sha);
      assert.deepEqual(
        (await search({ hash: `sha256:${sha.value}` })).items.map(row),
        want((e) => e.hashes.some((x) => x.alg === 'SHA-256' && x.value === sha.value)),
      );
    });

    it('by MD5 hash with its algorithm', async () => {
      const jar = index.find((e) => e.product === 'dropwizard' && e.purl?.includes('guava'));
      const md5 = jar?.hashes.find((x) => x.alg === 'MD5');
      assert.ok(md5);
      const expected = want((e) => e.hashes.some((x) => x.alg === 'MD5' && x.value === md5.value));
      assert.deepEqual((await search({ hash: md5.value })).items.map(row), expected);
      // Regression test for a fixed bug: `md5:<hex>` is parsed as algorithm MD-5, while the index stores CycloneDX's MD5.
      assert.deepEqual((await search({ hash: `md5:${md5.value}` })).items.map(row), expected);
    });

    it('by exact purl with qualifiers, spelled canonically or not', async () => {
      const purl = 'pkg:maven/com.google.guava/guava@24.1.1-jre?type=jar';
      const expected = want((e) => e.purl === purl);
      assert.equal(expected.length, 1);
      assert.deepEqual((await search({ purl })).items.map(row), expected);
      // Regression test for a fixed bug: a purl with qualifiers is compared as typed, not in canonical form, so an equivalent
      // spelling (qualifier key in capitals, type in capitals) finds nothing.
      assert.deepEqual(
        (await search({ purl: 'pkg:MAVEN/com.google.guava/guava@24.1.1-jre?TYPE=jar' })).items.map(
          row,
        ),
        expected,
      );
    });

    it('by licence: ids from expressions, case-insensitive input', async () => {
      const isc = want((e) => e.licenses.includes('ISC'));
      assert.ok(isc.length > 10);
      assert.deepEqual((await search({ license: 'isc' })).items.map(row), isc.slice(0, 500));
      // Components licensed `(MIT OR Apache-2.0)` are found by either id.
      const apache = await searchAll({ license: 'Apache-2.0', limit: '500' });
      assert.deepEqual(
        apache.hits.map(row),
        want((e) => e.licenses.includes('Apache-2.0')),
      );
      assert.ok(index.some((e) => e.licenses.includes('Apache-2.0') && e.licenses.includes('MIT')));
    });

    it('direct and transitive', async () => {
      const direct = await search({ purl: 'pkg:npm/express', direct: 'true' });
      assert.deepEqual(direct.items.map(row), [
        ['juice-shop-npm', '14.1.1', 'pkg:npm/express@4.18.2', true],
        ['demo', '1.1.0', 'pkg:npm/express@4.21.2', true],
        ['demo', '1.0.0', 'pkg:npm/express@4.21.2', true],
      ]);
      const transitive = await search({ purl: 'pkg:npm/express', direct: 'false' });
      assert.deepEqual(transitive.items.map(row), [
        ['juice-shop', '11.1.2', 'pkg:npm/express@4.17.1', false],
      ]);
    });

    it('history includes superseded SBOMs', async () => {
      const now = await search({ purl: 'pkg:npm/semver', history: 'false' });
      const all = await search({ purl: 'pkg:npm/semver', history: 'true' });
      assert.deepEqual(
        now.items.map(row),
        want((e) => e.package === 'pkg:npm/semver'),
      );
      assert.deepEqual(
        all.items.map(row),
        want((e) => e.package === 'pkg:npm/semver', true),
      );
      assert.ok(all.items.length > now.items.length);
    });

    it('pages with a cursor: newest first, no duplicates, no gaps', async () => {
      const expected = want((e) => e.licenses.includes('MIT'));
      assert.ok(expected.length > 2000);
      const { hits, pages } = await searchAll({ license: 'mit', limit: '333' });
      assert.equal(pages, Math.ceil(expected.length / 333));
      assert.deepEqual(hits.map(row), expected);
      // Equal to the oracle row for row: nothing twice, nothing skipped at a page boundary.
      assert.equal(hits.length, expected.length);
      // A page of exactly the remaining rows has no next cursor.
      const small = await searchAll({ purl: 'pkg:npm/lodash', limit: '1' });
      assert.equal(small.pages, 7);
      assert.deepEqual(
        small.hits.map(row),
        want((e) => e.package === 'pkg:npm/lodash'),
      );
      const exact = await search({ purl: 'pkg:npm/lodash', limit: '7' });
      assert.equal(exact.nextCursor, null);
      const short = await search({ purl: 'pkg:npm/lodash', limit: '6' });
      assert.notEqual(short.nextCursor, null);
    });

    it('team scope: a team token sees its own team only', async () => {
      const web = await search({ purl: 'pkg:npm/lodash' }, caller('viewer', ['web']));
      assert.deepEqual(web.items.map(row), [
        ['juice-shop-npm', '14.1.1', 'pkg:npm/lodash@2.4.2', false],
        ['juice-shop-npm', '14.1.1', 'pkg:npm/lodash@4.17.21', false],
      ]);
      assert.ok(web.items.every((h) => h.product.team === 'web'));
      const def = await search({ purl: 'pkg:npm/lodash' }, caller('viewer', ['default']));
      assert.equal(def.items.length, 5);
      assert.deepEqual(
        (await search({ purl: 'pkg:npm/lodash' }, caller('viewer', ['nope']))).items,
        [],
      );
      const both = await search({ purl: 'pkg:npm/lodash' }, caller('auditor', ['web', 'default']));
      assert.equal(both.items.length, 7);
    });

    it('needs inventory:read', async () => {
      const nobody: Caller = {
        principal: { actor: 'x', person: 'x', role: 'viewer', teams: [] },
        source: 't',
      };
      assert.deepEqual((await search({ purl: 'pkg:npm/lodash' }, nobody)).items, []);
      // Every role can read; the permission check itself is covered by the roles table.
      for (const role of ['admin', 'publisher', 'approver', 'auditor', 'viewer'] as const) {
        assert.equal(
          (await search({ purl: 'pkg:npm/lodash@4.17.20' }, caller(role))).items.length,
          1,
        );
      }
      await expectCustodyErrorAsync(
        () => searchInventory(s, CLI_CALLER, parseComponentQuery({ name: 'x', cursor: 'bad' })),
        InventoryError,
        'INVENTORY_QUERY_INVALID',
      );
    });
  });
}
