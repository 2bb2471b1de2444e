import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { IndexedComponent, SbomRecordInput } from '../../src/inventory/index.js';
import { createInventoryStore } from '../../src/store/inventory-store.js';
import { BACKENDS, freshServices, type TestServices } from '../helpers/store.js';

const NOW = '2026-01-01T00:00:00.000Z';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** `n` components of packages named `${prefix}-<i>`, each with a SHA-256 and a licence. */
function components(prefix: string, n: number): IndexedComponent[] {
  return Array.from({ length: n }, (_, i) => ({
    purl: `pkg:npm/${prefix}-${i}@1.0.${i}`,
    package: `pkg:npm/${prefix}-${i}`,
    name: `${prefix}-${i}`,
    version: `1.0.${i}`,
    ecosystem: 'npm',
    scope: null,
    direct: i % 7 === 0,
    licenseText: i % 2 ? 'MIT' : `LicenseRef-${prefix}-${i % 5}`,
    licenses: [i % 2 ? 'MIT' : `LicenseRef-${prefix}-${i % 5}`],
    hashes: [{ alg: 'SHA-256', value: sha(`${prefix}-${i}`) }],
  }));
}

function sbomInput(product: string, rows: IndexedComponent[]): SbomRecordInput {
  const document = new TextEncoder().encode(`{"product":"${product}"}`);
  return {
    team: 'default',
    product,
    release: '1.0.0',
    artifact: { digest: `sha256:${sha(`artifact ${product}`)}`, name: null },
    document,
    digest: `sha256:${sha(`{"product":"${product}"}`)}`,
    format: 'cyclonedx',
    specVersion: '1.6',
    serialNumber: null,
    mediaType: 'application/vnd.cyclonedx+json',
    qualityScore: 8,
    documentCreated: null,
    rows,
    by: { actor: 'token:1:ci', person: 'ci', role: 'publisher', source: '127.0.0.1' },
    now: NOW,
  };
}

for (const backend of BACKENDS) {
  describe(`component index writes (${backend})`, () => {
    let s: TestServices;
    before(async () => {
      s = await freshServices(backend);
      await s.db.kysely
        .insertInto('teams')
        .values({ name: 'default', gate_policy: null, created_at: NOW })
        .onConflict((oc) => oc.column('name').doNothing())
        .execute();
    });
    after(async () => {
      await s.close();
    });

    /** Each stored component with its package, hash and licences, in component order. */
    const stored = async (sbomId: number) => {
      const rows = await s.db.kysely
        .selectFrom('components as c')
        .leftJoin('packages as p', 'p.id', 'c.package_id')
        .leftJoin('component_hashes as h', 'h.component_id', 'c.id')
        .leftJoin('component_licenses as cl', 'cl.component_id', 'c.id')
        .leftJoin('licenses as l', 'l.id', 'cl.license_id')
        .select(['c.purl', 'p.package', 'h.value as hash', 'l.name as license', 'c.direct'])
        .where('c.sbom_id', '=', sbomId)
        .orderBy('c.id')
        .execute();
      return rows.map((r) => ({ ...r, direct: Number(r.direct) }));
    };

    it('links every component of a many-statement SBOM to its own package, hash and licence', async () => {
      const rows = components('many', 700);
      const r = await s.inventory.recordSbom(sbomInput('many', rows));
      assert.deepEqual(
        await stored(r.sbom.id),
        rows.map((c) => ({
          purl: c.purl,
          package: c.package,
          hash: c.hashes[0]?.value,
          license: c.licenses[0],
          direct: c.direct ? 1 : 0,
        })),
      );
    });

    it('a rolled-back ingest leaves no dictionary ids behind for the next one to use', async () => {
      // The blob goes in last (inventory-store.ts): failing it rolls back the components and the
      // new packages and licences this write inserted.
      const failing = createInventoryStore(s.db, {
        put: () => {
          throw new Error('disk full');
        },
        discard: () => {},
      });
      const rows = components('fresh', 300);
      await assert.rejects(failing.recordSbom(sbomInput('fresh-a', rows)), /disk full/);
      assert.equal(
        (
          await s.db.kysely
            .selectFrom('packages')
            .select('id')
            .where('package', 'like', 'pkg:npm/fresh-%')
            .execute()
        ).length,
        0,
      );
      const r = await s.inventory.recordSbom(sbomInput('fresh-b', rows));
      const got = await stored(r.sbom.id);
      assert.deepEqual(
        got.map((g) => [g.package, g.license]),
        rows.map((c) => [c.package, c.licenses[0]]),
      );
    });

    it('reuses committed dictionary ids: a second SBOM of the same packages adds none', async () => {
      const rows = components('again', 200);
      await s.inventory.recordSbom(sbomInput('again-a', rows));
      const count = async () =>
        Number(
          (
            await s.db.kysely
              .selectFrom('packages')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const before = await count();
      const r = await s.inventory.recordSbom(sbomInput('again-b', rows));
      assert.equal(await count(), before);
      assert.deepEqual(
        (await stored(r.sbom.id)).map((g) => g.package),
        rows.map((c) => c.package),
      );
    });
  });
}
