import { matchesPattern, type SlsaBuilderTrust, type SlsaBuildLevel } from './slsa-builders.js';

/**
 * SLSA v1.0 Build track assessment of a release from the evidence Custody holds (the spec's
 * "Verifying artifacts", step 1, with Custody's trust as the root of trust):
 * - L1: provenance exists and describes the build: `builder.id`, `buildType` and
 *   `externalParameters`.
 * - L2: the provenance is signed and the signature verified (every stored attestation did, under
 *   the team's signing identities), and its builder is a trusted build platform: a root of trust
 *   matches its `builder.id` and its signer, trusted to L2 or more.
 * - L3: the root of trust names the builder's keyless identity (a certificate SAN such as a
 *   reusable workflow's) and trusts it to L3: the signing identity belongs to an isolated build
 *   the build's own steps cannot drive, so the provenance is non-forgeable. A long-lived key can
 *   be read or reused by whoever holds it, so key-signed provenance caps at L2, and so does a
 *   Custody emergency certificate (a person's break-glass signature, not the platform's).
 * An artifact's level is its best provenance's; a release's is its weakest artifact's. The
 * "reproducible" verdict (the seed's L4) is separate: it comes from rebuild checks.
 */
export interface ProvenanceEvidence {
  /** `sha256:<hex>` of the artifact the provenance is about. */
  artifact: string;
  predicateType: string;
  builderId: string | null;
  buildType: string | null;
  /** Whether `externalParameters` is a non-empty object. */
  externalParameters: boolean;
  signer:
    | { kind: 'identity'; identity: string; issuer: string }
    | { kind: 'key'; name: string | null; hint: string };
  emergency: boolean;
  /** resolvedDependencies: how many, and how many carry a digest. */
  dependencies: number;
  pinned: number;
  /** An id to point back at the stored attestation. */
  id?: number;
}

export interface RebuildEvidence {
  artifact: string;
  matches: boolean;
}

export interface SlsaAssessmentInput {
  /** The release's artifacts (digests). */
  artifacts: readonly string[];
  provenance: readonly ProvenanceEvidence[];
  /** The team's builders, then the defaults: the first root that matches decides. */
  builders: readonly SlsaBuilderTrust[];
  /** Rebuild checks, oldest first. */
  rebuilds: readonly RebuildEvidence[];
}

export interface SlsaGap {
  /** Stable: SLSA_NO_PROVENANCE, SLSA_PROVENANCE_INCOMPLETE, SLSA_BUILDER_UNTRUSTED, … */
  code: string;
  message: string;
}

export interface ArtifactAssessment {
  artifact: string;
  level: SlsaBuildLevel;
  /** What the level rests on, one sentence each. */
  evidence: string[];
  /** What is missing for the next level (empty at L3). */
  gaps: SlsaGap[];
  /** The stored attestation the level comes from. */
  provenance?: number;
}

export type ReproducibleVerdict = 'reproducible' | 'not-reproducible' | 'unknown';

export interface SlsaAssessment {
  level: SlsaBuildLevel;
  artifacts: ArtifactAssessment[];
  /** Gaps of the artifacts at the release's level: what lifts the release to the next. */
  gaps: SlsaGap[];
  reproducible: { verdict: ReproducibleVerdict; reason: string };
  /** resolvedDependencies of each artifact's best provenance: with a digest, and all. */
  dependencies: { total: number; pinned: number; ratio: number | null };
}

/** Assess a release's SLSA Build level. Pure: the caller gathers the evidence. */
export function assessSlsaLevel(input: SlsaAssessmentInput): SlsaAssessment {
  const assessed = input.artifacts.map((a) =>
    assessArtifact(
      a,
      input.provenance.filter((p) => p.artifact === a),
      input.builders,
    ),
  );
  const artifacts = assessed.map((a) => a.assessment);
  const level = (
    artifacts.length === 0 ? 0 : Math.min(...artifacts.map((a) => a.level))
  ) as SlsaBuildLevel;
  const gaps =
    artifacts.length === 0
      ? [gap('SLSA_NO_ARTIFACTS', 'The release has no artifacts; push its SBOM or provenance')]
      : dedupe(artifacts.filter((a) => a.level === level).flatMap((a) => a.gaps));
  let total = 0;
  let pinned = 0;
  for (const a of assessed) {
    total += a.best?.dependencies ?? 0;
    pinned += a.best?.pinned ?? 0;
  }
  return {
    level,
    artifacts,
    gaps,
    reproducible: reproducibility(input.artifacts, input.rebuilds),
    dependencies: { total, pinned, ratio: total === 0 ? null : pinned / total },
  };
}

