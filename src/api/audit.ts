/** One link of the tamper-evident audit trail (src/access/audit-chain.ts says how it is hashed). */
export interface AuditChainLink {
  id: number;
  /** `sha256:<hex>` of the previous link; the genesis value for the first row. */
  prevHash: string;
  /** `sha256:<hex>` over prevHash and the row's canonical bytes. */
  hash: string;
}

/** The chain's head recorded in the transparency log. */
export interface AuditAnchor {
  /** The audit row the anchor covers up to and including. */
  auditId: number;
  hash: string;
  logIndex: number;
  at: string;
}

/** What `custody audit verify` and GET /api/v1/audit/verify report. */
export interface AuditVerifyReport {
  ok: boolean;
  rows: number;
  firstId: number | null;
  lastId: number | null;
  head: string | null;
  anchors: { checked: number; newest: AuditAnchor | null };
  problems: { id: number | null; code: string; message: string }[];
}

/**
 * One row of the chain as GET /api/v1/audit/chain lists it, oldest first. A team-scoped auditor
 * gets the rows of other teams as links only (`redacted`, no content): enough to follow the chain
 * past them, not to read them.
 */
export interface AuditChainRowView extends AuditChainLink {
  redacted?: true;
  at?: string;
  actor?: string;
  person?: string | null;
  role?: string;
  action?: string;
  target?: string;
  source?: string;
  team?: string | null;
  /** The stored JSON text of the details, byte for byte: the hash covers this exact string. */
  details?: string;
}

/** A page of the chain: rows after `after`, and the id to ask from next (null at the head). */
export interface AuditChainPage {
  items: AuditChainRowView[];
  /** Pass as `after` for the next page; null when this page reached the head. */
  nextAfter: number | null;
  head: { lastId: number; hash: string } | null;
}

/** What `custody audit anchor` and POST /api/v1/audit/anchor answer. */
export interface AuditAnchorResult {
  /** False when the head was anchored already (or the trail is empty): nothing new was logged. */
  anchored: boolean;
  anchor: AuditAnchor | null;
}
