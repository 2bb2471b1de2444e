import type { KpiDefinition } from '../api/index.js';
import { KpiError } from './errors.js';

/** A hand-entered figure as asked for, before it is stored. */
export interface ManualEntryInput {
  value: number;
  subject?: string | undefined;
  note?: string | undefined;
  /** `YYYY-MM-DD`; default: today. */
  day?: string | undefined;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Check a hand-entered figure against its KPI: only KPIs that take entries (`manual`), a subject
 * when the KPI is about one, a value its meaning allows, a real day not in the future.
 * @throws KpiError KPI_ENTRY_INVALID saying what to change
 */
export function checkManualEntry(
  def: KpiDefinition,
  e: ManualEntryInput,
  today: string,
): { value: number; subject: string; note: string | null; day: string } {
  const bad = (m: string) => new KpiError('KPI_ENTRY_INVALID', m, { details: { kpi: def.id } });
  if (!def.manual)
    throw bad(
      `${def.id} is computed from the store and takes no hand-entered figures; the ones that do are marked manual in custody kpi list`,
    );
  const subject = e.subject?.trim() ?? '';
  if (subject === '' || subject.length > 200)
    throw bad(
      `${def.id} needs a subject: the ${def.manual.subject} it is about (1–200 characters)`,
    );
  if (!Number.isFinite(e.value) || e.value < 0)
    throw bad(`The value is ${def.manual.value}: a number of 0 or more`);
  if (def.manual.kind === 'count' && !Number.isInteger(e.value))
    throw bad(`The value is ${def.manual.value}: a whole number`);
  if (def.manual.kind === 'flag' && e.value !== 0 && e.value !== 1)
    throw bad(`The value is ${def.manual.value}`);
  const day = e.day ?? today;
  const parsed = DAY.test(day) ? new Date(`${day}T00:00:00Z`) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== day)
    throw bad(`The day is a calendar date as YYYY-MM-DD; ${JSON.stringify(day)} is not one`);
  if (day > today) throw bad(`The day ${day} is in the future; record what has happened`);
  const note = e.note?.trim() ?? '';
  if (note.length > 2000) throw bad('The note is at most 2000 characters');
  return { value: e.value, subject, note: note === '' ? null : note, day };
}
