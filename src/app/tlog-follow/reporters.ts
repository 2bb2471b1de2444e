import { type Caller, requirePermission } from '../../access/index.js';
import type { TlogReport, TlogReporterView } from '../../api/index.js';
import { CustodyError } from '../../core/index.js';
import {
  insertInconsistency,
  listInconsistencies,
  listReporters,
  upsertReporter,
} from '../../store/tlog-reporters.js';
import { audit } from '../audit-trail.js';
import { recheckCaller } from '../recheck-caller.js';
import { nowIso, type Services } from '../services.js';

/** Codes of the reports mirrors and monitors send. Public API: never renamed or reused. */
export type TlogReportErrorCode =
  /** A report whose time is not an ISO 8601 date, or lies in the future. */
  'TLOG_REPORT_INVALID';

export class TlogReportError extends CustodyError<TlogReportErrorCode> {}

/**
 * Take a mirror's or monitor's report (`custody log mirror|monitor --report-to`): its latest
 * state replaces the one before, an inconsistency is kept for good.
 *
 * Reporting needs audit:read (auditors, admins; team-scoped tokens too): the least role whose work
 * is checking, and one that can change nothing else. A report's first arrival and every
 * inconsistency are audited; routine rounds (one a minute per reporter) are not, or they would
 * drown the trail and move its head between every anchor.
 * @throws AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID
 * @throws TlogReportError TLOG_REPORT_INVALID
 */
export async function recordTlogReport(
  s: Services,
  caller: Caller,
  r: TlogReport,
): Promise<{ name: string; receivedAt: string }> {
  requirePermission(caller.principal, 'audit:read');
  const at = nowIso(s);
  const verified = Date.parse(r.verifiedAt);
  // A minute of grace for the reporter's clock.
  if (Number.isNaN(verified) || verified > Date.parse(at) + 60_000)
    throw new TlogReportError(
      'TLOG_REPORT_INVALID',
      `verifiedAt must be an ISO 8601 time not in the future, not ${JSON.stringify(r.verifiedAt)}; check the reporter's clock`,
    );
  const row = {
    name: r.name,
    kind: r.kind,
    origin: r.origin,
    size: r.size,
    root_hash: r.rootHash,
    verified_at: new Date(verified).toISOString(),
    received_at: at,
    actor: caller.principal.actor,
  };
  await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    const isNew = await upsertReporter(trx, row);
    const bad = r.inconsistency;
    if (bad !== undefined) {
      const { kind: _kind, ...kept } = row;
      await insertInconsistency(trx, { ...kept, code: bad.code, message: bad.message });
    }
    if (isNew || bad !== undefined)
      await audit(
        trx,
        caller,
        {
          action: bad !== undefined ? 'tlog.reporter.inconsistency' : 'tlog.reporter.new',
          target: `tlog-reporter:${r.name}`,
          details: {
            kind: r.kind,
            origin: r.origin,
            size: r.size,
            ...(bad !== undefined ? { code: bad.code, message: bad.message } : {}),
          },
        },
        at,
      );
  });
  return { name: r.name, receivedAt: at };
}

/** Every reporter's latest report, and how far behind this service's own log it is. */
export async function listTlogReporters(
  s: Services,
  caller: Caller,
): Promise<{ items: TlogReporterView[] }> {
  requirePermission(caller.principal, 'inventory:read');
  const [rows, bad] = [await listReporters(s.db.read), await listInconsistencies(s.db.read)];
  const own = s.tlog?.log;
  return {
    items: rows.map((r) => {
      const ownLog = own !== undefined && r.origin === own.origin;
      return {
        name: r.name,
        kind: r.kind as TlogReporterView['kind'],
        origin: r.origin,
        size: Number(r.size),
        rootHash: r.root_hash,
        verifiedAt: r.verified_at,
        receivedAt: r.received_at,
        ownLog,
        behind: ownLog ? Math.max(0, own.size - Number(r.size)) : null,
        inconsistencies: bad
          .filter((b) => b.name === r.name)
          .map((b) => ({
            code: b.code,
            message: b.message,
            size: Number(b.size),
            receivedAt: b.received_at,
          })),
      };
    }),
  };
}
