import { type Caller, inScope, requirePermission } from '../../access/index.js';
import type { SchemaError } from '../../formats/index.js';
import {
  type FollowUpInput,
  InventoryError,
  type PreparedSbom,
  prepareSbom,
  productOfAnotherTeam,
} from '../../inventory/index.js';
import {
  DEFAULT_FOLLOW_UP_SLA_DAYS,
  DEFAULT_GATE_POLICY,
  followUpMessage,
  type GateResult,
  gatePolicyFromJSON,
  type QualityReport,
} from '../../sbom/quality/index.js';
import { BlobStore } from '../../store/blobs.js';
import { countFollowUps } from '../../store/follow-ups.js';
import type { Services } from '../services.js';
import { type MetAction, meetSbomObligations } from '../triggers/obligations.js';
import { enqueueSbomMatch } from '../vulnerabilities/match-jobs.js';
import { requireTeam } from './team-scope.js';
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
  /** The change ticket (SOX / SOC 2) of a new release. */
  ticket?: string;
}

export interface IngestResult {
  /** false when this exact document was already stored for this artifact (idempotent push). */
  created: boolean;
  sbom: SbomView;
  quality: QualityReport;
  gate: GateResult;
  /** The SBOM's open follow-ups (its gate warnings), their SLA, and where to list them. */
  followUps: { open: number; overdue: number; slaDays: number; list: string };
  /** What validation allowed but flagged (purls that break the purl spec). */
  validationWarnings: SchemaError[];
  /** The SBOM obligations of release and lockfile events this push met (trigger `sbom` actions). */
  obligationsMet: MetAction[];
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@+:-]{0,199}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/**
 * Ingest one SBOM: validate, score and gate it, then record it in the inventory store, which in
 * one transaction files it under its product, release and artifact, supersedes the artifact's
 * previous SBOM, indexes every component, writes the document to the blob store and records the
 * audit event (the contract is InventoryStore.recordSbom's).
 *
 * @throws SbomError SBOM_PARSE, SBOM_FORMAT_UNKNOWN, SBOM_SCHEMA_INVALID; InventoryError
 *   SBOM_GATE_FAILED, SBOM_SUBJECT_MISMATCH, INVENTORY_INPUT_INVALID, INVENTORY_NOT_FOUND (team),
 *   INVENTORY_CONFLICT (the product belongs to another team),
 *   AccessError AUTH_FORBIDDEN; CoreError INPUT_TOO_LARGE, INPUT_TOO_DEEP
 */
export async function ingestSbom(
  s: Services,
  caller: Caller,
  input: IngestInput,
): Promise<IngestResult> {
  requirePermission(caller.principal, 'inventory:write');
  checkName(input.product, 'product');
  checkName(input.release, 'release');
  if (input.artifact !== undefined && !DIGEST.test(input.artifact)) {
    throw new InventoryError(
      'INVENTORY_INPUT_INVALID',
      `artifact must be sha256:<64 lower-case hex digits>, got ${JSON.stringify(input.artifact.slice(0, 80))}`,
    );
  }
  // The team decides the gate, so it is resolved first (read-only); nothing is written before the
  // document has passed.
  // This read only chooses the gate; the store decides ownership again inside its transaction.
  const existing = await s.inventory.findProduct(input.product);
  if (existing && !inScope(caller.principal, existing.team)) {
    throw productOfAnotherTeam(input.product);
  }
  const teamName = existing?.team ?? chooseTeam(caller, input.team);
  requireTeam(caller, teamName, `team ${teamName}`);
  const team = await s.inventory.findTeam(teamName);
  if (!team) {
    throw new InventoryError(
      'INVENTORY_NOT_FOUND',
      `team ${teamName} does not exist; an admin creates it (POST /api/v1/teams or custody token create --team ${teamName})`,
    );
  }
  const policy = team.gate_policy ? gatePolicyFromJSON(team.gate_policy) : DEFAULT_GATE_POLICY;
  const prepared = await (s.prepare ?? prepareSbom)(input.bytes, s.clock().toISOString(), policy);
  const { quality, gate, rows } = prepared;
  const slaDays = policy.followUpSlaDays ?? DEFAULT_FOLLOW_UP_SLA_DAYS;
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

  const outcome = await s.inventory.recordSbom({
    team: teamName,
    product: input.product,
    release: input.release,
    ...(input.tag !== undefined ? { tag: input.tag } : {}),
    ...(input.commit !== undefined ? { commit: input.commit } : {}),
    ...(input.ticket !== undefined ? { ticket: input.ticket } : {}),
    artifact,
    document: input.bytes,
    digest: BlobStore.digestOf(input.bytes),
    format: prepared.format,
    specVersion: prepared.specVersion,
    serialNumber: prepared.serialNumber,
    mediaType: prepared.mediaType,
    qualityScore: quality.score,
    documentCreated: prepared.timestamp,
    rows,
    followUps: { slaDays, items: followUpItems(gate) },
    by: {
      actor: caller.principal.actor,
      person: caller.principal.person,
      role: caller.principal.role,
      source: caller.source,
    },
    now: s.clock().toISOString(),
  });
  // Vulnerability matching runs as a job after the commit, never inside the ingest transaction.
  // The SBOM is stored either way: a failed enqueue is caught up by the matching sweep.
  if (outcome.created) await enqueueSbomMatch(s, outcome.sbom.id).catch(() => null);
  // The push meets the SBOM obligations of release and lockfile events (pending `sbom` actions)
  // for its product version, commit or digest; also after the commit. Should this fail, the
  // actions stay pending (and count as overdue) until the next push or a person meets them.
  let obligationsMet: MetAction[] = [];
  if (outcome.created) {
    obligationsMet = await meetSbomObligations(s, caller, {
      sbomId: outcome.sbom.id,
      team: { id: team.id, name: teamName },
      product: input.product,
      version: input.release,
      commit: input.commit,
      digest: artifact.digest,
      at: outcome.sbom.created_at,
    }).catch(() => []);
  }
  // Read after the commit, on the read connection: not queued behind the next group commit.
  const open = await countFollowUps(s.db.read, undefined, s.clock().toISOString(), outcome.sbom.id);
  return {
    created: outcome.created,
    sbom: sbomView(outcome.sbom, {
      product: input.product,
      release: input.release,
      artifact: artifact.digest,
      team: teamName,
    }),
    quality,
    gate,
    followUps: { ...open, slaDays, list: `/api/v1/follow-ups?sbom=${outcome.sbom.id}` },
    validationWarnings: prepared.validationWarnings,
    obligationsMet,
  };
}

/** One follow-up per warned component and check; a document-level warning is one on its own. */
function followUpItems(gate: GateResult): FollowUpInput[] {
  const out: FollowUpInput[] = [];
  for (const w of gate.warnings) {
    if (w.components.length === 0) {
      out.push({ check: w.check, ref: '', label: '', purl: null, message: w.message });
    }
    for (const c of w.components) {
      out.push({
        check: w.check,
        ref: c.ref,
        label: c.label,
        purl: c.purl ?? null,
        message: followUpMessage(w.check, w.message),
      });
    }
  }
  return out;
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
