import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { BACKENDS, freshServices, type TestServices } from '../helpers/store.js';

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
