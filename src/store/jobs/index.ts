export { type OpenJobQueueOptions, openJobQueue } from './open.js';
export { PgBossQueue, type PgBossQueueOptions } from './pgboss-queue.js';
export type {
  EnqueueOptions,
  FailedJob,
  Job,
  JobHandler,
  JobQueue,
  JobState,
  JobStatus,
} from './ports.js';
export {
  CLAIM_BATCH,
  claimQuery,
  SqliteJobQueue,
  type SqliteJobQueueOptions,
} from './sqlite-queue.js';
