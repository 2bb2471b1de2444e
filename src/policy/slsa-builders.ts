import { SlsaLevelError } from './slsa-level-errors.js';

/** A SLSA v1.0 Build track level (L0–L3). */
export type SlsaBuildLevel = 0 | 1 | 2 | 3;

/**
 * One root of trust, as SLSA's "Verifying artifacts" step 1 configures them: a builder (its
 * `builder.id`) and the signer it signs as, mapped to the highest Build level it is trusted up to.
 * Patterns take `*` for any run of characters (`…/generator_generic_slsa3.yml@refs/tags/v*`);
 * everything else is compared literally.
 */
export interface SlsaBuilderTrust {
  /** `runDetails.builder.id` (pattern). */
  builderId: string;
  /** The keyless signer's certificate identity (SAN, pattern); absent: any admitted signer. */
  identity?: string;
  /** The OIDC issuer of that certificate (exact). */
  issuer?: string;
  /** A registered key's name (exact); absent: any key the team registered. */
  key?: string;
  /** The highest level this builder is trusted up to (1–3). */
  level: 1 | 2 | 3;
  /** Why it is trusted (shown with the evidence). */
  note?: string;
}

export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/**
 * The roots of trust every team starts with (a team's own come first):
 * - slsa-github-generator's reusable workflows, L3: the provenance is made and signed in a
 *   reusable workflow the calling workflow cannot alter (its own job, its own OIDC identity, no
 *   secrets of the caller's), which is what the Build L3 requirements "isolated" and
 *   "provenance non-forgeable" ask of a platform; the spec's own example root of trust names
 *   these workflows at L3.
 * - GitHub's hosted runners (`actions/runner/github-hosted`, as GitHub's attestation action
 *   writes it), L2: a hosted platform signs with its workflow's OIDC identity, but the steps that
 *   build run in the same job that can ask for the signing token, so provenance is not
 *   non-forgeable by the build's own steps (GitHub documents L3 only with reusable workflows,
 *   which a team trusts by adding its workflow's identity at level 3).
 */
export const DEFAULT_SLSA_BUILDERS: readonly SlsaBuilderTrust[] = [
  {
    builderId: 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/*',
    identity: 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/*',
    issuer: GITHUB_ACTIONS_ISSUER,
    level: 3,
    note: "slsa-github-generator's reusable workflows (isolated, keyless)",
  },
  {
    builderId: 'https://github.com/actions/runner/github-hosted',
    issuer: GITHUB_ACTIONS_ISSUER,
    level: 2,
    note: "GitHub's hosted runners",
  },
];

const MAX_BUILDERS = 100;
const MAX_PATTERN = 1000;

/**
 * A team's trusted builders from untrusted JSON (PUT /api/v1/teams/{team}/slsa).
 * @throws SlsaLevelError SLSA_SETTINGS_INVALID listing every problem
 */
export function parseSlsaBuilders(input: unknown): SlsaBuilderTrust[] {
  if (!Array.isArray(input)) throw invalid(['builders: must be an array']);
  if (input.length > MAX_BUILDERS) throw invalid([`builders: at most ${MAX_BUILDERS}`]);
  const problems: string[] = [];
  const out: SlsaBuilderTrust[] = [];
  input.forEach((raw, i) => {
    const at = `builders[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      problems.push(`${at}: must be an object`);
      return;
    }
    const o = raw as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (!['builderId', 'identity', 'issuer', 'key', 'level', 'note'].includes(k))
        problems.push(`${at}.${k}: unknown field`);
    }
    const text = (k: string, required: boolean): string | undefined => {
      const v = o[k];
      if (v === undefined && !required) return undefined;
      if (typeof v !== 'string' || v.length === 0 || v.length > MAX_PATTERN) {
        problems.push(`${at}.${k}: a string of 1–${MAX_PATTERN} characters`);
        return undefined;
      }
      return v;
    };
    const builderId = text('builderId', true);
    const identity = text('identity', false);
    const issuer = text('issuer', false);
    const key = text('key', false);
    const note = text('note', false);
    const level = o['level'];
    if (level !== 1 && level !== 2 && level !== 3) problems.push(`${at}.level: 1, 2 or 3`);
    if (identity !== undefined && key !== undefined)
      problems.push(`${at}: a builder signs with an identity or a key, not both`);
    if (builderId === undefined || (level !== 1 && level !== 2 && level !== 3)) return;
    out.push({
      builderId,
      level,
      ...(identity !== undefined ? { identity } : {}),
      ...(issuer !== undefined ? { issuer } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(note !== undefined ? { note } : {}),
    });
  });
  if (problems.length > 0) throw invalid(problems);
  return out;
}

/**
 * Parse `L2`, `2` or `l2` into a level.
 * @throws SlsaLevelError SLSA_LEVEL_INVALID
 */
export function parseSlsaLevel(s: string): SlsaBuildLevel {
  const m = /^[Ll]?([0-3])$/.exec(s.trim());
  if (!m) {
    throw new SlsaLevelError(
      'SLSA_LEVEL_INVALID',
      `"${s.slice(0, 20)}" is not a SLSA Build level; give L0, L1, L2 or L3`,
    );
  }
  return Number(m[1]) as SlsaBuildLevel;
}

/** Whether `value` matches `pattern`, where `*` stands for any run of characters. */
export function matchesPattern(pattern: string, value: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern === value;
  const first = parts[0] as string;
  const last = parts[parts.length - 1] as string;
  if (!value.startsWith(first) || value.length < first.length + last.length) return false;
  if (!value.endsWith(last)) return false;
  // Greedy-free scan: each middle part must appear, in order, between the fixed ends.
  let at = first.length;
  const end = value.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = value.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

function invalid(problems: string[]): SlsaLevelError {
  return new SlsaLevelError(
    'SLSA_SETTINGS_INVALID',
    `The SLSA settings are invalid: ${problems.slice(0, 5).join('; ')}`,
    { details: { problems } },
  );
}
