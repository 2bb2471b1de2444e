import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ingestSbom } from '../../src/app/inventory/ingest-sbom.js';
import { setGatePolicy } from '../../src/app/inventory/manage-teams.js';
import { portfolioFigures } from '../../src/app/inventory/portfolio-figures.js';
import { searchInventory } from '../../src/app/inventory/search-components.js';
import { bootstrapAdminToken, CLI_CALLER } from '../../src/app/tokens.js';
import { parseComponentQuery } from '../../src/inventory/query.js';
import { demoSbom, SAMPLES, sample } from '../app/inventory/fixtures.js';
import { freshServices, type TestServices } from '../helpers/store.js';

const QUERIES = [
  { purl: 'pkg:npm/lodash' },
  { purl: 'pkg:npm/lodash@4.17.21' },
  { purl: 'pkg:npm/lodash@4.17.20', history: 'true' },
  { purl: 'pkg:npm/lodash', range: 'vers:npm/>=4.0.0|<4.17.21', history: 'true' },
  { name: 'express', direct: 'true' },
  { purl: 'pkg:golang/github.com/sirupsen/logrus' },
  {
    purl: 'pkg:golang/github.com/sirupsen/logrus',
    range: 'vers:golang/>=v1.4.0|<v1.8.0',
  },
  { purl: 'pkg:maven/org.keycloak/keycloak-core' },
  { license: 'Apache-2.0', limit: '500' },
  { license: 'mit', limit: '37' },
  { name: 'guava' },
  { purl: 'pkg:maven/com.google.guava/guava@24.1.1-jre?type=jar' },
];

describe('SQLite and PostgreSQL give the same answers for the same ingests', () => {
  const at = new Date();
  let lite: TestServices;
  let pg: TestServices;
  before(async () => {
    lite = await freshServices('sqlite', () => at);
    pg = await freshServices('postgres', () => at);
    const demo = await demoSbom('demo-app');
    const pushes = [
      { bytes: demo, product: 'demo', release: '1.0.0' },
      { bytes: await demoSbom('demo-app-1.1'), product: 'demo', release: '1.0.0' },
      {
        bytes: sample(SAMPLES, 'keycloak-10.0.2/bom.json'),
        product: 'keycloak',
        release: '10.0.2',
      },
      {
        bytes: sample(SAMPLES, 'proton-bridge/proton-bridge-v1.6.3.bom.json'),
        product: 'bridge',
        release: '1.6.3',
      },
      {
        bytes: sample(SAMPLES, 'proton-bridge/proton-bridge-v1.8.0.bom.json'),
        product: 'bridge',
        release: '1.8.0',
      },
      {
        bytes: sample(SAMPLES, 'dropwizard-1.3.15/bom.json'),
        product: 'dropwizard',
        release: '1.3.15',
      },
    ];
    for (const s of [lite, pg]) {
      await bootstrapAdminToken(s);
      await setGatePolicy(s, CLI_CALLER, 'default', '{}');
      for (const p of pushes) await ingestSbom(s, CLI_CALLER, p);
    }
  });
  after(async () => {
    await lite.close();
    await pg.close();
  });

  for (const q of QUERIES) {
    it(JSON.stringify(q), async () => {
      const page = async (s: TestServices) => {
        const items = [];
        let cursor: string | null = null;
        do {
          const r = await searchInventory(
            s,
            CLI_CALLER,
            parseComponentQuery({ ...q, ...(cursor ? { cursor } : {}) }),
          );
          items.push(...r.items);
          cursor = r.nextCursor;
        } while (cursor);
        return items;
      };
      const [a, b] = [await page(lite), await page(pg)];
      assert.ok(a.length > 0, 'the query should find something');
      assert.deepEqual(b, a);
    });
  }

  it('a golang range finds logrus v1.7.0 in both proton-bridge releases', async () => {
    const r = await searchInventory(
      lite,
      CLI_CALLER,
      parseComponentQuery({
        purl: 'pkg:golang/github.com/sirupsen/logrus',
        range: 'vers:golang/>=v1.4.0|<v1.8.0',
      }),
    );
    assert.deepEqual([...new Set(r.items.map((h) => h.release.version))], ['1.8.0', '1.6.3']);
  });

  it('portfolio figures', async () => {
    assert.deepEqual(
      await portfolioFigures(pg, CLI_CALLER),
      await portfolioFigures(lite, CLI_CALLER),
    );
  });
});
