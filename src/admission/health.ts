import { AdmissionGovernanceError } from './governance-errors.js';

/**
 * Upstream health, for overrides that revert once it has held: "10 healthy probes over 5 minutes"
 * means the last 10 probes of each named upstream taken in the last 5 minutes are all healthy.
 */

export interface HealthRule {
  upstreams: string[];
  /** How many consecutive healthy probes (the newest ones) each upstream needs. */
  probes: number;
  /** How far back those probes may reach. */
  windowMs: number;
}

export interface HealthProbe {
  upstream: string;
  /** ISO 8601. */
  at: string;
  healthy: boolean;
}

export const DEFAULT_HEALTH_PROBES = 10;
export const DEFAULT_HEALTH_WINDOW_MS = 5 * 60_000;
const MAX_UPSTREAMS = 20;
const MAX_PROBES = 1000;
const MIN_WINDOW_MS = 1000;
const MAX_WINDOW_MS = 24 * 3600_000;
const UPSTREAM = /^[a-z0-9][a-z0-9._-]{0,62}$/;

export function isUpstreamName(s: string): boolean {
  return UPSTREAM.test(s);
}

/**
 * Whether health has held at `at`: for every upstream of the rule, at least `probes` probes were
 * taken in the window (at − windowMs, at], and the newest `probes` of them are all healthy. An
 * older failure inside the window does not count against it once enough healthy probes follow;
 * probes after `at` are not looked at. A rule without upstreams never holds.
 */
export function healthHeld(probes: readonly HealthProbe[], rule: HealthRule, at: Date): boolean {
  if (rule.upstreams.length === 0 || rule.probes < 1) return false;
  const end = at.getTime();
  const start = end - rule.windowMs;
  return rule.upstreams.every((u) => {
    const recent = probes
      .filter((p) => p.upstream === u)
      .map((p) => ({ t: Date.parse(p.at), healthy: p.healthy }))
      .filter((p) => p.t > start && p.t <= end)
      .sort((a, b) => b.t - a.t)
      .slice(0, rule.probes);
    return recent.length === rule.probes && recent.every((p) => p.healthy);
  });
}

/** @throws AdmissionGovernanceError ADMISSION_OVERRIDE_INVALID */
export function validateHealthRule(given: Partial<HealthRule>): HealthRule {
  const r: Partial<HealthRule> = given !== null && typeof given === 'object' ? given : {};
  const bad = (why: string): never => {
    throw new AdmissionGovernanceError('ADMISSION_OVERRIDE_INVALID', `revertWhenHealthy: ${why}`, {
      details: { reason: why },
    });
  };
  const upstreams = [...new Set(Array.isArray(r.upstreams) ? r.upstreams : [])];
  if (upstreams.length === 0 || upstreams.length > MAX_UPSTREAMS)
    bad(`names 1–${MAX_UPSTREAMS} upstreams`);
  for (const u of upstreams)
    if (typeof u !== 'string' || !UPSTREAM.test(u))
      bad(
        `upstream ${typeof u === 'string' ? JSON.stringify(u.slice(0, 40)) : `(a ${typeof u})`} is not an upstream name`,
      );
  const probes = r.probes ?? DEFAULT_HEALTH_PROBES;
  if (!Number.isInteger(probes) || probes < 1 || probes > MAX_PROBES)
    bad(`probes is a whole number from 1 to ${MAX_PROBES}`);
  const windowMs = r.windowMs ?? DEFAULT_HEALTH_WINDOW_MS;
  if (!Number.isInteger(windowMs) || windowMs < MIN_WINDOW_MS || windowMs > MAX_WINDOW_MS)
    bad(`windowMs is from ${MIN_WINDOW_MS} to ${MAX_WINDOW_MS}`);
  return { upstreams, probes, windowMs };
}
