import { CoreError } from '../core/index.js';

/**
 * How the admission engine caches verified material and how long it waits for upstreams
 * (CUSTODY_ADMISSION_*). Kubernetes gives a webhook at most 10 s (its default timeoutSeconds),
 * so every upstream wait is short: attempts × time-out must leave room for the answer.
 */
export interface AdmissionCacheSettings {
  /** CUSTODY_ADMISSION_CACHE_TTL: verified material is fresh this long (no upstream asked). */
  ttlMs: number;
  /** CUSTODY_ADMISSION_MAX_STALENESS: past TTL, material still decides while an upstream is down. */
  maxStalenessMs: number;
  /** CUSTODY_ADMISSION_CACHE_ENTRIES: images kept per replica (least recently used go first). */
  entries: number;
  /** CUSTODY_ADMISSION_UPSTREAM_TIMEOUT: per attempt of a registry request. */
  upstreamTimeoutMs: number;
  /** CUSTODY_ADMISSION_UPSTREAM_RETRIES: attempts after the first. */
  upstreamRetries: number;
}

export const ADMISSION_CACHE_DEFAULTS: AdmissionCacheSettings = Object.freeze({
  ttlMs: 5 * 60_000,
  maxStalenessMs: 24 * 3_600_000,
  entries: 10_000,
  upstreamTimeoutMs: 2_000,
  upstreamRetries: 1,
});

/** Kubernetes' longest webhook timeout is 30 s and its default 10 s; leave a second to answer. */
const WEBHOOK_BUDGET_MS = 9_000;

/** @throws CoreError USAGE naming the variable at fault */
export function loadAdmissionCacheSettings(
  env: Readonly<Record<string, string | undefined>>,
): AdmissionCacheSettings {
  const d = ADMISSION_CACHE_DEFAULTS;
  const ttlMs = duration(env, 'CUSTODY_ADMISSION_CACHE_TTL', d.ttlMs, 1_000, 7 * 86_400_000);
  const maxStalenessMs = duration(
    env,
    'CUSTODY_ADMISSION_MAX_STALENESS',
    d.maxStalenessMs,
    0,
    30 * 86_400_000,
  );
  if (maxStalenessMs < ttlMs)
    throw usage(
      `CUSTODY_ADMISSION_MAX_STALENESS (${maxStalenessMs} ms) must be at least CUSTODY_ADMISSION_CACHE_TTL (${ttlMs} ms)`,
    );
  const entries = integer(env, 'CUSTODY_ADMISSION_CACHE_ENTRIES', d.entries, 1, 10_000_000);
  const upstreamTimeoutMs = duration(
    env,
    'CUSTODY_ADMISSION_UPSTREAM_TIMEOUT',
    d.upstreamTimeoutMs,
    100,
    WEBHOOK_BUDGET_MS,
  );
  const upstreamRetries = integer(
    env,
    'CUSTODY_ADMISSION_UPSTREAM_RETRIES',
    d.upstreamRetries,
    0,
    5,
  );
  if (upstreamTimeoutMs * (upstreamRetries + 1) > WEBHOOK_BUDGET_MS)
    throw usage(
      `CUSTODY_ADMISSION_UPSTREAM_TIMEOUT × (CUSTODY_ADMISSION_UPSTREAM_RETRIES + 1) is ${upstreamTimeoutMs * (upstreamRetries + 1)} ms, over the ${WEBHOOK_BUDGET_MS} ms a webhook can wait; shorten one of them`,
    );
  return Object.freeze({ ttlMs, maxStalenessMs, entries, upstreamTimeoutMs, upstreamRetries });
}

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `500ms`, `2s`, `5m`, `24h`, `7d`, or a bare number of seconds. */
function duration(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  dflt: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return dflt;
  const m = /^(\d{1,9})(ms|s|m|h|d)?$/.exec(raw);
  if (!m)
    throw usage(
      `${name} is a duration such as 500ms, 2s, 5m, 24h or 7d; ${JSON.stringify(raw.slice(0, 40))} is not one`,
    );
  const ms = Number(m[1]) * (UNITS[m[2] ?? 's'] as number);
  if (ms < min || ms > max)
    throw usage(`${name} must be between ${min} ms and ${max} ms; ${raw} is ${ms} ms`);
  return ms;
}

function integer(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  dflt: number,
  min: number,
  max: number,
): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return dflt;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < min || Number(raw) > max)
    throw usage(
      `${name} is a whole number from ${min} to ${max}; ${JSON.stringify(raw.slice(0, 40))} is not`,
    );
  return Number(raw);
}

function usage(message: string): CoreError {
  return new CoreError('USAGE', message);
}
