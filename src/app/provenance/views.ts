import type { RebuildCheckRow, ReleaseAttestationRow } from '../../store/release-evidence.js';

export interface AttestationView {
  id: number;
  artifact: string;
  predicateType: string;
  bundleDigest: string;
  signer:
    | { kind: 'identity'; identity: string | null; issuer: string | null }
    | { kind: 'key'; name: string | null; hint: string | null };
  emergency: boolean;
  /** What a SLSA provenance predicate says (null fields for other predicates). */
  provenance: {
    builderId: string | null;
    buildType: string | null;
    externalParameters: boolean;
    source: { uri: string | null; digest: string | null; ref: string | null };
    dependencies: number;
    pinned: number;
  } | null;
  logIndex: number | null;
  loggedBy: string | null;
  createdAt: string;
  createdBy: string;
}

export function attestationView(r: ReleaseAttestationRow): AttestationView {
  const slsa = r.builder_id !== null || r.build_type !== null;
  return {
    id: r.id,
    artifact: r.artifact_digest,
    predicateType: r.predicate_type,
    bundleDigest: r.bundle_digest,
    signer:
      r.signer_kind === 'key'
        ? { kind: 'key', name: r.key_name, hint: r.key_hint }
        : { kind: 'identity', identity: r.identity, issuer: r.issuer },
    emergency: r.emergency === 1,
    provenance: slsa
      ? {
          builderId: r.builder_id,
          buildType: r.build_type,
          externalParameters: r.external_parameters === 1,
          source: { uri: r.source_uri, digest: r.source_digest, ref: r.source_ref },
          dependencies: r.dependencies,
          pinned: r.dependencies_pinned,
        }
      : null,
    // bigint columns come back as strings from PostgreSQL.
    logIndex: r.log_index === null ? null : Number(r.log_index),
    loggedBy: r.logged_by,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

export interface RebuildCheckView {
  id: number;
  artifact: string;
  expectedDigest: string;
  rebuiltDigest: string;
  matches: boolean;
  command: string;
  sbomDiff: unknown;
  checkedAt: string;
  checkedBy: string;
}

export function rebuildCheckView(r: RebuildCheckRow): RebuildCheckView {
  return {
    id: r.id,
    artifact: r.expected_digest,
    expectedDigest: r.expected_digest,
    rebuiltDigest: r.rebuilt_digest,
    matches: r.matches === 1,
    command: r.command,
    sbomDiff: r.sbom_diff === null ? null : JSON.parse(r.sbom_diff),
    checkedAt: r.checked_at,
    checkedBy: r.checked_by,
  };
}
