import {
  InventoryError,
  type InventoryStore,
  productOfAnotherTeam,
  type RecordedSbom,
  type SbomRecordInput,
} from '../inventory/index.js';
import { insertAuditEvent } from './audit.js';
import type { BlobStore } from './blobs.js';
import {
  currentSbomOfArtifact,
  findArtifact,
  findProduct,
  findRelease,
  findSbomOfArtifact,
  findTeam,
  insertArtifact,
  insertProduct,
  insertRelease,
  insertSbom,
  lastSbomVersionOfArtifact,
  type SbomRow,
  sbomDigestStored,
  supersede,
} from './catalogue.js';
import {
  commitDictionary,
  type DictionaryEntries,
  dictionaryCache,
  insertComponents,
} from './component-index.js';
import { insertComponentsSqlite } from './component-index-sqlite.js';
import type { Db, Q } from './db.js';
import { recordFollowUps } from './follow-ups.js';

/** The blob store as recordSbom uses it: put inside the transaction, discard when it fails. */
export type SbomBlobs = Pick<BlobStore, 'put' | 'discard'>;

/** The inventory store (inventory/ports.ts) on the database and blob store given. */
export function createInventoryStore(db: Db, blobs: SbomBlobs): InventoryStore {
  return {
    findTeam: (name) => findTeam(db.read, name),
    findProduct: (name) => findProduct(db.read, name),
    recordSbom: (input) => recordSbom(db, blobs, input),
  };
}

async function recordSbom(db: Db, blobs: SbomBlobs, input: SbomRecordInput): Promise<RecordedSbom> {
  const { digest } = input;
  let blobCreated = false;
  const undo = async () => {
    // Another push of the same bytes may have committed meanwhile; only an orphan is removed.
    if (blobCreated && !(await sbomDigestStored(db.kysely, digest))) blobs.discard(digest);
    blobCreated = false;
  };
  // The dictionary entries this write created: cached only once its transaction has committed.
  let created: DictionaryEntries | undefined;
  const outcome = await retryOnUniqueViolation(() =>
    db.writes.run(async (trx) => {
      created = undefined;
      const recorded = await fileSbom(db, trx, input, (e) => {
        created = e;
      });
      if (recorded.created) {
        // The blob goes in last: if writing it fails, the savepoint rolls back and nothing stays.
        blobCreated = blobs.put(input.document).created || blobCreated;
      }
      return recorded;
    }, undo),
  );
  // writes.run resolves after the commit: these ids are in the database for good.
  if (created) commitDictionary(dictionaryCache(db), created);
  if (outcome.created) db.noteIngest();
  return outcome;
}

/** The rows of one SBOM, inside the write's transaction (blob aside). */
async function fileSbom(
  db: Db,
  trx: Q,
  input: SbomRecordInput,
  dictionary: (created: DictionaryEntries) => void,
): Promise<RecordedSbom> {
  const { now } = input;
  // Looked up inside the transaction: another request may have created them meanwhile.
  const team = await findTeam(trx, input.team);
  if (!team) throw new InventoryError('INVENTORY_NOT_FOUND', `team ${input.team} does not exist`);
  // The product's owner is decided here, in the transaction that writes its rows: a check before
  // it (in the use case) cannot see another team's concurrent first push of the same name, and
  // the unique product name makes the later of two such transactions find the earlier's row.
  const product = await findProduct(trx, input.product);
  if (product && product.team_id !== team.id) throw productOfAnotherTeam(input.product);
  const productId = product?.id ?? (await insertProduct(trx, team.id, input.product, now));
  const release = await findRelease(trx, productId, input.release);
  const releaseId =
    release?.id ??
    (await insertRelease(trx, {
      productId,
      version: input.release,
      ...(input.tag !== undefined ? { tag: input.tag } : {}),
      ...(input.commit !== undefined ? { commit: input.commit } : {}),
      ...(input.ticket !== undefined ? { ticket: input.ticket } : {}),
      now,
    }));
  const art = await findArtifact(trx, releaseId, input.artifact.digest);
  const artifactId =
    art?.id ??
    (await insertArtifact(trx, {
      releaseId,
      digest: input.artifact.digest,
      name: input.artifact.name,
      now,
    }));
  const same = await findSbomOfArtifact(trx, artifactId, input.digest);
  if (same) return { created: false, sbom: same };
  // Versions follow one format. A document in another format than the artifact's current one is
  // a format migration (seed 001: "treat as new artifact, retain original"): it is stored beside
  // the original, which stays current; only a document of the same format supersedes.
  const previous = await currentSbomOfArtifact(trx, artifactId, input.format);
  // Numbered across the artifact, so that two concurrent writes collide on (artifact, version).
  const versionNo = (await lastSbomVersionOfArtifact(trx, artifactId)) + 1;
  if (previous) await supersede(trx, previous.id);
  const row: Omit<SbomRow, 'id'> = {
    artifact_id: artifactId,
    release_id: releaseId,
    product_id: productId,
    team_id: team.id,
    digest: input.digest,
    format: input.format,
    spec_version: input.specVersion,
    serial_number: input.serialNumber,
    media_type: input.mediaType,
    size: input.document.byteLength,
    version_no: versionNo,
    supersedes_id: previous?.id ?? null,
    current: 1,
    quality_score: Math.round(input.qualityScore * 10),
    component_count: input.rows.length,
    signed: 0,
    document_created: input.documentCreated,
    created_at: now,
    created_by: input.by.actor,
  };
  const sbomId = await insertSbom(trx, row);
  const cache = dictionaryCache(db);
  dictionary(
    db.sqlite
      ? insertComponentsSqlite(db.sqlite, sbomId, input.rows, cache)
      : await insertComponents(trx, sbomId, input.rows, cache),
  );
  if (previous || input.followUps?.items.length) {
    await recordFollowUps(
      trx,
      {
        teamId: team.id,
        sbomId,
        supersedes: previous?.id ?? null,
        slaDays: input.followUps?.slaDays ?? 30,
        items: input.followUps?.items ?? [],
        now,
      },
      db.sqlite,
    );
  }
  // The queue moves the write generation once per batch, just before it commits.
  await insertAuditEvent(
    trx,
    {
      ...input.by,
      action: 'sbom.ingest',
      target: `sbom:${sbomId}`,
      team: input.team,
      details: {
        product: input.product,
        release: input.release,
        artifact: input.artifact.digest,
        digest: input.digest,
        components: input.rows.length,
        ...(input.followUps?.items.length ? { followUps: input.followUps.items.length } : {}),
        ...(previous ? { supersedes: previous.id } : {}),
      },
    },
    now,
  );
  return { created: true, sbom: { ...row, id: sbomId } };
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
