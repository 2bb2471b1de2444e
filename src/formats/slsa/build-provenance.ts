import { ProvenanceBuildError } from './build-errors.js';
import type { CiEnv, ProvenancePredicateV1, ResourceDescriptorV1 } from './build-types.js';
import { type GenericBuildFlags, genericProvenance } from './ci-generic.js';
import { githubProvenance } from './ci-github.js';
import { gitlabProvenance } from './ci-gitlab.js';

/** Who describes the build: a CI from its variables, or the caller's flags. */
export const CI_MODES = ['auto', 'github', 'gitlab', 'generic'] as const;
export type CiMode = (typeof CI_MODES)[number];
export type ResolvedCi = Exclude<CiMode, 'auto'>;

export interface BuildProvenanceInput {
  /** `auto`: GitHub Actions when GITHUB_ACTIONS=true, GitLab CI when GITLAB_CI=true, else generic. */
  ci: CiMode;
  env: CiEnv;
  flags: GenericBuildFlags;
  /** The end of the build (GitLab's finishedOn). */
  now: Date;
  /** Resolved dependencies beyond the source: lockfile packages, the SBOM. */
  dependencies?: readonly ResourceDescriptorV1[];
}

export interface BuiltProvenance {
  ci: ResolvedCi;
  predicate: ProvenancePredicateV1;
}

// The flags a CI mode does not take: the CI's variables say what they would.
const GENERIC_ONLY: readonly (keyof GenericBuildFlags)[] = [
  'buildType',
  'sourceUri',
  'sourceDigest',
  'sourceRef',
  'invocationId',
  'externalParameters',
  'startedOn',
  'finishedOn',
];

/**
 * A SLSA Provenance v1 predicate for this build: GitHub's workflow/v1 or GitLab Runner's build
 * type from the CI's variables, or Custody's generic one from flags; the extra dependencies come
 * after the source. `--builder-id` overrides a CI's builder id.
 *
 * @throws ProvenanceBuildError PROVENANCE_CI_VARIABLE_MISSING, PROVENANCE_CI_EVENT_UNSUPPORTED,
 *   PROVENANCE_PARAMETER_INVALID (also for a generic-only flag in a CI mode)
 */
export function buildProvenance(input: BuildProvenanceInput): BuiltProvenance {
  const ci = resolveCi(input.ci, input.env);
  if (ci !== 'generic') {
    const extra = GENERIC_ONLY.filter((k) => {
      const v = input.flags[k];
      return v !== undefined && !(Array.isArray(v) && v.length === 0);
    });
    if (extra.length > 0) {
      throw new ProvenanceBuildError(
        'PROVENANCE_PARAMETER_INVALID',
        `in ${ci} mode the CI's variables describe the build; ${extra.map(flagName).join(', ')} only apply with --ci generic`,
        { details: { ci, flags: extra.map(flagName) } },
      );
    }
  }
  const builder = input.flags.builderId !== undefined ? { builderId: input.flags.builderId } : {};
  if (builder.builderId !== undefined && ci !== 'generic') {
    // Checked like generic mode checks it; the rest of the generic flags are refused above.
    genericProvenance({ builderId: builder.builderId });
  }
  const predicate =
    ci === 'github'
      ? githubProvenance(input.env, builder)
      : ci === 'gitlab'
        ? gitlabProvenance(input.env, input.now, builder)
        : genericProvenance(input.flags);
  return { ci, predicate: withDependencies(predicate, input.dependencies ?? []) };
}

/** The CI a mode means in this environment. */
export function resolveCi(mode: CiMode, env: CiEnv): ResolvedCi {
  if (mode !== 'auto') return mode;
  if (env['GITHUB_ACTIONS'] === 'true') return 'github';
  if (env['GITLAB_CI'] === 'true') return 'gitlab';
  return 'generic';
}

function withDependencies(
  p: ProvenancePredicateV1,
  extra: readonly ResourceDescriptorV1[],
): ProvenancePredicateV1 {
  if (extra.length === 0) return p;
  const resolvedDependencies = [...(p.buildDefinition.resolvedDependencies ?? []), ...extra];
  return { ...p, buildDefinition: { ...p.buildDefinition, resolvedDependencies } };
}

function flagName(k: keyof GenericBuildFlags): string {
  return `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace('external-parameters', 'external-parameter')}`;
}
