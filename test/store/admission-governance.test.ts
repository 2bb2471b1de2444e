import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  bumpGovernanceGeneration,
  effectiveNamespaceRows,
  insertException,
  insertHealthProbe,
  insertNamespaceConfig,
  listExceptions,
  listHealthProbes,
  listNamespaceConfigs,
  PROBE_RETENTION_MS,
  readGovernanceGeneration,
} from '../../src/store/admission-governance.js';
import { BACKENDS, freshServices, type TestServices } from '../helpers/store.js';

for (const backend of BACKENDS) {
  describe(`admission governance store (${backend})`, () => {
    let s: TestServices;
    before(async () => {
      s = await freshServices(backend);
    });
    after(async () => s.close());

    const ns = (
      cluster: string,
      namespace: string,
      version: number,
      team: string | null = 'shop',
    ) =>
      insertNamespaceConfig(s.db.kysely, {
        cluster,
        namespace,
        version,
        config: JSON.stringify({ mode: version % 2 ? 'audit' : 'warn' }),
        team,
        updated_by: 'test',
        updated_at: new Date().toISOString(),
      });

    it('answers the newest version per cluster, the cluster-specific one first', async () => {
      await ns('*', 'web', 1);
      await ns('*', 'web', 2);
      await ns('prod', 'web', 1);
      await ns('*', 'other', 1, 'other');
      const rows = await effectiveNamespaceRows(s.db.kysely, 'prod', 'web');
      assert.deepEqual(
        rows.map((r) => [r.cluster, r.version]),
        [
          ['prod', 1],
          ['*', 2],
        ],
      );
      const star = await effectiveNamespaceRows(s.db.kysely, 'staging', 'web');
      assert.deepEqual(
        star.map((r) => [r.cluster, r.version]),
        [['*', 2]],
      );
      assert.deepEqual(await effectiveNamespaceRows(s.db.kysely, undefined, 'none'), []);
      const listed = await listNamespaceConfigs(s.db.kysely, { teams: ['shop'], limit: 10 });
      assert.deepEqual(
        listed.map((r) => [r.cluster, r.namespace, r.version]),
        [
          ['*', 'web', 2],
          ['prod', 'web', 1],
        ],
      );
      await assert.rejects(ns('*', 'web', 2));
    });

    it('filters exceptions by expiry in the query (no job turns them off)', async () => {
      const base = {
        namespace: 'web',
        team: 'shop',
        image_pattern: 'x/*',
        ticket: 'T',
        reasons: '[]',
        requester_actor: 'a',
        requester_person: 'a',
        requested_at: '2026-12-01T00:00:00.000Z',
      };
      await insertException(s.db.kysely, { ...base, expires_at: '2026-12-02T00:00:00.000Z' });
      await insertException(s.db.kysely, { ...base, expires_at: '2026-12-09T00:00:00.000Z' });
      const at = (t: string) =>
        listExceptions(s.db.kysely, { namespace: 'web', unexpiredAt: t, limit: 10 });
      assert.equal((await at('2026-12-01T12:00:00.000Z')).length, 2);
      assert.equal((await at('2026-12-02T00:00:00.000Z')).length, 1);
      assert.equal((await at('2026-12-10T00:00:00.000Z')).length, 0);
    });

    it('keeps health probes for a bounded time', async () => {
      const t = Date.parse('2026-12-05T00:00:00Z');
      await insertHealthProbe(s.db.kysely, {
        upstream: 'log',
        at: new Date(t - PROBE_RETENTION_MS - 1).toISOString(),
        healthy: true,
        detail: null,
      });
      await insertHealthProbe(s.db.kysely, {
        upstream: 'log',
        at: new Date(t - 1000).toISOString(),
        healthy: false,
        detail: 'HTTP 503',
      });
      await insertHealthProbe(s.db.kysely, {
        upstream: 'log',
        at: new Date(t).toISOString(),
        healthy: true,
        detail: null,
      });
      const rows = await listHealthProbes(s.db.kysely, { upstreams: ['log'], limit: 10 });
      assert.deepEqual(
        rows.map((r) => r.healthy),
        [1, 0],
      );
    });

    it('bumps the generation', async () => {
      const g = await readGovernanceGeneration(s.db.kysely);
      await bumpGovernanceGeneration(s.db.kysely);
      assert.equal(await readGovernanceGeneration(s.db.kysely), g + 1);
    });
  });
}
