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
