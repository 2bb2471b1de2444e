import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { CoreError } from '../core/errors.js';

/** What `custody serve` runs with: flags first, then CUSTODY_* variables, then the embedded defaults. */
export interface ServeConfig {
  dataDir: string;
  host: string;
  port: number;
  /** PostgreSQL URL; undefined: SQLite in the data directory. */
  databaseUrl: string | undefined;
  /** Largest SBOM a push may send, in bytes. */
  maxSbomBytes: number;
  /** Largest body of any other request, in bytes. */
  maxBodyBytes: number;
  logLevel: string;
  /** Worker threads reading pushed SBOMs (0: on the main thread). */
  ingestWorkers: number;
  /** Search answers cached until the next write (0: no cache). */
  searchCacheEntries: number;
}

export const DEFAULT_DATA_DIR = './.custody';
export const DEFAULT_LISTEN = '127.0.0.1:8080';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface ServeFlags {
  dataDir?: string;
  listen?: string;
}

/**
 * Load and check the configuration once, at start.
 * @throws CoreError USAGE naming the setting at fault
 */
export function loadServeConfig(
  flags: ServeFlags,
  env: Readonly<Record<string, string | undefined>>,
): ServeConfig {
  const listen = parseListen(flags.listen ?? env['CUSTODY_LISTEN'] ?? DEFAULT_LISTEN);
  const logLevel = env['CUSTODY_LOG_LEVEL'] ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new CoreError('USAGE', `CUSTODY_LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }
  return {
    dataDir: resolve(flags.dataDir ?? env['CUSTODY_DATA_DIR'] ?? DEFAULT_DATA_DIR),
    ...listen,
    databaseUrl: nonEmpty(env['CUSTODY_DATABASE_URL']),
    maxSbomBytes: bytes(env['CUSTODY_MAX_SBOM_BYTES'], 64 * 1024 * 1024, 'CUSTODY_MAX_SBOM_BYTES'),
    maxBodyBytes: bytes(env['CUSTODY_MAX_BODY_BYTES'], 1024 * 1024, 'CUSTODY_MAX_BODY_BYTES'),
    logLevel,
    ingestWorkers: workers(env['CUSTODY_INGEST_WORKERS']),
    searchCacheEntries: cacheEntries(env['CUSTODY_SEARCH_CACHE']),
  };
}

/** `host:port`, `[v6]:port`, `:port` or `port`. */
export function parseListen(s: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*))?:?(\d{1,5})$/.exec(s.trim());
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new CoreError(
      'USAGE',
      `--listen must be host:port (e.g. ${DEFAULT_LISTEN}), got ${JSON.stringify(s)}`,
    );
  }
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

// One core stays with the main thread (HTTP and the database); the rest read documents.
function workers(v: string | undefined): number {
  if (v === undefined || v === '') return Math.max(1, Math.min(8, availableParallelism() - 1));
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 64) {
    throw new CoreError('USAGE', 'CUSTODY_INGEST_WORKERS must be a whole number from 0 to 64');
  }
  return n;
}

function cacheEntries(v: string | undefined): number {
  if (v === undefined || v === '') return 1000;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 1_000_000) {
    throw new CoreError(
      'USAGE',
      'CUSTODY_SEARCH_CACHE must be a whole number of entries from 0 to 1000000',
    );
  }
  return n;
}

function bytes(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1024)
    throw new CoreError('USAGE', `${name} must be a whole number of bytes ≥ 1024`);
  return n;
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}
