import { sql } from 'kysely';
import type { Db } from '../db.js';
import { PgBossQueue } from './pgboss-queue.js';
import type { JobQueue } from './ports.js';
import { SqliteJobQueue } from './sqlite-queue.js';

export interface OpenJobQueueOptions {
  /** The PostgreSQL URL `db` was opened with (pg-boss opens its own small pool). */
  databaseUrl?: string | undefined;
  /** How often an idle worker looks for due jobs, in ms (pg-boss: at least 500). */
  pollMs?: number;
  onError?: (e: Error) => void;
}

/**
 * The job queue of the database `db` is: pg-boss in the service's own PostgreSQL schema (the
 * first of its search_path), or the in-process runner on SQLite.
 */
export async function openJobQueue(db: Db, o: OpenJobQueueOptions = {}): Promise<JobQueue> {
  if (db.dialect === 'sqlite') {
    return SqliteJobQueue.start(db, o.pollMs !== undefined ? { pollMs: o.pollMs } : {});
  }
  if (o.databaseUrl === undefined) throw new TypeError('openJobQueue: databaseUrl is required');
  const schema = (await sql<{ s: string }>`select current_schema() as s`.execute(db.kysely)).rows[0]
    ?.s;
  return PgBossQueue.start({
    connectionString: o.databaseUrl,
    schema: schema ?? 'public',
    pollingIntervalSeconds: Math.max(0.5, (o.pollMs ?? 1000) / 1000),
    ...(o.onError ? { onError: o.onError } : {}),
  });
}
