import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  StoredAdmissionGovernance,
  setNamespaceConfig,
} from '../../../../src/app/admission/governance/index.js';
import { openServices, type Services } from '../../../../src/app/services.js';
import { BACKENDS, freshServices, type TestServices } from '../../../helpers/store.js';
import { callerFor } from './callers.js';

/**
 * Two replicas on one database: a write on one is seen on the other once the generation row is
 * read again (at most `refreshMs` later), and not served from a stale cache after that.
 */
for (const backend of BACKENDS) {
  describe(`admission governance across replicas (${backend})`, () => {
    let a: TestServices;
    let b: Services & { close(): Promise<void> };
    before(async () => {
      a = await freshServices(backend);
      b = await openServices({ dataDir: a.dataDir, databaseUrl: a.databaseUrl, tlog: false });
    });
    after(async () => {
      await b.close();
      await a.close();
    });

    it("sees another replica's write after the refresh interval", async () => {
      let wall = 0;
      const reader = new StoredAdmissionGovernance(b, { refreshMs: 1000, now: () => wall });
      const admin = await callerFor(a, 'admin', 'ada');
      assert.equal((await reader.namespaceConfig('prod', 'web')).mode, 'enforce');
      const g0 = reader.generation();
      await setNamespaceConfig(a, admin, '*', 'web', { mode: 'audit', team: 'shop' });
      // Within the interval the cached answer stands (the write was on another replica).
      wall = 500;
      assert.equal((await reader.namespaceConfig('prod', 'web')).mode, 'enforce');
      wall = 1000;
      assert.equal((await reader.namespaceConfig('prod', 'web')).mode, 'audit');
      assert.notEqual(reader.generation(), g0);
    });
  });
}
