import { sql } from 'kysely';
import type { Q } from './db.js';

// The write generation: a counter in one row that every write changing what a search answers
// increments inside its own transaction. Readers (any replica) compare it with the generation a
// cached answer was made under. A sequence value (an audit event id) would not do on PostgreSQL:
// ids are handed out at insert, so a write holding a lower id can commit after one holding a
// higher id, and the newest id would not move when it does. The row lock also orders the commits
// of concurrent writers, so the counter moves exactly once per committed write transaction.

/**
 * Increment the generation, inside the write's transaction. Take it as the transaction's last
 * statement: the row lock is then held only until the commit, and no writer waits for it while
 * holding a lock another writer needs.
 */
export async function bumpWriteGeneration(q: Q): Promise<void> {
  await q
    .updateTable('inventory_generation')
    .set({ value: sql<number>`value + 1` })
    .where('id', '=', 1)
    .execute();
}

/** The committed generation: it changes with every committed write that affects searches. */
export async function writeGeneration(q: Q): Promise<number> {
  const r = await q
    .selectFrom('inventory_generation')
    .select('value')
    .where('id', '=', 1)
    .executeTakeFirst();
  return Number(r?.value ?? 0);
}
