import {
  AUDIT_CHAIN_GENESIS,
  type AuditChainProblem,
  type Caller,
  requirePermission,
  verifyAuditChain,
} from '../../access/index.js';
import type { AuditAnchor, AuditVerifyReport } from '../../api/index.js';
import {
  listAnchors,
  listChainedAudit,
  readChainHead,
  type StoredAnchor,
} from '../../store/audit-chain.js';
import {
  leafHash,
  noteVerifierFor,
  openCheckpoint,
  parseAuditAnchorEntry,
  verifyInclusion,
} from '../../tlog/index.js';
import type { Services } from '../services.js';
import type { LogFace } from '../tlog/service.js';

/** Rows read per query: memory stays flat however long the trail is. */
const PAGE = 2000;
/** Problems listed in a report; the rest are counted (a rewritten trail may break every row). */
const MAX_LISTED = 1000;

type Problem = AuditVerifyReport['problems'][number];

/**
 * Check the whole audit trail: every row's link and hash from the genesis to the head, the head
 * row against the newest row, and each anchor against the transparency log — the entry at its
 * index must be an audit-anchor of the same id and hash, included (RFC 6962 proof) in the
 * checkpoint recorded with it and in the log's newest, both signed by the log's key — and the
 * chain's row at that id must have the hash the log holds. Rows written while it runs are not
 * checked (it stops at the head it read first).
 *
 * A team-scoped auditor gets the same report: the chain can only be checked whole, and the report
 * names rows by id and problem only, never their content.
 * @throws AccessError AUTH_FORBIDDEN without audit:read
 */
export async function verifyAuditTrail(s: Services, caller?: Caller): Promise<AuditVerifyReport> {
  if (caller !== undefined) requirePermission(caller.principal, 'audit:read');
  const q = s.db.read;
  const problems: Problem[] = [];
  let total = 0;
  const add = (p: Problem) => {
    total++;
    if (problems.length < MAX_LISTED) problems.push(p);
  };

  const head = await readChainHead(q);
  const stored = await listAnchors(q);
  const upTo = head?.lastId ?? 0;
  const anchors = s.tlog ? await checkAnchorsInLog(s.tlog, stored, add) : [];
  if (s.tlog === undefined && stored.length > 0)
    add({
      id: null,
      code: 'AUDIT_ANCHOR_UNCHECKED',
      message:
        'the transparency log is not open here, so the anchors could not be checked; run the verification where the log runs',
    });
  const anchoredIds = new Set(anchors.map((a) => a.auditId));

  let prev = AUDIT_CHAIN_GENESIS;
  let after = 0;
  let rows = 0;
  let firstId: number | null = null;
  let last: { id: number; hash: string } | undefined;
  for (;;) {
    const page = await listChainedAudit(q, { after, limit: PAGE, upTo });
    if (page.length === 0) break;
    for (const p of verifyAuditChain(page, { expectedPrev: prev, anchors })) add(withCode(p));
    for (const r of page) anchoredIds.delete(r.id);
    rows += page.length;
    firstId ??= (page[0] as { id: number }).id;
    const end = page[page.length - 1] as { id: number; hash: string };
    last = { id: end.id, hash: end.hash };
    prev = end.hash;
    after = end.id;
  }
  for (const id of anchoredIds)
    add({
      id,
      code: 'AUDIT_ANCHOR_ROW_MISSING',
      message: `row ${id} was anchored in the transparency log but is no longer in the trail`,
    });
  const headHash = head?.hash ?? AUDIT_CHAIN_GENESIS;
  if ((last?.id ?? 0) !== upTo || (last?.hash ?? AUDIT_CHAIN_GENESIS) !== headHash)
    add({
      id: upTo,
      code: 'AUDIT_CHAIN_HEAD_MISMATCH',
      message: `the chain's head names row ${upTo}, but the newest row is ${last?.id ?? 'none'} or has another hash: rows at the end were removed or rewritten`,
    });
  if (total > problems.length)
    problems.push({
      id: null,
      code: 'AUDIT_PROBLEMS_TRUNCATED',
      message: `${total - problems.length} more problems were found and not listed`,
    });
  const newest = stored[stored.length - 1];
  return {
    ok: total === 0,
    rows,
    firstId,
    lastId: last?.id ?? null,
    head: head?.hash ?? null,
    anchors: { checked: stored.length, newest: newest ? anchorView(newest) : null },
    problems,
  };
}

/**
 * Each stored anchor checked against the log; the (id, hash) pairs the log itself holds, which
 * the chain must match even where the anchor rows were rewritten too.
 */
async function checkAnchorsInLog(
  face: LogFace,
  stored: readonly StoredAnchor[],
  add: (p: Problem) => void,
): Promise<{ auditId: number; hash: string }[]> {
  const log = face.log;
  const verifiers = [noteVerifierFor(log.origin, log.publicKey)];
  const latest = openCheckpoint(log.checkpoint().note, log.origin, verifiers).checkpoint;
  const out: { auditId: number; hash: string }[] = [];
  for (const a of stored) {
    const bad = (code: string, why: string) =>
      add({ id: a.auditId, code, message: `the anchor of row ${a.auditId} ${why}` });
    const entry = a.logIndex < latest.size ? await log.entryAt(a.logIndex) : undefined;
    if (entry === undefined) {
      bad('AUDIT_ANCHOR_NOT_IN_LOG', `names log entry ${a.logIndex}, which the log does not hold`);
      continue;
    }
    let said: { auditId: number; hash: string };
    try {
      said = parseAuditAnchorEntry(entry.body);
    } catch {
      bad('AUDIT_ANCHOR_NOT_IN_LOG', `names log entry ${a.logIndex}, which is no audit anchor`);
      continue;
    }
    out.push(said);
    if (said.auditId !== a.auditId || said.hash !== a.hash)
      bad(
        'AUDIT_ANCHOR_MISMATCH',
        `differs from log entry ${a.logIndex}, which anchored row ${said.auditId} at ${said.hash}`,
      );
    const leaf = leafHash(entry.body);
    try {
      const then = openCheckpoint(a.checkpoint, log.origin, verifiers).checkpoint;
      for (const cp of [then, latest])
        verifyInclusion(
          a.logIndex,
          cp.size,
          leaf,
          log.inclusionProof(a.logIndex, cp.size),
          cp.rootHash,
        );
    } catch (e) {
      bad(
        'AUDIT_ANCHOR_NOT_IN_LOG',
        `is not proven included in the log by checkpoints signed with the log's key: ${(e as Error).message}`,
      );
    }
  }
  return out;
}

function withCode(p: AuditChainProblem): Problem {
  return { id: p.id, code: p.code, message: p.message };
}

function anchorView(a: StoredAnchor): AuditAnchor {
  return { auditId: a.auditId, hash: a.hash, logIndex: a.logIndex, at: a.at };
}
