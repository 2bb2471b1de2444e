import { InventoryError } from '../../inventory/errors.js';
import {
  DEFAULT_GATE_POLICY,
  type GatePolicy,
  type GateResult,
  type QualityReport,
} from '../../sbom/quality/index.js';
import { BlobStore } from '../../store/blobs.js';
import { insertComponentsSqlite } from '../../store/bulk-sqlite.js';
import {
  currentSbomOfArtifact,
  findArtifact,
  findProduct,
  findRelease,
  findSbomOfArtifact,
  findTeam,
  insertArtifact,
  insertComponents,
  insertProduct,
  insertRelease,
  insertSbom,
  type SbomRow,
  sbomDigestStored,
  supersede,
} from '../../store/inventory.js';
import { requirePermission, requireTeam } from './access.js';
import type { Caller, Services } from './context.js';
import { audit } from './context.js';
import { type PreparedSbom, prepareSbom } from './prepare.js';
import { type SbomView, sbomView } from './views.js';

export interface IngestInput {
  bytes: Uint8Array;
  product: string;
  release: string;
  /** `sha256:<hex>` of the artifact the SBOM describes; else taken from the SBOM's subject. */
  artifact?: string;
  /** The team a new product is created in; needed only when the caller has several teams. */
  team?: string;
  tag?: string;
  commit?: string;
}

export interface IngestResult {
  /** false when this exact document was already stored for this artifact (idempotent push). */
  created: boolean;
  sbom: SbomView;
  quality: QualityReport;
  gate: GateResult;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+:-]{0,199}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Ingest one SBOM: validate, score and gate it, then in one transaction file it under its
 * product, release and artifact, supersede the artifact's previous SBOM, index every component,
 * write the document to the blob store and record the audit event. Nothing is written unless all
 * of it succeeds; a blob written by a transaction that then fails is removed again.
 *
 * @throws SbomError SBOM_PARSE, SBOM_FORMAT_UNKNOWN, SBOM_SCHEMA_INVALID; InventoryError
 *   SBOM_GATE_FAILED, SBOM_SUBJECT_MISMATCH, INVENTORY_INPUT_INVALID, INVENTORY_NOT_FOUND,
 *   AUTH_FORBIDDEN; CoreError INPUT_TOO_LARGE, INPUT_TOO_DEEP
 */
export async function ingestSbom(
  s: Services,
  caller: Caller,
  input: IngestInput,
): Promise<IngestResult> {
  requirePermission(caller, 'inventory:write');
  checkName(input.product, 'product');
  checkName(input.release, 'release');
  if (input.artifact !== undefined && !DIGEST.test(input.artifact)) {
    throw new InventoryError(
      'INVENTORY_INPUT_INVALID',
      `artifact must be sha256:<64 lower-case hex digits>, got ${JSON.stringify(input.artifact.slice(0, 80))}`,
    );
  }
  const db = s.db.read;
  // The team decides the gate, so it is resolved first (read-only); nothing is written before the
  // document has passed.
  const existing = await findProduct(db, input.product);
  const teamName = existing?.team ?? chooseTeam(caller, input.team);
  requireTeam(caller, teamName, existing ? `product ${input.product}` : `team ${teamName}`);
  const team = await findTeam(db, teamName);
  if (!team) {
    throw new InventoryError(
      'INVENTORY_NOT_FOUND',
      `team ${teamName} does not exist; an admin creates it (POST /api/v1/teams or custody token create --team ${teamName})`,
    );
  }
  const policy = team.gate_policy
    ? (JSON.parse(team.gate_policy) as GatePolicy)
    : DEFAULT_GATE_POLICY;
  const prepared = await (s.prepare ?? prepareSbom)(input.bytes, s.clock().toISOString(), policy);
  const { quality, gate, rows } = prepared;
  const artifact = artifactOf(prepared.subject, input);
  if (!gate.passed) {
    throw new InventoryError(
      'SBOM_GATE_FAILED',
      `the SBOM fails team ${teamName}'s quality gate: ${gate.failures.map((f) => f.check).join(', ')}; fix the SBOM or ask an admin to change the team's gate policy`,
      {
        details: {
          score: quality.score,
          failures: gate.failures.map((f) => ({
            check: f.check,
            message: f.message,
            components: f.components.slice(0, 20),
            count: f.components.length,
          })),
        },
      },
    );
  }

  const digest = BlobStore.digestOf(input.bytes);
  const now = s.clock().toISOString();
  let blobCreated = false;
  const undo = async () => {
    // Another push of the same bytes may have committed meanwhile; only an orphan is removed.
    if (blobCreated && !(await sbomDigestStored(s.db.kysely, digest))) s.blobs.discard(digest);
    blobCreated = false;
  };
  const outcome = await retryOnUniqueViolation(() =>
    s.db.writes.run(async (trx) => {
      // Looked up again inside the transaction: another request may have created it meanwhile.
      const productId =
        (await findProduct(trx, input.product))?.id ??
        (await insertProduct(trx, team.id, input.product, now));
      const release = await findRelease(trx, productId, input.release);
      const releaseId =
        release?.id ??
        (await insertRelease(trx, {
          productId,
          version: input.release,
          ...(input.tag !== undefined ? { tag: input.tag } : {}),
          ...(input.commit !== undefined ? { commit: input.commit } : {}),
          now,
        }));
      const art = await findArtifact(trx, releaseId, artifact.digest);
      const artifactId =
        art?.id ??
        (await insertArtifact(trx, {
          releaseId,
          digest: artifact.digest,
          name: artifact.name,
          now,
        }));
      const same = await findSbomOfArtifact(trx, artifactId, digest);
      if (same) return { created: false, row: same };
      const previous = await currentSbomOfArtifact(trx, artifactId);
      if (previous) await supersede(trx, previous.id);
      const row: Omit<SbomRow, 'id'> = {
        artifact_id: artifactId,
        release_id: releaseId,
        product_id: productId,
        team_id: team.id,
        digest,
        format: prepared.format,
        spec_version: prepared.specVersion,
        serial_number: prepared.serialNumber,
        media_type: prepared.mediaType,
        size: input.bytes.byteLength,
        version_no: (previous?.version_no ?? 0) + 1,
        supersedes_id: previous?.id ?? null,
        current: 1,
        quality_score: Math.round(quality.score * 10),
        component_count: rows.length,
        signed: 0,
        document_created: prepared.timestamp,
        created_at: now,
        created_by: caller.principal.actor,
      };
      const sbomId = await insertSbom(trx, row);
      if (s.db.sqlite) insertComponentsSqlite(s.db.sqlite, sbomId, rows);
      else await insertComponents(trx, sbomId, rows);
      await audit(
        trx,
        caller,
        {
          action: 'sbom.ingest',
          target: `sbom:${sbomId}`,
          team: teamName,
          details: {
            product: input.product,
            release: input.release,
            artifact: artifact.digest,
            digest,
            components: rows.length,
            ...(previous ? { supersedes: previous.id } : {}),
          },
        },
        now,
      );
      // The blob goes in last: if writing it fails, the savepoint rolls back and nothing stays.
      blobCreated = s.blobs.put(input.bytes).created || blobCreated;
      return { created: true, row: { ...row, id: sbomId } };
    }, undo),
  );
  if (outcome.created) s.db.noteIngest();
  return {
    created: outcome.created,
    sbom: sbomView(outcome.row, {
      product: input.product,
      release: input.release,
      artifact: artifact.digest,
      team: teamName,
    }),
    quality,
    gate,
  };
}

