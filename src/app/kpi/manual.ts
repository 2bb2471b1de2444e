import {
  AccessError,
  type Caller,
  type Principal,
  requireWithinTeams,
} from '../../access/index.js';
import type { KpiManualEntry } from '../../api/index.js';
import {
  checkManualEntry,
  dayOf,
  daysBefore,
  KPI_CATALOGUE,
  KpiError,
  kpiById,
  type ManualEntryInput,
} from '../../kpi/index.js';
import { findTeam } from '../../store/catalogue.js';
import type { Q } from '../../store/db.js';
import {
  insertManualEntry,
  type KpiManualEntryRow,
  manualEntries,
  productTeams,
} from '../../store/kpi.js';
import { audit } from '../audit-trail.js';
import { recheckCaller } from '../recheck-caller.js';
import type { Services } from '../services.js';

/**
 * Who records hand-entered figures: admins (who run the programme: training, runbooks) and
 * auditors (who witness drills and check training records). Publishers and approvers do not
 * vouch for their own progress; viewers only read.
 */
const RECORDERS: readonly string[] = ['admin', 'auditor'];

function requireRecorder(p: Principal): void {
  if (!RECORDERS.includes(p.role))
    throw new AccessError(
      'AUTH_FORBIDDEN',
      `A ${p.role} token may not record KPI figures; an admin or an auditor records them`,
      { details: { role: p.role } },
    );
}

/** The team a subject belongs to: itself for team subjects, its owner for products. */
async function subjectTeam(q: Q, subjectKind: string, subject: string): Promise<string> {
  if (subjectKind === 'team') {
    const t = await findTeam(q, subject);
    if (!t)
      throw new KpiError('KPI_ENTRY_INVALID', `There is no team ${subject}; see custody team list`);
    return t.name;
  }
  const team = (await productTeams(q, [subject])).get(subject);
  if (team === undefined)
    throw new KpiError(
      'KPI_ENTRY_INVALID',
      `There is no product ${subject}; name a service Custody knows`,
    );
  return team;
}

/**
 * `POST /api/v1/kpis/manual`: record a figure software cannot observe (people trained, a drill
 * and its timing, a service's tested fallback and runbook). Checked against the catalogue, the
 * role and team rechecked in the write's transaction, audited.
 * @throws KpiError KPI_NOT_FOUND, KPI_ENTRY_INVALID; AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID
 */
export async function recordManualEntry(
  s: Services,
  caller: Caller,
  kpiId: string,
  input: ManualEntryInput,
): Promise<KpiManualEntry> {
  requireRecorder(caller.principal);
  const def = kpiById(kpiId);
  if (!def)
    throw new KpiError(
      'KPI_NOT_FOUND',
      `There is no KPI ${kpiId}; custody kpi list names them all`,
    );
  const now = s.clock();
  const at = now.toISOString();
  const e = checkManualEntry(def, input, dayOf(now));
  return s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    requireRecorder(caller.principal);
    const team = await subjectTeam(trx, def.manual?.subject ?? 'product', e.subject);
    requireWithinTeams(caller.principal, [team], 'record KPI figures');
    const enteredBy = caller.principal.person;
    const id = await insertManualEntry(trx, {
      kpi: def.id,
      subject: e.subject,
      value: e.value,
      note: e.note,
      day: e.day,
      entered_by: enteredBy,
      entered_at: at,
    });
    await audit(
      trx,
      caller,
      {
        action: 'kpi.record',
        target: `kpi:${def.id}`,
        team,
        details: { id, subject: e.subject, value: e.value, day: e.day, note: e.note },
      },
      at,
    );
    return { id, kpi: def.id, ...e, enteredBy, enteredAt: at };
  });
}

/**
 * `GET /api/v1/kpis/manual`: hand-entered figures, newest first; a team-scoped token sees those
 * about its teams and their products.
 * @throws KpiError KPI_NOT_FOUND, KPI_QUERY_INVALID
 */
export async function listManualEntries(
  s: Services,
  caller: Caller,
  o: { kpi?: string | undefined; days?: number | undefined },
): Promise<{ entries: KpiManualEntry[] }> {
  if (o.kpi !== undefined && !kpiById(o.kpi))
    throw new KpiError(
      'KPI_NOT_FOUND',
      `There is no KPI ${o.kpi}; custody kpi list names them all`,
    );
  const days = o.days ?? 400;
  if (!Number.isInteger(days) || days < 1 || days > 3660)
    throw new KpiError('KPI_QUERY_INVALID', 'days is a whole number from 1 to 3660');
  const kpis = o.kpi ? [o.kpi] : KPI_CATALOGUE.filter((k) => k.manual).map((k) => k.id);
  const rows = await manualEntries(s.db.read, {
    kpis,
    fromDay: daysBefore(dayOf(s.clock()), days - 1),
    limit: 10_000,
  });
  const held = caller.principal.teams;
  let visible: KpiManualEntryRow[] = rows;
  if (held !== undefined) {
    const owners = await productTeams(s.db.read, [...new Set(rows.map((r) => r.subject ?? ''))]);
    visible = rows.filter((r) => {
      const team =
        kpiById(r.kpi)?.manual?.subject === 'team' ? r.subject : owners.get(r.subject ?? '');
      return team !== undefined && team !== null && held.includes(team);
    });
  }
  return {
    entries: visible.map((r) => ({
      id: Number(r.id),
      kpi: r.kpi,
      subject: r.subject,
      value: Number(r.value),
      note: r.note,
      day: r.day,
      enteredBy: r.entered_by,
      enteredAt: r.entered_at,
    })),
  };
}
