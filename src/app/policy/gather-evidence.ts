import { type Caller, requirePermission } from '../../access/index.js';
import { readSbom } from '../../formats/index.js';
import {
  assessSlsaLevel,
  type Evidence,
  emptyEvidence,
  type ProvenanceFact,
} from '../../policy/index.js';
import { allChecks, scoreSbom } from '../../sbom/quality/index.js';
import { exploitInfo } from '../../store/advisories.js';
import type { SbomRow } from '../../store/catalogue.js';
import {
  artifactPlaces,
  licensesOfSbom,
  openFindingsOfArtifact,
  vexStatusesOfProduct,
} from '../../store/policies.js';
import {
  attestationsOfArtifact,
  findTeamSlsaSettings,
  type ReleaseAttestationRow,
  rebuildChecksOfRelease,
} from '../../store/release-evidence.js';
import { signaturesOfSbom } from '../../store/sbom-signatures.js';
import { notFound, visibleTeamIds } from '../inventory/team-scope.js';
import { provenanceEvidence } from '../provenance/assess-release.js';
import { isSlsaProvenance } from '../provenance/read-provenance.js';
import { buildersOf, slsaSettingsOf } from '../provenance/slsa-settings.js';
import type { Services } from '../services.js';
import { PolicyServiceError } from './errors.js';

export const ARTIFACT_DIGEST = /^sha256:[0-9a-f]{64}$/;
const MAX_LICENSES = 10_000;

/**
 * The verified-evidence document of an artifact, from what the service stored: its newest filing
 * (product, release, team), its current SBOM (a signed one first) with the signers whose bundles
 * verified on intake, the quality score ingest computed, the components' licences, the open
 * vulnerability findings and the product's VEX statements, the release's ticket and supplier mark,
 * the SLSA provenance attestations verified on push with the Build level the team's trusted
 * builders give them, and the newest rebuild check. Facts the service does not hold (signatures
 * made in a registry, the release commit's signature) stay empty, so rules that need them fail
 * until they are recorded or given in an evidence file.
 * @throws AccessError AUTH_FORBIDDEN; PolicyServiceError POLICY_ARTIFACT_INVALID;
 *   InventoryError INVENTORY_NOT_FOUND (unknown to the caller's teams)
 */
export async function gatherEvidence(
  s: Services,
  caller: Caller,
  digest: string,
): Promise<Evidence> {
  requirePermission(caller.principal, 'inventory:read');
  if (!ARTIFACT_DIGEST.test(digest)) {
    throw new PolicyServiceError(
      'POLICY_ARTIFACT_INVALID',
      `${JSON.stringify(digest.slice(0, 100))} is not an artifact digest; give sha256:<64 lower-case hex>`,
    );
  }
  const q = s.db.read;
  const place = (await artifactPlaces(q, digest, await visibleTeamIds(s, caller)))[0];
  if (!place) throw notFound(`artifact ${digest}`);
  const e = emptyEvidence(digest);
  e.artifact = {
    digest,
    name: place.name,
    product: place.product,
    release: place.release,
    team: place.team,
    ticket: place.ticket,
    supplier: Number(place.supplier) === 1,
  };
  const sboms = await q
    .selectFrom('sboms')
    .selectAll()
    .where('artifact_id', '=', place.artifact_id)
    .where('current', '=', 1)
    .orderBy('signed', 'desc')
    .orderBy('id', 'desc')
    .execute();
  const sbom = sboms[0];
  if (sbom) await sbomFacts(s, e, sbom, digest);
  await vulnerabilityFacts(s, e, place.artifact_id, place.product_id);
  await provenanceFacts(s, e, place.artifact_id, place.release_id, place.team, digest);
  return e;
}

/**
 * The artifact's SLSA provenance as verified on push (release_attestations), each with the level
 * it supports alone, and the artifact's level and reproducibility as `custody slsa assess` gives.
 */
async function provenanceFacts(
  s: Services,
  e: Evidence,
  artifactId: number,
  releaseId: number,
  team: string,
  digest: string,
): Promise<void> {
  const q = s.db.read;
  const rows = (await attestationsOfArtifact(q, artifactId, 64)).filter((r) =>
    isSlsaProvenance(r.predicate_type),
  );
  const [settings, rebuilds] = await Promise.all([
    findTeamSlsaSettings(q, team),
    rebuildChecksOfRelease(q, releaseId),
  ]);
  const builders = buildersOf(slsaSettingsOf(settings?.slsa_settings ?? null));
  const mine = rebuilds
    .filter((r) => r.expected_digest === digest)
    .map((r) => ({ artifact: r.expected_digest, matches: r.matches === 1 }));
  const assess = (provenance: ReleaseAttestationRow[]) =>
    assessSlsaLevel({
      artifacts: [digest],
      provenance: provenance.map(provenanceEvidence),
      builders,
      rebuilds: mine,
    });
  const whole = assess(rows);
  e.slsa = {
    level: whole.level,
    reproducible:
      whole.reproducible.verdict === 'unknown'
        ? null
        : whole.reproducible.verdict === 'reproducible',
  };
  e.provenance = rows.map((r): ProvenanceFact => {
    const total = r.dependencies;
    return {
      predicateType: r.predicate_type,
      builderId: r.builder_id ?? '',
      buildType: r.build_type ?? '',
      source: { uri: r.source_uri, digest: r.source_digest, ref: r.source_ref },
      externalParameters: externalParametersOf(s, r.bundle_digest),
      resolvedDependencies: {
        total,
        pinned: r.dependencies_pinned,
        ratio: total === 0 ? 1 : r.dependencies_pinned / total,
      },
      signer: {
        identity: r.identity,
        issuer: r.issuer,
        key: r.signer_kind === 'key' ? (r.key_name ?? r.key_hint) : null,
      },
      level: assess([r]).level,
    };
  });
}