/** The level one provenance supports, with its evidence and gaps. */
export function assessProvenance(
  p: ProvenanceEvidence,
  builders: readonly SlsaBuilderTrust[],
): Omit<ArtifactAssessment, 'artifact'> {
  const evidence: string[] = [];
  const missing = [
    p.builderId ? undefined : 'builder.id',
    p.buildType ? undefined : 'buildType',
    p.externalParameters ? undefined : 'externalParameters',
  ].filter((x): x is string => x !== undefined);
  const id = p.id === undefined ? {} : { provenance: p.id };
  if (missing.length > 0) {
    return {
      level: 0,
      evidence: [`provenance (${p.predicateType}) exists but does not describe the build`],
      gaps: [
        gap(
          'SLSA_PROVENANCE_INCOMPLETE',
          `The provenance lacks ${missing.join(', ')}; L1 needs the builder, the build type and the external parameters`,
        ),
      ],
      ...id,
    };
  }
  evidence.push(
    `provenance names builder ${p.builderId}, build type ${p.buildType} and its external parameters`,
  );
  evidence.push(`signed by ${signerText(p)}; the signature verified against the team's trust`);
  const root = builders.find((b) => rootMatches(b, p));
  if (root === undefined) {
    return {
      level: 1,
      evidence,
      gaps: [
        gap(
          'SLSA_BUILDER_UNTRUSTED',
          `Builder ${p.builderId} signed by ${signerText(p)} is not a trusted build platform; L2 needs a hosted builder trusted at L2 or more (an admin adds it to the team's SLSA builders)`,
        ),
      ],
      ...id,
    };
  }
  evidence.push(
    `builder ${p.builderId} is trusted up to L${root.level}${root.note ? ` (${root.note})` : ''}`,
  );
  const caps: { level: SlsaBuildLevel; gap: SlsaGap }[] = [];
  if (root.level < 2) {
    caps.push({
      level: 1,
      gap: gap(
        'SLSA_BUILDER_UNTRUSTED',
        `Builder ${p.builderId} is trusted only up to L1; L2 needs a hosted build platform trusted at L2`,
      ),
    });
  }
  if (p.signer.kind === 'key') {
    caps.push({
      level: 2,
      gap: gap(
        'SLSA_KEY_SIGNED',
        'The provenance is signed with a long-lived key, which caps it at L2; L3 needs a keyless signature made by an isolated builder (e.g. a reusable workflow such as slsa-github-generator)',
      ),
    });
  } else if (p.emergency) {
    caps.push({
      level: 2,
      gap: gap(
        'SLSA_EMERGENCY_SIGNATURE',
        "The provenance is signed with an emergency certificate (a person's break-glass signature), which caps it at L2; sign it again from the builder once the OIDC provider is back",
      ),
    });
  } else if (root.level < 3 || root.identity === undefined) {
    caps.push({
      level: 2,
      gap: gap(
        'SLSA_BUILDER_NOT_ISOLATED',
        `Builder ${p.builderId} is trusted up to L2: its signing identity is not an isolated build's; L3 needs provenance signed by a builder trusted at L3 for its identity (a reusable workflow such as slsa-github-generator's)`,
      ),
    });
  }
  const level = Math.min(root.level, 3, ...caps.map((c) => c.level)) as SlsaBuildLevel;
  if (level === 3) {
    evidence.push(
      `signed keylessly as ${(p.signer as { identity: string }).identity}, an isolated builder's identity trusted at L3`,
    );
  }
  return { level, evidence, gaps: caps.filter((c) => c.level === level).map((c) => c.gap), ...id };
}

function assessArtifact(
  artifact: string,
  provenance: readonly ProvenanceEvidence[],
  builders: readonly SlsaBuilderTrust[],
): { assessment: ArtifactAssessment; best?: ProvenanceEvidence } {
  if (provenance.length === 0) {
    const assessment: ArtifactAssessment = {
      artifact,
      level: 0,
      evidence: [],
      gaps: [
        gap(
          'SLSA_NO_PROVENANCE',
          `Artifact ${artifact} has no SLSA provenance; L1 needs provenance that describes its build (custody attest provenance, then custody push attestation)`,
        ),
      ],
    };
    return { assessment };
  }
  let best: { a: Omit<ArtifactAssessment, 'artifact'>; p: ProvenanceEvidence } | undefined;
  for (const p of provenance) {
    const a = assessProvenance(p, builders);
    if (best === undefined || a.level > best.a.level) best = { a, p };
  }
  const chosen = best as { a: Omit<ArtifactAssessment, 'artifact'>; p: ProvenanceEvidence };
  return { assessment: { artifact, ...chosen.a }, best: chosen.p };
}

/** A root of trust applies when the builder id and the signer both match it. */
function rootMatches(root: SlsaBuilderTrust, p: ProvenanceEvidence): boolean {
  if (p.builderId === null || !matchesPattern(root.builderId, p.builderId)) return false;
  if (p.signer.kind === 'key') {
    if (root.identity !== undefined || root.issuer !== undefined) return false;
    return root.key === undefined || root.key === p.signer.name;
  }
  if (root.key !== undefined) return false;
  if (root.issuer !== undefined && root.issuer !== p.signer.issuer) return false;
  return root.identity === undefined || matchesPattern(root.identity, p.signer.identity);
}

/**
 * Reproducible when each artifact's newest rebuild matched; not when any newest one differed;
 * unknown while some artifact was never rebuilt.
 */
function reproducibility(
  artifacts: readonly string[],
  rebuilds: readonly RebuildEvidence[],
): SlsaAssessment['reproducible'] {
  const newest = new Map<string, boolean>();
  for (const r of rebuilds) newest.set(r.artifact, r.matches);
  const differing = artifacts.filter((a) => newest.get(a) === false);
  if (differing.length > 0) {
    return {
      verdict: 'not-reproducible',
      reason: `the newest rebuild of ${differing.join(', ')} did not match the released digest`,
    };
  }
  const unchecked = artifacts.filter((a) => !newest.has(a));
  if (artifacts.length === 0 || unchecked.length > 0) {
    return {
      verdict: 'unknown',
      reason:
        artifacts.length === 0
          ? 'the release has no artifacts'
          : `no rebuild check of ${unchecked.join(', ')} (custody slsa rebuild-check)`,
    };
  }
  return { verdict: 'reproducible', reason: 'every artifact was rebuilt bit for bit' };
}

function signerText(p: ProvenanceEvidence): string {
  return p.signer.kind === 'key'
    ? `key ${p.signer.name ?? p.signer.hint}`
    : `${p.signer.identity} (${p.signer.issuer})`;
}

function gap(code: string, message: string): SlsaGap {
  return { code, message };
}

function dedupe(gaps: SlsaGap[]): SlsaGap[] {
  const seen = new Set<string>();
  return gaps.filter((g) => {
    const k = `${g.code}\n${g.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
