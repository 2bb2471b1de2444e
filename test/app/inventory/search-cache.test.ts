import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ingestSbom } from '../../../src/app/inventory/ingest-sbom.js';
import { SearchCache } from '../../../src/app/inventory/search-cache.js';
import { searchInventory } from '../../../src/app/inventory/search-components.js';
import { patchRelease } from '../../../src/app/inventory/update-release.js';
import { bootstrapAdminToken, CLI_CALLER, createToken } from '../../../src/app/tokens.js';
import { parseComponentQuery } from '../../../src/inventory/query.js';
import { BACKENDS, freshServices, type TestServices } from '../../helpers/store.js';
import { caller, demoSbom } from './fixtures.js';

for (const backend of BACKENDS) {
  describe(`search cache (${backend})`, () => {
    let s: TestServices;
    before(async () => {
      s = await freshServices(backend);
      s.searchCache = new SearchCache(100);
      await bootstrapAdminToken(s);
      await createToken(s, CLI_CALLER, { role: 'viewer', teams: ['other'] });
    });
    after(() => s.close());

    const lodash = parseComponentQuery({ purl: 'pkg:npm/lodash' });
    const admin = caller('admin');

    it('serves a repeat from the cache, and never an answer older than the last write', async () => {
      await ingestSbom(s, admin, {
        bytes: await demoSbom('demo-app'),
        product: 'p',
        release: '1.0.0',
      });
      const first = await searchInventory(s, admin, lodash);
      assert.equal(first.items.length, 1);
      assert.equal(await searchInventory(s, admin, lodash), first, 'a repeat is the cached answer');

      await ingestSbom(s, admin, {
        bytes: await demoSbom('demo-app-1.1'),
        product: 'p',
        release: '1.1.0',
      });
      const second = await searchInventory(s, admin, lodash);
      assert.equal(second.items.length, 2, 'an ingest invalidates');

      await patchRelease(s, admin, second.items[0]?.release.id as number, { deployed: true });
      const third = await searchInventory(s, admin, lodash);
      assert.equal(third.items[0]?.release.deployed, true, 'any write invalidates');
    });

    it('keeps answers apart per team scope', async () => {
      const outsider = caller('viewer', ['other']);
      assert.equal((await searchInventory(s, outsider, lodash)).items.length, 0);
      assert.equal((await searchInventory(s, admin, lodash)).items.length, 2);
      assert.equal((await searchInventory(s, outsider, lodash)).items.length, 0);
    });
  });
}

describe('SearchCache', () => {
  it('drops the least recently used entry at capacity, and stores nothing at capacity 0', () => {
    const c = new SearchCache<number>(2);
    c.set('a', 1, 1);
    c.set('b', 1, 2);
    assert.equal(c.get('a', 1), 1);
    c.set('c', 1, 3);
    assert.equal(c.get('b', 1), undefined);
    assert.equal(c.get('a', 1), 1);
    assert.equal(c.get('a', 2), undefined, 'another generation misses');
    const off = new SearchCache<number>(0);
    off.set('a', 1, 1);
    assert.equal(off.get('a', 1), undefined);
  });
});
