import type { Caller } from '../../access/index.js';
import {
  assessSlsaLevel,
  type ProvenanceEvidence,
  type SlsaAssessment,
} from '../../policy/index.js';
import { listArtifacts } from '../../store/catalogue.js';
import {
  attestationsOfRelease,
  findTeamSlsaSettings,
  type ReleaseAttestationRow,
  rebuildChecksOfRelease,
} from '../../store/release-evidence.js';
import { releaseByVersion } from '../inventory/read-catalogue.js';
import type { Services } from '../services.js';
import { isSlsaProvenance } from './read-provenance.js';
import { buildersOf, slsaSettingsOf } from './slsa-settings.js';

export interface ReleaseSlsaView extends SlsaAssessment {
  product: string;
  version: string;
  ticket: string | null;
  /**
   * Whether the release commit is signed by an allowed identity. The service keeps no record of
   * commit verification (`custody git verify` checks a commit in a checkout, against the log), so
   * it answers `unknown` here; `custody slsa assess --verify-commit` checks it in a checkout.
   */
  releaseCommit: { commit: string | null; signed: 'unknown'; reason: string };
  /** SLSA provenance attestations considered. */
  provenanceCount: number;
  rebuildChecks: number;
}

/** The SLSA Build level of a release from the evidence stored for it (policy/slsa-level). */
export async function assessRelease(
  s: Services,
  caller: Caller,
  product: string,
  version: string,
): Promise<ReleaseSlsaView> {
  const release = await releaseByVersion(s, caller, product, version);
  const [artifacts, attestations, rebuilds, team] = await Promise.all([
    listArtifacts(s.db.read, release.id),
    attestationsOfRelease(s.db.read, release.id),
    rebuildChecksOfRelease(s.db.read, release.id),
    findTeamSlsaSettings(s.db.read, release.team),
  ]);
  const provenance = attestations
    .filter((a) => isSlsaProvenance(a.predicate_type))
    .map(provenanceEvidence);
  const assessment = assessSlsaLevel({
    artifacts: artifacts.map((a) => a.digest),
    provenance,
    builders: buildersOf(slsaSettingsOf(team?.slsa_settings ?? null)),
    rebuilds: rebuilds.map((r) => ({ artifact: r.expected_digest, matches: r.matches === 1 })),
  });
  return {
    product,
    version,
    ticket: release.ticket,
    ...assessment,
    releaseCommit: {
      commit: release.commit_sha,
      signed: 'unknown',
      reason:
        release.commit_sha === null
          ? 'the release records no commit'
          : 'Custody keeps no record of verified commit signatures; custody slsa assess --verify-commit checks it in a checkout',
    },
    provenanceCount: provenance.length,
    rebuildChecks: rebuilds.length,
  };
}

/** A stored attestation row as the assessment reads it. */
export function provenanceEvidence(a: ReleaseAttestationRow): ProvenanceEvidence {
  return {
    id: a.id,
    artifact: a.artifact_digest,
    predicateType: a.predicate_type,
    builderId: a.builder_id,
    buildType: a.build_type,
    externalParameters: a.external_parameters === 1,
    signer:
      a.signer_kind === 'key'
        ? { kind: 'key', name: a.key_name, hint: a.key_hint ?? '' }
        : { kind: 'identity', identity: a.identity ?? '', issuer: a.issuer ?? '' },
    emergency: a.emergency === 1,
    dependencies: a.dependencies,
    pinned: a.dependencies_pinned,
  };
}
