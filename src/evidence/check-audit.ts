import type { ChainedAuditRow } from '../access/index.js';
import { verifyAuditChain } from '../access/index.js';
import type { EvidenceCheck } from '../api/index.js';
import { parseJson } from '../core/index.js';
import { fail, ok, reason } from './check.js';
import { AUDIT_ANCHORS_PATH, AUDIT_PATH } from './layout.js';

/** An audit row as the archive holds it: its chain links may be null (written before 0019). */
export type AuditRowFile = Omit<ChainedAuditRow, 'prevHash' | 'hash'> & {
  prevHash: string | null;
  hash: string | null;
};

/**
 * The audit rows about the release: each chained row's hash recomputes from its fields and the
 * hash before it, and rows with consecutive ids link to each other (the rows between two
 * non-consecutive ones are about other things and are not in the archive).
 */
export function checkAuditRows(files: ReadonlyMap<string, Uint8Array>): EvidenceCheck {
  const name = 'audit chain';
  let rows: AuditRowFile[];
  try {
    const b = files.get(AUDIT_PATH);
    if (b === undefined) throw new Error(`${AUDIT_PATH} is missing`);
    rows = parseJson(b, AUDIT_PATH, { maxBytes: b.length }) as AuditRowFile[];
    if (!Array.isArray(rows)) throw new Error(`${AUDIT_PATH} is not a list`);
  } catch (e) {
    return fail(name, reason(e), 'export the evidence again');
  }
  const chained = rows.filter((r): r is ChainedAuditRow => r.hash !== null && r.prevHash !== null);
  const runs: ChainedAuditRow[][] = [];
  for (const r of chained) {
    const last = runs.at(-1);
    const prev = last?.at(-1);
    if (last && prev && r.id === prev.id + 1) last.push(r);
    else runs.push([r]);
  }
  const anchors = readAnchors(files);
  const problems = runs.flatMap((run) => verifyAuditChain(run, { anchors }));
  const unchained = rows.length - chained.length;
  const anchored = chained.filter((r) => anchors.some((a) => a.auditId === r.id)).length;
  const note =
    (anchored > 0 ? `; ${anchored} match heads anchored in the transparency log` : '') +
    (unchained > 0 ? `; ${unchained} rows were written before the chain and carry no links` : '');
  return problems.length === 0
    ? ok(
        name,
        `${chained.length} audit rows recompute to their hashes, links hold in ${runs.length} runs${note}`,
      )
    : fail(
        name,
        problems
          .slice(0, 10)
          .map((p) => p.message)
          .join('; '),
        'an audit row was changed after it was written: run custody audit verify on the service and report it to security',
      );
}

// Anchors as app/audit records them ({auditId, hash, …}); an unreadable list anchors nothing.
function readAnchors(files: ReadonlyMap<string, Uint8Array>): { auditId: number; hash: string }[] {
  const b = files.get(AUDIT_ANCHORS_PATH);
  if (b === undefined) return [];
  try {
    const list = parseJson(b, AUDIT_ANCHORS_PATH, { maxBytes: b.length });
    return Array.isArray(list)
      ? list.filter(
          (a): a is { auditId: number; hash: string } =>
            typeof a?.auditId === 'number' && typeof a.hash === 'string',
        )
      : [];
  } catch {
    return [];
  }
}
