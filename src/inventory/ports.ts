import type { IndexedComponent } from './index-rows.js';

/** A team as the catalogue holds it. */
export interface TeamRecord {
  id: number;
  name: string;
  /** The team's gate policy as JSON; null: the default gate. */
  gate_policy: string | null;
  created_at: string;
  /** JSON list of the team's signing identities (sign/signing-identities.ts). */
  signing_identities: string;
}

/** A product and the name of the team that owns it. */
export interface ProductRecord {
  id: number;
  team_id: number;
  name: string;
  created_at: string;
  team: string;
  /** 1: third-party software taken in through supplier intake. */
  supplier?: number;
}

/** One stored SBOM (the row; booleans as 0/1, the quality score in tenths). */
export interface SbomRecord {
  id: number;
  artifact_id: number;
  release_id: number;
  product_id: number;
  team_id: number;
  /** `sha256:<hex>` of the document as received: the blob store key. */
  digest: string;
  format: string;
  spec_version: string;
  serial_number: string | null;
  media_type: string;
  size: number;
  version_no: number;
  supersedes_id: number | null;
  current: number;
  quality_score: number;
  component_count: number;
  signed: number;
  document_created: string | null;
  created_at: string;
  created_by: string;
}

/** Everything one SBOM adds to the inventory, read and checked beforehand. */
export interface SbomRecordInput {
  /** The team a new product is created in; an existing product must belong to it. */
  team: string;
  product: string;
  release: string;
  /** VCS tag and commit, recorded when the release is new. */
  tag?: string;
  commit?: string;
  /** The change ticket (SOX / SOC 2), recorded when the release is new. */
  ticket?: string;
  artifact: { digest: string; name: string | null };
  /** The document exactly as received (untrusted bytes, already validated). */
  document: Uint8Array;
  /** `sha256:<hex>` of `document`. */
  digest: string;
  format: string;
  specVersion: string;
  serialNumber: string | null;
  mediaType: string;
  /** 0–10 */
  qualityScore: number;
  documentCreated: string | null;
  rows: readonly IndexedComponent[];
  /** The gate's warnings to keep for follow-up, and their SLA; absent or empty: none. */
  followUps?: { slaDays: number; items: readonly FollowUpInput[] };
  /** Who wrote it, for the row and the audit record. */
  by: { actor: string; person: string; role: string; source: string };
  /** ISO 8601 time of the write. */
  now: string;
}

/** One gate warning about one component (or the document: ref and label ''). */
export interface FollowUpInput {
  check: string;
  ref: string;
  label: string;
  purl: string | null;
  message: string;
}

export interface RecordedSbom {
  /** false: this exact document was already stored for this artifact, and nothing was written. */
  created: boolean;
  sbom: SbomRecord;
}

/**
 * The inventory's store: the catalogue (teams → products → releases → artifacts → SBOM versions)
 * and the component index behind searches. Implemented on SQLite and PostgreSQL in `store/`
 * and checked on both by test/contract/inventory-store.ts.
 */
export interface InventoryStore {
  /** The team named `name`, or undefined when there is none. */
  findTeam(name: string): Promise<TeamRecord | undefined>;
  /** The product named `name` with its team, or undefined when there is none. */
  findProduct(name: string): Promise<ProductRecord | undefined>;
  /**
   * File one SBOM under its product, release and artifact, creating those that are missing,
   * and index its components. One call per SBOM; the contract:
   *
   * - Idempotency: a document whose digest is already stored for the same artifact writes
   *   nothing and answers `{ created: false, sbom: <the existing row> }` (the API's 200 instead
   *   of 201). The same bytes for another artifact are a new SBOM (the blob is shared).
   * - Versioning: a new document for an artifact that has one in the same format becomes the
   *   artifact's next version (n + 1), supersedes that format's current document (whose `current`
   *   turns 0; its rows stay, for history searches) and is its format's only current one. A
   *   document in another format (SPDX after CycloneDX, or the reverse) is a format migration:
   *   stored beside the original as the next version number, superseding nothing, and both stay
   *   current. Two concurrent first pushes, or two new versions, that collide on a unique
   *   key ((artifact, version), (release, digest), product or release name) are retried, so the
   *   loser files after the winner instead of failing.
   * - Follow-ups: each of `followUps.items` becomes an open follow-up of the new SBOM, due
   *   `slaDays` after it was opened. One the superseded version had open (same check and
   *   component purl, else label) keeps its opening time and the old row closes as `carried`;
   *   the old version's others close as `fixed`.
   * - Atomicity: the product, release, artifact, SBOM, component and follow-up rows, the `sbom.ingest`
   *   audit record (target `sbom:<id>`, with product, release, artifact, digest, component
   *   count and the id superseded) and the document's blob are written in one transaction.
   *   When any of it fails, none of it stays: no row, and no blob unless a committed SBOM
   *   refers to the same bytes.
   * - Ownership: a product name belongs to one team. Whether the product exists, and in which
   *   team, is decided inside the write's transaction, where its row is written; two teams'
   *   concurrent first pushes to one name leave the product in one team, with only that team's
   *   SBOMs.
   * - Errors: InventoryError INVENTORY_NOT_FOUND when the team does not exist;
   *   INVENTORY_CONFLICT when the product belongs to another team (the message does not name
   *   it); StoreError STORE_UNAVAILABLE when the database cannot be reached. Anything else is a
   *   bug.
   */
  recordSbom(input: SbomRecordInput): Promise<RecordedSbom>;
}
