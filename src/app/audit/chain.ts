import { type Caller, requirePermission } from '../../access/index.js';
import type { AuditChainPage, AuditChainRowView } from '../../api/index.js';
import { listChainedAudit, readChainHead } from '../../store/audit-chain.js';
import type { Services } from '../services.js';

/**
 * The chain's rows after `after`, oldest first, with their links: what an evidence export carries
 * so that the trail can be checked away from the service (access/audit-chain.ts).
 *
 * A team-scoped auditor gets other teams' rows (and organisation-wide ones) as links only: it can
 * follow the chain past them and check its own rows' hashes, but not read the others.
 * @throws AccessError AUTH_FORBIDDEN without audit:read
 */
export async function listAuditChain(
  s: Services,
  caller: Caller,
  o: { after?: number; limit?: number },
): Promise<AuditChainPage> {
  requirePermission(caller.principal, 'audit:read');
  const limit = o.limit ?? 500;
  const head = await readChainHead(s.db.read);
  const rows = await listChainedAudit(s.db.read, {
    after: o.after ?? 0,
    limit,
    upTo: head?.lastId ?? 0,
  });
  const teams = caller.principal.teams;
  const items = rows.map((r): AuditChainRowView => {
    if (teams !== undefined && (r.team === null || !teams.includes(r.team)))
      return { id: r.id, prevHash: r.prevHash, hash: r.hash, redacted: true };
    return { ...r };
  });
  const end = rows[rows.length - 1];
  return {
    items,
    nextAfter: end !== undefined && end.id < (head?.lastId ?? 0) ? end.id : null,
    head: head ?? null,
  };
}