/** Cap on the external parameters copied into the document: a policy reads a few fields. */
const MAX_EXTERNAL_PARAMETERS = 16 * 1024;

// The stored bundle was verified on push; its statement's external parameters are read again
// here because the row keeps only whether there were any.
function externalParametersOf(s: Services, bundleDigest: string): unknown {
  try {
    const bundle = JSON.parse(Buffer.from(s.blobs.get(bundleDigest)).toString('utf8')) as {
      dsseEnvelope?: { payload?: string };
    };
    const payload = bundle.dsseEnvelope?.payload;
    if (typeof payload !== 'string') return {};
    const statement = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as {
      predicate?: {
        buildDefinition?: { externalParameters?: unknown };
        invocation?: { parameters?: unknown };
      };
    };
    const p =
      statement.predicate?.buildDefinition?.externalParameters ??
      statement.predicate?.invocation?.parameters ??
      {};
    return JSON.stringify(p).length > MAX_EXTERNAL_PARAMETERS ? {} : p;
  } catch {
    return {};
  }
}

async function sbomFacts(s: Services, e: Evidence, sbom: SbomRow, digest: string): Promise<void> {
  const q = s.db.read;
  const signatures = await signaturesOfSbom(q, sbom.id);
  const licenses = await licensesOfSbom(q, sbom.id, MAX_LICENSES);
  // Stored in tenths (0–100), as ingest rounds the score to one decimal.
  const score = Number(sbom.quality_score) / 10;
  const read = readStored(s, sbom);
  e.sbom = {
    present: true,
    signed: signatures.length > 0,
    signers: signatures.slice(0, 64).map((r) => ({
      kind: r.signer_kind === 'key' ? 'key' : 'identity',
      identity: r.identity,
      issuer: r.issuer,
      keyHint: r.key_hint,
    })),
    subjectMatchesArtifact: read?.subjectDigests.includes(digest) ?? false,
    format: sbom.format,
    quality: { score, grade: gradeOf(score), failures: read?.failures ?? [] },
    components: Number(sbom.component_count),
    licenses: licenses.names,
    noAssertion: licenses.noAssertion,
  };
}

// The stored document, read again for what ingest keeps no column for: its subject's digests
// and the checks it does not fully pass.
function readStored(
  s: Services,
  sbom: SbomRow,
): { subjectDigests: string[]; failures: string[] } | undefined {
  let doc: ReturnType<typeof readSbom>['document'];
  try {
    doc = readSbom(s.blobs.get(sbom.digest), `SBOM ${sbom.id}`).document;
  } catch {
    // A stored SBOM parsed on ingest; if it no longer does, its facts stay unproven (false).
    return undefined;
  }
  // The subject's SHA-256, or an OCI purl's digest: what ingest files an SBOM under by default.
  const subjectDigests = (doc.subject?.hashes ?? [])
    .filter((h) => h.alg.toUpperCase().replace('-', '') === 'SHA256')
    .map((h) => `sha256:${h.content.toLowerCase()}`);
  const oci = /^pkg:oci\/[^@]+@(sha256(?::|%3A)[0-9a-f]{64})/i.exec(doc.subject?.purl ?? '');
  if (oci) subjectDigests.push((oci[1] as string).replace(/%3A/i, ':').toLowerCase());
  const report = scoreSbom(doc, { now: s.clock() });
  const failures = allChecks(report)
    .filter((c) => c.applicable && c.score < 10)
    .map((c) => c.id)
    .slice(0, 64);
  return { subjectDigests, failures };
}

async function vulnerabilityFacts(
  s: Services,
  e: Evidence,
  artifactId: number,
  productId: number,
): Promise<void> {
  const q = s.db.read;
  const findings = await openFindingsOfArtifact(q, artifactId);
  const statements = await vexStatusesOfProduct(q, productId);
  const answered = new Set(statements.map((st) => st.vulnerability));
  const cves = new Set<string>();
  for (const f of findings) {
    const names = namesOf(f.advisory_id, f.aliases);
    for (const n of names) if (n.startsWith('CVE-')) cves.add(n);
    const rating = f.severity_rating as keyof Evidence['vulnerabilities']['open'];
    const key = rating in e.vulnerabilities.open ? rating : 'unknown';
    e.vulnerabilities.open[key]++;
    if (f.fixed !== null) e.vulnerabilities.fixable++;
    if ((rating === 'critical' || rating === 'high') && !names.some((n) => answered.has(n)))
      e.vex.unanswered[rating]++;
  }
  const { kev } = await exploitInfo(q, [...cves]);
  e.vulnerabilities.kev = findings.filter((f) =>
    namesOf(f.advisory_id, f.aliases).some((n) => kev.has(n)),
  ).length;
  for (const st of statements) {
    const k = st.status as keyof Evidence['vex']['statements'];
    if (k in e.vex.statements) e.vex.statements[k]++;
  }
}

function namesOf(id: string, aliases: string): string[] {
  try {
    const a = JSON.parse(aliases) as unknown;
    return [id, ...(Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : [])];
  } catch {
    return [id];
  }
}

// Custody's quality grades (sbom/quality/score.ts): A ≥ 9, B ≥ 8, C ≥ 7, D ≥ 5, else F.
function gradeOf(score: number): string {
  if (score >= 9) return 'A';
  if (score >= 8) return 'B';
  if (score >= 7) return 'C';
  if (score >= 5) return 'D';
  return 'F';
}
