import { canonicalize } from '../core/index.js';
import { asObject, CUSTODY_ENTRY_API_VERSION, malformed } from './entry-fields.js';
import { leafHash } from './hashing.js';

/**
 * Custody's `audit-anchor` entries: the head of the service's hash-chained audit trail
 * (access/audit-chain.ts), logged from time to time so that rewriting the trail's tail, head
 * included, no longer matches what the log holds. The log signs it twice over: its checkpoints
 * commit to the leaf, and the entry's signed timestamp covers the body.
 *
 * Only the service writes these (app/audit/anchor.ts, through the log's group commit); the public
 * append routes refuse unknown kinds. The body is a function of (auditId, hash) alone, so anchoring
 * the same head again answers the first entry.
 */

export const AUDIT_ANCHOR_KIND = 'audit-anchor';

export interface AuditAnchorStatement {
  /** The audit row the chain's head was at. */
  auditId: number;
  /** Its `sha256:<hex>` chain hash. */
  hash: string;
}

export function auditAnchorEntry(a: AuditAnchorStatement): {
  kind: typeof AUDIT_ANCHOR_KIND;
  body: Uint8Array;
  leafHash: Uint8Array;
  subjectDigest: string;
  aliasLeafHashes: Uint8Array[];
} {
  const body = {
    apiVersion: CUSTODY_ENTRY_API_VERSION,
    kind: AUDIT_ANCHOR_KIND,
    spec: { auditId: a.auditId, hash: a.hash },
  };
  const bytes = new Uint8Array(Buffer.from(canonicalize(body), 'utf8'));
  return {
    kind: AUDIT_ANCHOR_KIND,
    body: bytes,
    leafHash: leafHash(bytes),
    subjectDigest: a.hash,
    aliasLeafHashes: [],
  };
}

/**
 * Read an `audit-anchor` leaf back (untrusted: bytes from a log or a mirror).
 * @throws TlogError TLOG_ENTRY_MALFORMED when it is not one
 */
export function parseAuditAnchorEntry(body: Uint8Array): AuditAnchorStatement {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw malformed('an audit-anchor leaf must be JSON');
  }
  const root = asObject(json, '');
  if (root.get('kind') !== AUDIT_ANCHOR_KIND) throw malformed(`kind must be ${AUDIT_ANCHOR_KIND}`);
  if (root.get('apiVersion') !== CUSTODY_ENTRY_API_VERSION)
    throw malformed(`apiVersion must be ${CUSTODY_ENTRY_API_VERSION}`);
  const spec = root.object('spec');
  const auditId = spec.get('auditId');
  if (typeof auditId !== 'number' || !Number.isSafeInteger(auditId) || auditId < 0)
    throw malformed('spec.auditId must be a non-negative integer');
  const hash = spec.string('hash');
  if (!/^sha256:[0-9a-f]{64}$/.test(hash)) throw malformed('spec.hash must be sha256:<64 hex>');
  return { auditId, hash };
}
