import { sql } from 'kysely';
import { ensureTeam } from '../../src/store/catalogue.js';
import { openDb } from '../../src/store/db.js';
import { createInventoryStore } from '../../src/store/inventory-store.js';
import { countRows } from '../helpers/server.js';
import { BACKENDS, freshServices } from '../helpers/store.js';
import { runInventoryStoreContract } from './inventory-store.js';

for (const backend of BACKENDS) {
  runInventoryStoreContract(backend, async () => {
    const s = await freshServices(backend);
    let failNext = false;
    const blobs = {
      put(bytes: Uint8Array) {
        if (failNext) {
          failNext = false;
          throw new Error('no space left on device (simulated)');
        }
        return s.blobs.put(bytes);
      },
      discard: (digest: string) => s.blobs.discard(digest),
    };
    return {
      store: createInventoryStore(s.db, blobs),
      addTeam: async (name) => {
        await ensureTeam(s.db.kysely, name, '2026-11-30T00:00:00.000Z');
      },
      rowCounts: () => countRows(s),
      hasBlob: (digest) => s.blobs.has(digest),
      componentsOf: async (pkg) => {
        const rows = await s.db.kysely
          .selectFrom('components as c')
          .innerJoin('packages as p', 'p.id', 'c.package_id')
          .innerJoin('sboms as s', 's.id', 'c.sbom_id')
          .select(['c.id', 'c.sbom_id', 'c.version', 's.current'])
          .where('p.package', '=', pkg)
          .orderBy('c.id')
          .execute();
        const out = [];
        for (const r of rows) {
          const licenses = await s.db.kysely
            .selectFrom('component_licenses as cl')
            .innerJoin('licenses as l', 'l.id', 'cl.license_id')
            .select('l.name')
            .where('cl.component_id', '=', r.id)
            .execute();
          out.push({
            sbomId: r.sbom_id,
            version: r.version,
            current: r.current === 1,
            licenses: licenses.map((l) => l.name),
          });
        }
        return out;
      },
      auditTargets: async () =>
        (
          await sql<{ target: string }>`select target from audit_events order by id`.execute(
            s.db.kysely,
          )
        ).rows.map((r) => r.target),
      ...(s.databaseUrl
        ? {
            replica: async () => {
              const db = await openDb({ dataDir: s.dataDir, databaseUrl: s.databaseUrl });
              return { store: createInventoryStore(db, s.blobs), close: () => db.close() };
            },
          }
        : {}),
      failNextBlobWrite: () => {
        failNext = true;
      },
      close: () => s.close(),
    };
  });
}
