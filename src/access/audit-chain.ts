import { canonicalize, sha256Hex } from '../core/index.js';

/**
 * The audit trail's hash chain (issue [10], Brief 2: "store build evidence so it cannot be
 * retroactively modified"). Each row's hash covers the previous row's hash and the row's own
 * canonical bytes, so changing, removing or reordering any row breaks every hash after it; the
 * newest hash is anchored in the transparency log, so rewriting the whole tail shows too.
 *
 *   hash(row) = "sha256:" + hex(SHA-256("custody-audit/v1\n" + prevHash + "\n" + JCS(row)))
 *
 * JCS is RFC 8785 canonical JSON of the row's recorded fields (AuditChainRow), with `details` as
 * the exact string stored, so the check never depends on re-serialising it.
 */
export const AUDIT_CHAIN_DOMAIN = 'custody-audit/v1';
/** The prevHash of the first row of a chain. */
export const AUDIT_CHAIN_GENESIS = `sha256:${'0'.repeat(64)}`;

/** The recorded fields of one audit row, as stored. */
export interface AuditChainRow {
  id: number;
  at: string;
  actor: string;
  person: string | null;
  role: string;
  action: string;
  target: string;
  source: string;
  team: string | null;
  /** The stored JSON text of the details, byte for byte. */
  details: string;
}

export interface ChainedAuditRow extends AuditChainRow {
  prevHash: string;
  hash: string;
}

/** The hash of a row, given the hash of the row before it. */
export function computeAuditHash(prevHash: string, row: AuditChainRow): string {
  const body = canonicalize({
    id: row.id,
    at: row.at,
    actor: row.actor,
    person: row.person,
    role: row.role,
    action: row.action,
    target: row.target,
    source: row.source,
    team: row.team,
    details: row.details,
  });
  return `sha256:${sha256Hex(new TextEncoder().encode(`${AUDIT_CHAIN_DOMAIN}\n${prevHash}\n${body}`))}`;
}

export type AuditChainProblemCode =
  | 'AUDIT_CHAIN_BROKEN_LINK'
  | 'AUDIT_CHAIN_HASH_MISMATCH'
  | 'AUDIT_CHAIN_ORDER'
  | 'AUDIT_CHAIN_ANCHOR_MISMATCH';

export interface AuditChainProblem {
  id: number | null;
  code: AuditChainProblemCode;
  message: string;
}

/**
 * Check a contiguous segment of the chain, oldest first. `expectedPrev` is the hash the segment
 * must start from (the genesis for a whole trail, or a trusted earlier hash); `anchors` are heads
 * recorded elsewhere (the transparency log) that rows of the segment must match.
 * @returns every problem found, empty when the segment is intact
 */
export function verifyAuditChain(
  rows: readonly ChainedAuditRow[],
  o: { expectedPrev?: string; anchors?: readonly { auditId: number; hash: string }[] } = {},
): AuditChainProblem[] {
  const problems: AuditChainProblem[] = [];
  let prev = o.expectedPrev;
  let lastId = Number.NEGATIVE_INFINITY;
  const byId = new Map<number, string>();
  for (const row of rows) {
    if (row.id <= lastId)
      problems.push({
        id: row.id,
        code: 'AUDIT_CHAIN_ORDER',
        message: `row ${row.id} is out of order`,
      });
    lastId = row.id;
    if (prev !== undefined && row.prevHash !== prev)
      problems.push({
        id: row.id,
        code: 'AUDIT_CHAIN_BROKEN_LINK',
        message: `row ${row.id} does not follow the row before it: a row was removed, inserted or reordered`,
      });
    const hash = computeAuditHash(row.prevHash, row);
    if (hash !== row.hash)
      problems.push({
        id: row.id,
        code: 'AUDIT_CHAIN_HASH_MISMATCH',
        message: `row ${row.id} does not match its hash: it was changed after it was written`,
      });
    byId.set(row.id, row.hash);
    prev = row.hash;
  }
  for (const a of o.anchors ?? []) {
    const h = byId.get(a.auditId);
    if (h !== undefined && h !== a.hash)
      problems.push({
        id: a.auditId,
        code: 'AUDIT_CHAIN_ANCHOR_MISMATCH',
        message: `row ${a.auditId} differs from the head anchored in the transparency log`,
      });
  }
  return problems;
}