/**
 * The artifact an SBOM belongs to: the digest given, else the subject's SHA-256 (or an OCI purl's
 * digest). An SBOM of a source tree has neither; it is filed under the release's source artifact,
 * whose stand-in digest is derived from the product and release so that later versions of the
 * same SBOM supersede it.
 */
function artifactOf(
  subject: PreparedSbom['subject'],
  input: IngestInput,
): { digest: string; name: string | null } {
  const fromSubject = subject.digest ?? undefined;
  const name = subject.name;
  if (input.artifact !== undefined) {
    if (fromSubject !== undefined && fromSubject !== input.artifact) {
      throw new InventoryError(
        'SBOM_SUBJECT_MISMATCH',
        `The SBOM describes ${fromSubject}, not the artifact ${input.artifact} it was pushed for; push it for its own artifact`,
        { details: { subject: fromSubject, artifact: input.artifact } },
      );
    }
    return { digest: input.artifact, name };
  }
  if (fromSubject !== undefined) return { digest: fromSubject, name };
  return {
    digest: BlobStore.digestOf(
      new TextEncoder().encode(`custody:source:${input.product}@${input.release}`),
    ),
    name: name ?? 'source',
  };
}

function chooseTeam(caller: Caller, requested: string | undefined): string {
  if (requested !== undefined && requested !== '') return requested;
  const teams = caller.principal.teams;
  if (teams === undefined) return 'default';
  if (teams.length === 1) return teams[0] as string;
  throw new InventoryError(
    'INVENTORY_INPUT_INVALID',
    `This token belongs to several teams (${teams.join(', ')}); say which one owns the new product with team`,
  );
}

function checkName(v: string | undefined, what: string): void {
  if (v === undefined || !NAME.test(v)) {
    throw new InventoryError(
      'INVENTORY_INPUT_INVALID',
      `${what} must be 1–200 characters of letters, digits and . _ @ + : - (starting with a letter or digit)`,
      { details: { [what]: v ?? null } },
    );
  }
}

/**
 * Two first pushes for the same new product or release can race to create it; the loser's
 * transaction fails on the unique key and, retried, finds the winner's row.
 */
async function retryOnUniqueViolation<T>(f: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      const code = (e as { code?: string }).code;
      const unique = code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
      if (!unique || attempt >= 3) throw e;
    }
  }
}
