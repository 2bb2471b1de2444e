import { ProvenanceBuildError } from './build-errors.js';
import type { CiEnv } from './build-types.js';

/** A CI variable's longest accepted value: run ids, refs and URLs are far shorter. */
const MAX_VARIABLE_LENGTH = 4096;

/**
 * The named variables, each present, non-empty, at most 4 KiB, and passing its check when it has
 * one. Every missing or malformed variable is reported at once, so one CI run shows all of them.
 * @throws ProvenanceBuildError PROVENANCE_CI_VARIABLE_MISSING
 */
export function requireVariables<const N extends string>(
  ci: string,
  env: CiEnv,
  names: readonly N[],
  checks: Partial<Record<N, (value: string) => boolean>> = {},
): Record<N, string> {
  const out = {} as Record<N, string>;
  const missing: string[] = [];
  const malformed: string[] = [];
  for (const name of names) {
    const value = env[name];
    if (value === undefined || value === '') missing.push(name);
    else if (value.length > MAX_VARIABLE_LENGTH || checks[name]?.(value) === false) {
      malformed.push(name);
    } else out[name] = value;
  }
  if (missing.length > 0 || malformed.length > 0) {
    const parts = [
      ...(missing.length > 0 ? [`missing ${missing.join(', ')}`] : []),
      ...(malformed.length > 0 ? [`malformed ${malformed.join(', ')}`] : []),
    ];
    throw new ProvenanceBuildError(
      'PROVENANCE_CI_VARIABLE_MISSING',
      `${ci} provenance needs the variables its runner sets (${parts.join('; ')}); run inside the CI job, or describe the build with --ci generic and --builder-id`,
      { details: { ci, missing, malformed } },
    );
  }
  return out;
}

/** An optional variable's value, when present, non-empty and within the length limit. */
export function optionalVariable(env: CiEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v === '' || v.length > MAX_VARIABLE_LENGTH ? undefined : v;
}

/**
 * An RFC 3339 time (any offset) as protobuf's JSON Timestamp: UTC with `Z`, whole seconds unless
 * the input had a fraction. Undefined when it is not one (including 25:00 or February 30th, which
 * Date.parse would roll over).
 */
export function toTimestamp(value: string): string | undefined {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(
      value,
    );
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const local = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  const exact =
    local.getUTCFullYear() === y &&
    local.getUTCMonth() === mo - 1 &&
    local.getUTCDate() === d &&
    local.getUTCHours() === h &&
    local.getUTCMinutes() === mi &&
    local.getUTCSeconds() === s;
  const offH = Number(m[10] ?? 0);
  const offM = Number(m[11] ?? 0);
  if (!exact || y < 1 || offH > 23 || offM > 59) return undefined;
  const sign = m[9] === '-' ? -1 : 1;
  const utc = new Date(local.getTime() - sign * (offH * 60 + offM) * 60_000);
  return `${utc.toISOString().replace(/\.\d{3}Z$/, '')}${m[7] ?? ''}Z`;
}
