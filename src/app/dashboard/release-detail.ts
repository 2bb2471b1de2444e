import type { Caller } from '../../access/index.js';
import type { ReleaseDetail, ReleaseLogEntry, ReleaseSignature } from '../../api/index.js';
import { assessSlsaLevel } from '../../policy/index.js';
import { listArtifacts } from '../../store/catalogue.js';
import { attestationsOfReleases, currentSbomsOfReleases } from '../../store/dashboard.js';
import {
  emergencyIdentities,
  logIndexesOfSubjects,
  previousRelease,
  signaturesOfSboms,
} from '../../store/dashboard-release.js';
import { findTeamSlsaSettings, rebuildChecksOfRelease } from '../../store/release-evidence.js';
import { visibleRelease } from '../inventory/read-catalogue.js';
import { provenanceEvidence } from '../provenance/assess-release.js';
import { isSlsaProvenance } from '../provenance/read-provenance.js';
import { buildersOf, slsaSettingsOf } from '../provenance/slsa-settings.js';
import type { Services } from '../services.js';

/** At most this many log entries are proven in one answer (a release has a handful). */
const MAX_LOG_ENTRIES = 100;

/**
 * The release view's header in one request: artifacts with their current SBOM, the SLSA
 * assessment, every signature (SBOM bundles and attestations; emergency certificates marked) and
 * the log entries about the release with what the page needs to check their inclusion itself.
 * @throws InventoryError INVENTORY_NOT_FOUND (also for a release of another team); AccessError
 */
export async function dashboardRelease(
  s: Services,
  caller: Caller,
  id: number,
): Promise<ReleaseDetail> {
  const r = await visibleRelease(s, caller, id);
  const db = s.db.read;
  const [artifacts, sboms, attestations, rebuilds, team, previous] = await Promise.all([
    listArtifacts(db, r.id),
    currentSbomsOfReleases(db, [r.id]),
    attestationsOfReleases(db, [r.id]),
    rebuildChecksOfRelease(db, r.id),
    findTeamSlsaSettings(db, r.team),
    previousRelease(db, r.product_id, r.id),
  ]);
  const signatures = await signaturesOfSboms(
    db,
    sboms.map((x) => x.id),
  );
  // An SBOM bundle's certificate is an emergency one when Custody's emergency issuer
  // (`<service URL>/emergency`) certified an identity it issued an emergency certificate to.
  const emergency = await emergencyIdentities(
    db,
    r.team_id,
    signatures
      .filter((g) => g.issuer?.endsWith('/emergency') && g.identity !== null)
      .map((g) => g.identity as string),
  );
  const provenance = attestations.filter((a) => isSlsaProvenance(a.predicate_type));
  const slsa =
    provenance.length === 0
      ? null
      : assessSlsaLevel({
          artifacts: artifacts.map((a) => a.digest),
          provenance: provenance.map(provenanceEvidence),
          builders: buildersOf(slsaSettingsOf(team?.slsa_settings ?? null)),
          rebuilds: rebuilds.map((b) => ({
            artifact: b.expected_digest,
            matches: b.matches === 1,
          })),
        });
  const sigs: ReleaseSignature[] = [
    ...signatures.map(
      (g): ReleaseSignature => ({
        subject: 'sbom',
        sbomId: g.sbom_id,
        predicateType: null,
        bundleDigest: g.bundle_digest,
        signer:
          g.signer_kind === 'identity'
            ? { kind: 'identity', identity: g.identity ?? '', issuer: g.issuer ?? '' }
            : { kind: 'key', name: g.key_name, hint: g.key_hint ?? '' },
        emergency:
          g.issuer?.endsWith('/emergency') === true &&
          g.identity !== null &&
          emergency.has(g.identity),
        logIndex: g.log_index,
        createdAt: g.created_at,
      }),
    ),
    ...attestations.map(
      (a): ReleaseSignature => ({
        subject: 'attestation',
        sbomId: null,
        predicateType: a.predicate_type,
        bundleDigest: a.bundle_digest,
        signer:
          a.signer_kind === 'identity'
            ? { kind: 'identity', identity: a.identity ?? '', issuer: a.issuer ?? '' }
            : { kind: 'key', name: a.key_name, hint: a.key_hint ?? '' },
        emergency: a.emergency === 1,
        logIndex: a.log_index === null ? null : Number(a.log_index),
        createdAt: a.created_at,
      }),
    ),
  ];
  const subjects = [...artifacts.map((a) => a.digest), ...sboms.map((x) => x.digest)];
  const indexes = new Set<number>([
    ...sigs.flatMap((g) => (g.logIndex === null ? [] : [g.logIndex])),
    ...(s.tlog ? await logIndexesOfSubjects(db, subjects, MAX_LOG_ENTRIES) : []),
  ]);
  return {
    id: r.id,
    product: r.product,
    version: r.version,
    team: r.team,
    createdAt: r.created_at,
    deployed: r.deployed === 1,
    ticket: r.ticket,
    previous: previous ?? null,
    artifacts: artifacts.map((a) => {
      const sbom = sboms.find((x) => x.artifact_id === a.id);
      return {
        id: a.id,
        digest: a.digest,
        name: a.name,
        sbom: sbom
          ? {
              id: sbom.id,
              version: sbom.version_no,
              qualityScore: sbom.quality_score / 10,
              componentCount: sbom.component_count,
            }
          : null,
      };
    }),
    slsa: slsa
      ? {
          level: slsa.level,
          builder: provenance.find((p) => p.builder_id !== null)?.builder_id ?? null,
          reasons: [
            ...slsa.artifacts.flatMap((a) => a.evidence),
            ...slsa.gaps.map((g) => g.message),
          ],
        }
      : null,
    signatures: sigs,
    logEntries: await logEntries(s, [...indexes].sort((a, b) => a - b).slice(0, MAX_LOG_ENTRIES)),
  };
}

/**
 * Each entry with its leaf and an inclusion proof against the newest checkpoint; an entry not
 * yet in a published checkpoint is left out until it is.
 */
async function logEntries(s: Services, indexes: readonly number[]): Promise<ReleaseLogEntry[]> {
  const tlog = s.tlog;
  if (!tlog) return [];
  const cp = tlog.log.checkpoint();
  const out: ReleaseLogEntry[] = [];
  for (const i of indexes) {
    if (i >= cp.size) continue;
    const e = await tlog.log.entryAt(i);
    if (!e) continue;
    const proof = tlog.inclusion(i, cp);
    out.push({
      logIndex: i,
      kind: e.kind,
      subject: e.subject,
      integratedTime: e.integratedTime,
      leaf: Buffer.from(e.body).toString('base64'),
      proof: { treeSize: proof.treeSize, rootHash: proof.rootHash, hashes: proof.hashes },
      checkpoint: proof.checkpoint,
    });
  }
  return out;
}
