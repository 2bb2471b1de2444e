import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { CoreError } from '../core/index.js';

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
  /** Request and connection time-outs, in milliseconds. */
  timeouts: TimeoutConfig;
  logLevel: string;
  /** Worker threads reading pushed SBOMs (0: on the main thread). */
  ingestWorkers: number;
  /** Search answers cached until the next write (0: no cache). */
  searchCacheEntries: number;
  tlog: TlogConfig;
  /** The URL clients reach this service at (certificate and dev-issuer URLs). */
  publicUrl: string;
  /** OIDC issuers whose ID tokens the CA accepts (CUSTODY_OIDC_ISSUERS, JSON). */
  oidcIssuers: OidcIssuerSetting[];
  /**
   * Longest ID-token lifetime (exp − iat) the CA accepts, in seconds
   * (CUSTODY_OIDC_MAX_TOKEN_LIFETIME; default 600, Brief 2's "≤ 10 min"). The dev issuer's
   * tokens live no longer.
   */
  oidcMaxTokenLifetimeSeconds: number;
  /** A directory polled for trigger event files (`--events-dir`, CUSTODY_EVENTS_DIR). */
  eventsDir: string | undefined;
  /** The secret of inbound GitHub/GitLab webhooks that name no team (CUSTODY_WEBHOOK_SECRET). */
  webhookSecret: string | undefined;
}

/** The default of CUSTODY_OIDC_MAX_TOKEN_LIFETIME (sign/oidc's DEFAULT_MAX_TOKEN_LIFETIME_SECONDS). */
export const DEFAULT_OIDC_MAX_TOKEN_LIFETIME_SECONDS = 600;

export interface OidcIssuerSetting {
  issuer: string;
  jwksUrl?: string;
  jwksFile?: string;
  audience?: string | string[];
  subjects?: string[];
}

/** CUSTODY_REQUEST_TIMEOUT, CUSTODY_UPLOAD_TIMEOUT, CUSTODY_CONNECTION_TIMEOUT, in ms. */
export interface TimeoutConfig {
  /** A request's headers and body must arrive within this (default 30 s). */
  requestMs: number;
  /**
   * The same for SBOM pushes and log appends, whose bodies may be CUSTODY_MAX_SBOM_BYTES large:
   * by default the request time-out plus one second per 512 KiB of that limit.
   */
  uploadMs: number;
  /** A connection silent both ways for this long is closed (default 120 s). */
  connectionMs: number;
}

/** The transparency log's settings (CUSTODY_TLOG_*). */
export interface TlogConfig {
  /** Checkpoint origin; undefined: the stored one, or `<hostname>/custody-log` for a new log. */
  origin: string | undefined;
  /** The log key (PKCS#8 PEM); undefined: `<dataDir>/tlog/log-key.pem`, created on first start. */
  keyPath: string | undefined;
  /** The type of a key created on first start. */
  keyType: 'ed25519' | 'ecdsa-p256';
  /** Appends need a token with the tlog:append permission. */
  requireToken: boolean;
  /** Appends a second per client address (0: no limit). */
  ratePerClient: number;
  /** Witnesses to ask for cosignatures: `url=vkey` pairs, comma-separated. */
  witnesses: Array<{ url: string; vkey: string }>;
  /** How often the newest checkpoint is sent to the witnesses. */
  witnessIntervalMs: number;
  /** Worker threads checking entries' signatures (0: on the main thread). */
  checkWorkers: number;
}

export const DEFAULT_DATA_DIR = './.custody';
export const DEFAULT_LISTEN = '127.0.0.1:8080';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface ServeFlags {
  dataDir?: string;
  listen?: string;
  eventsDir?: string;
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
  const maxSbomBytes = bytes(
    env['CUSTODY_MAX_SBOM_BYTES'],
    64 * 1024 * 1024,
    'CUSTODY_MAX_SBOM_BYTES',
  );
  return {
    dataDir: resolve(flags.dataDir ?? env['CUSTODY_DATA_DIR'] ?? DEFAULT_DATA_DIR),
    ...listen,
    databaseUrl: nonEmpty(env['CUSTODY_DATABASE_URL']),
    maxSbomBytes,
    maxBodyBytes: bytes(env['CUSTODY_MAX_BODY_BYTES'], 1024 * 1024, 'CUSTODY_MAX_BODY_BYTES'),
    timeouts: timeoutConfig(env, maxSbomBytes),
    logLevel,
    ingestWorkers: workers(env['CUSTODY_INGEST_WORKERS']),
    searchCacheEntries: cacheEntries(env['CUSTODY_SEARCH_CACHE']),
    tlog: tlogConfig(env),
    publicUrl: (
      nonEmpty(env['CUSTODY_PUBLIC_URL']) ??
      `http://${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${listen.port}`
    ).replace(/\/+$/, ''),
    oidcIssuers: oidcIssuers(env['CUSTODY_OIDC_ISSUERS']),
    oidcMaxTokenLifetimeSeconds: tokenLifetime(env['CUSTODY_OIDC_MAX_TOKEN_LIFETIME']),
    eventsDir: eventsDir(flags.eventsDir ?? nonEmpty(env['CUSTODY_EVENTS_DIR'])),
    webhookSecret: webhookSecret(nonEmpty(env['CUSTODY_WEBHOOK_SECRET'])),
  };
}

