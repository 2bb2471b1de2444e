import { type Caller, requireOrganisationWide, requirePermission } from '../../access/index.js';
import type { AuditAnchor, AuditAnchorResult } from '../../api/index.js';
import { insertAnchor, latestAnchor, readChainHead } from '../../store/audit-chain.js';
import { auditAnchorEntry, verifyInclusion } from '../../tlog/index.js';
import { recheckCaller } from '../recheck-caller.js';
import { nowIso, type Services } from '../services.js';
import { AuditTrailError } from './errors.js';

/**
 * Log the audit chain's head in the transparency log (an `audit-anchor` entry: audit id and hash),
 * and record where: from then on, rewriting any row up to that id, however consistently, no longer
 * matches the log. Nothing is logged when the head was anchored already or the trail is empty.
 *
 * Anchoring writes no audit row of its own: the row would move the head, so every anchor would
 * leave something new to anchor. The anchor is public in the log instead.
 * @param caller an organisation-wide admin (the HTTP face and `custody audit anchor`), or
 *   undefined for `custody serve`'s periodic anchoring
 * @throws AuditTrailError AUDIT_ANCHOR_UNAVAILABLE when the log is not running
 * @throws AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID
 */
export async function anchorAuditHead(s: Services, caller?: Caller): Promise<AuditAnchorResult> {
  if (caller !== undefined) {
    requirePermission(caller.principal, 'admin');
    requireOrganisationWide(
      caller.principal,
      'Only an organisation-wide admin may anchor the audit trail (it covers every team); ask one to do it',
    );
    await recheckCaller(s.db.kysely, caller, nowIso(s));
  }
  const log = s.tlog;
  if (log === undefined)
    throw new AuditTrailError(
      'AUDIT_ANCHOR_UNAVAILABLE',
      'The transparency log is turned off in this process, so the audit trail cannot be anchored; run it where the log runs (custody serve, or the CLI on the data directory)',
    );
  const head = await readChainHead(s.db.kysely);
  const last = await latestAnchor(s.db.kysely);
  if (head === undefined || head.lastId === 0) return { anchored: false, anchor: null };
  if (last !== undefined && last.auditId === head.lastId && last.hash === head.hash)
    return { anchored: false, anchor: view(last) };

  const entry = auditAnchorEntry({ auditId: head.lastId, hash: head.hash });
  const { appended } = await log.appendChecked(entry);
  // Proven before it is recorded: an anchor row always names an entry its checkpoint includes.
  const cp = appended.checkpoint;
  verifyInclusion(
    appended.index,
    cp.size,
    entry.leafHash,
    log.log.inclusionProof(appended.index, cp.size),
    cp.rootHash,
  );
  const anchor = {
    auditId: head.lastId,
    hash: head.hash,
    logIndex: appended.index,
    checkpoint: cp.note,
    at: nowIso(s),
  };
  await s.db.kysely.transaction().execute(async (trx) => {
    if (caller !== undefined) await recheckCaller(trx, caller, anchor.at);
    // Two replicas anchoring the same head get the same entry back; record it once.
    const newest = await latestAnchor(trx);
    if (newest?.auditId === anchor.auditId && newest.logIndex === anchor.logIndex) return;
    await insertAnchor(trx, anchor);
  });
  return { anchored: true, anchor: view(anchor) };
}

function view(a: { auditId: number; hash: string; logIndex: number; at: string }): AuditAnchor {
  return { auditId: a.auditId, hash: a.hash, logIndex: a.logIndex, at: a.at };
}
