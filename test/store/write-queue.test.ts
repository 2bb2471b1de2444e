import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { SbomRecordInput } from '../../src/inventory/index.js';
import { ensureTeam } from '../../src/store/catalogue.js';
import { writeGeneration } from '../../src/store/generation.js';
import { BACKENDS, freshServices, type TestServices } from '../helpers/store.js';

const NOW = '2026-01-01T00:00:00.000Z';

/** A small SBOM record of its own product, as ingest hands it to the store. */
function sbomInput(i: number): SbomRecordInput {
  const document = new TextEncoder().encode(`{"group-commit":${i}}`);
  return {
    team: 'default',
    product: `group-${i}`,
    release: '1.0.0',
    artifact: {
      digest: `sha256:${createHash('sha256').update(`artifact ${i}`).digest('hex')}`,
      name: null,
    },
    document,
    digest: `sha256:${createHash('sha256').update(document).digest('hex')}`,
    format: 'cyclonedx',
    specVersion: '1.6',
    serialNumber: null,
    mediaType: 'application/vnd.cyclonedx+json',
    qualityScore: 8,
    documentCreated: null,
    rows: [],
    by: { actor: 'token:1:ci', person: 'ci', role: 'publisher', source: '127.0.0.1' },
    now: NOW,
  };
}

for (const backend of BACKENDS) {
  describe(`WriteQueue (${backend})`, () => {
    let s: TestServices;
    before(async () => {
      s = await freshServices(backend);
    });
    after(async () => {
      await s.close();
    });

    const teams = async () =>
      (await s.db.kysely.selectFrom('teams').select('name').orderBy('name').execute()).map(
        (r) => r.name,
      );

    it('commits concurrent writes together, rolling back only the one that fails', async () => {
      const undone: string[] = [];
      const write = (name: string, fail = false) =>
        s.db.writes.run(
          async (trx) => {
            await trx
              .insertInto('teams')
              .values({ name, gate_policy: null, created_at: '2026-01-01T00:00:00.000Z' })
              .execute();
            if (fail) throw new Error(`refused ${name}`);
            return name;
          },
          () => {
            undone.push(name);
          },
        );
      const results = await Promise.allSettled([
        write('q-a'),
        write('q-b', true),
        write('q-c'),
        write('q-d'),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled', 'fulfilled'],
      );
      assert.deepEqual(await teams(), ['q-a', 'q-c', 'q-d']);
      assert.deepEqual(undone, ['q-b']);
    });

    // Regression test: with the queue's batch size set to 1 every other test still passed.
    it('concurrent ingests share one transaction: eight ingests, at most two commits', async () => {
      await ensureTeam(s.db.kysely, 'default', NOW);
      if (backend === 'postgres') {
        // Test instrumentation: the transaction id each SBOM row was written in.
        await sql`create table custody_test_tx (sbom_id integer, tx bigint)`.execute(s.db.kysely);
        await sql`create function custody_test_tx() returns trigger language plpgsql as $$
          begin insert into custody_test_tx values (NEW.id, txid_current()); return NEW; end $$`.execute(
          s.db.kysely,
        );
        await sql`create trigger custody_test_tx after insert on sboms
          for each row execute function custody_test_tx()`.execute(s.db.kysely);
      }
      // The write generation moves once per committed batch (the queue's beforeCommit).
      const before = await writeGeneration(s.db.kysely);
      const n = 8;
      // Called together: the first starts a transaction at once, the other seven queue behind it
      // and share the next one.
      const results = await Promise.all(
        Array.from({ length: n }, (_, i) => s.inventory.recordSbom(sbomInput(i))),
      );
      assert.ok(results.every((r) => r.created));
      const commits = (await writeGeneration(s.db.kysely)) - before;
      assert.ok(commits >= 1 && commits <= 2, `${n} concurrent ingests took ${commits} commits`);
      if (backend === 'postgres') {
        const tx = await sql<{
          n: number;
        }>`select count(distinct tx)::int as n from custody_test_tx`.execute(s.db.kysely);
        assert.equal(tx.rows[0]?.n, commits, 'one transaction per commit');
      }
    });

    it('fails every write of a batch whose commit fails, and undoes each', async () => {
      // SQLite: a deferred foreign key fires at COMMIT, after every savepoint has been released.
      const undone: string[] = [];
      const write = (name: string, poison: boolean) =>
        s.db.writes.run(
          async (trx) => {
            await trx
              .insertInto('teams')
              .values({ name, gate_policy: null, created_at: '2026-01-01T00:00:00.000Z' })
              .execute();
            if (poison) {
              if (backend === 'sqlite') await sql`pragma defer_foreign_keys = on`.execute(trx);
              await sql`insert into products (team_id, name, created_at) values (999999, ${`p-${name}`}, 'x')`.execute(
                trx,
              );
            }
            return name;
          },
          () => {
            undone.push(name);
          },
        );
      const before = await teams();
      const results = await Promise.allSettled([write('r-a', false), write('r-b', true)]);
      if (results.every((r) => r.status === 'rejected')) {
        assert.deepEqual(await teams(), before);
        assert.deepEqual(undone.sort(), ['r-a', 'r-b']);
      } else {
        // PostgreSQL checks a non-deferrable foreign key at once: then only the poisoned write fails.
        assert.deepEqual(
          results.map((r) => r.status),
          ['fulfilled', 'rejected'],
        );
        assert.deepEqual(undone, ['r-b']);
      }
    });
  });
}