function oidcIssuers(v: string | undefined): OidcIssuerSetting[] {
  if (v === undefined || v.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(v);
  } catch {
    parsed = undefined;
  }
  const ok =
    Array.isArray(parsed) &&
    parsed.every(
      (i) =>
        typeof i === 'object' &&
        i !== null &&
        typeof (i as { issuer?: unknown }).issuer === 'string' &&
        /^https?:\/\//.test((i as { issuer: string }).issuer),
    );
  if (!ok)
    throw new CoreError(
      'USAGE',
      'CUSTODY_OIDC_ISSUERS is a JSON list like [{"issuer":"https://token.actions.githubusercontent.com","audience":"sigstore","subjects":["https://github.com/acme/.*"]}]',
    );
  return parsed as OidcIssuerSetting[];
}

function tokenLifetime(v: string | undefined): number {
  if (v === undefined || v.trim() === '') return DEFAULT_OIDC_MAX_TOKEN_LIFETIME_SECONDS;
  const n = Number(v);
  if (!/^\d+$/.test(v.trim()) || n < 1 || n > 86_400)
    throw new CoreError(
      'USAGE',
      'CUSTODY_OIDC_MAX_TOKEN_LIFETIME is the longest ID-token lifetime (exp − iat) accepted, a whole number of seconds from 1 to 86400 (default 600)',
    );
  return n;
}

function tlogConfig(env: Readonly<Record<string, string | undefined>>): TlogConfig {
  const origin = nonEmpty(env['CUSTODY_TLOG_ORIGIN']);
  // Sigstore clients match the checkpoint's key name (the origin) against a URL as a regular
  // expression, so the origin keeps to characters that mean themselves there.
  if (origin !== undefined && !/^[A-Za-z0-9][A-Za-z0-9.:/_~-]*$/.test(origin))
    throw new CoreError(
      'USAGE',
      'CUSTODY_TLOG_ORIGIN must be a schema-less URL of letters, digits and . : / _ ~ -, e.g. log.example.com/custody',
    );
  const keyType = env['CUSTODY_TLOG_KEY_TYPE'] ?? 'ed25519';
  if (keyType !== 'ed25519' && keyType !== 'ecdsa-p256')
    throw new CoreError('USAGE', 'CUSTODY_TLOG_KEY_TYPE must be ed25519 or ecdsa-p256');
  const rateText = env['CUSTODY_TLOG_RATE'] ?? '1000';
  const rate = Number(rateText);
  if (!Number.isFinite(rate) || rate < 0)
    throw new CoreError(
      'USAGE',
      'CUSTODY_TLOG_RATE must be a number of appends a second per client (0: no limit)',
    );
  const witnesses = (nonEmpty(env['CUSTODY_TLOG_WITNESSES']) ?? '')
    .split(',')
    .map((w) => w.trim())
    .filter((w) => w !== '')
    .map((w) => {
      const at = w.indexOf('=');
      const url = w.slice(0, at);
      if (at < 1 || !/^https?:\/\//.test(url))
        throw new CoreError(
          'USAGE',
          'CUSTODY_TLOG_WITNESSES is a comma-separated list of <witness URL>=<witness vkey>',
        );
      return { url, vkey: w.slice(at + 1) };
    });
  const requireToken = env['CUSTODY_TLOG_APPEND_TOKEN'] ?? 'false';
  if (requireToken !== 'true' && requireToken !== 'false')
    throw new CoreError('USAGE', 'CUSTODY_TLOG_APPEND_TOKEN must be true or false');
  return {
    origin,
    keyPath: nonEmpty(env['CUSTODY_TLOG_KEY']),
    keyType,
    requireToken: requireToken === 'true',
    ratePerClient: rate,
    witnesses,
    witnessIntervalMs:
      seconds(env['CUSTODY_TLOG_WITNESS_INTERVAL'], 5, 'CUSTODY_TLOG_WITNESS_INTERVAL') * 1000,
    checkWorkers: count(env['CUSTODY_TLOG_CHECK_WORKERS'], 0, 'CUSTODY_TLOG_CHECK_WORKERS'),
  };
}

// Uploads get one more second per 512 KiB of the largest SBOM: a slow but honest link (4 Mbit/s)
// still finishes the largest push, and a trickling client is cut off after a bounded time.
const UPLOAD_BYTES_PER_SECOND = 512 * 1024;

function timeoutConfig(
  env: Readonly<Record<string, string | undefined>>,
  maxSbomBytes: number,
): TimeoutConfig {
  const request = seconds(env['CUSTODY_REQUEST_TIMEOUT'], 30, 'CUSTODY_REQUEST_TIMEOUT');
  const upload = seconds(
    env['CUSTODY_UPLOAD_TIMEOUT'],
    request + Math.ceil(maxSbomBytes / UPLOAD_BYTES_PER_SECOND),
    'CUSTODY_UPLOAD_TIMEOUT',
  );
  const connection = seconds(env['CUSTODY_CONNECTION_TIMEOUT'], 120, 'CUSTODY_CONNECTION_TIMEOUT');
  return {
    requestMs: Math.round(request * 1000),
    uploadMs: Math.round(upload * 1000),
    connectionMs: Math.round(connection * 1000),
  };
}

function count(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 64)
    throw new CoreError('USAGE', `${name} must be a whole number from 0 to 64`);
  return n;
}

function seconds(v: string | undefined, fallback: number, name: string): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0.05 || n > 86_400)
    throw new CoreError('USAGE', `${name} must be a number of seconds from 0.05 to 86400`);
  return n;
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

function eventsDir(v: string | undefined): string | undefined {
  return v === undefined ? undefined : resolve(v);
}

function webhookSecret(v: string | undefined): string | undefined {
  if (v !== undefined && v.length < 16) {
    throw new CoreError('USAGE', 'CUSTODY_WEBHOOK_SECRET must be at least 16 characters long');
  }
  return v;
}
