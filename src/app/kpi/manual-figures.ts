import { DRILL_VALID_DAYS, daysBefore, RUNBOOK_VALID_DAYS, ratio } from '../../kpi/index.js';
import type { Q } from '../../store/db.js';
import { manualEntries } from '../../store/kpi.js';
import { serviceNames } from '../../store/kpi-release-sources.js';
import type { KpiScope } from './compute.js';
import type { Figure } from './figure.js';

const TRAINED = 'b1.release-managers-trained';
const DRILLS = 'b3.chaos-test-coverage';
const RUNBOOKS = 'b3.services-fallback-runbook';

/**
 * The figures taken from hand-entered rows: people trained (the newest count per team, summed),
 * drill coverage and frequency, and services with a tested fallback and runbook (their newest
 * entry). Services come from the store, so a service nobody entered anything for counts against
 * coverage instead of vanishing from it.
 */
export async function manualFigures(
  q: Q,
  scope: KpiScope,
  today: string,
): Promise<Record<string, Figure>> {
  const services = new Set(await serviceNames(q, scope.team === null ? undefined : scope.teamId));
  const entries = await manualEntries(q, {
    kpis: [TRAINED, DRILLS, RUNBOOKS],
    limit: 1_000_000,
  });
  // Newest first: the first entry seen per subject is its current one.
  const trained = new Map<string, number>();
  const drilled = new Set<string>();
  let drills = 0;
  const runbook = new Map<string, number>();
  const drillFrom = daysBefore(today, DRILL_VALID_DAYS);
  const runbookFrom = daysBefore(today, RUNBOOK_VALID_DAYS);
  for (const e of entries) {
    const subject = e.subject ?? '';
    if (e.day > today) continue;
    if (e.kpi === TRAINED) {
      if ((scope.team === null || subject === scope.team) && !trained.has(subject))
        trained.set(subject, Number(e.value));
    } else if (e.kpi === DRILLS) {
      if (e.day < drillFrom || !services.has(subject)) continue;
      drilled.add(subject);
      drills += 1;
    } else if (e.day >= runbookFrom && services.has(subject) && !runbook.has(subject)) {
      runbook.set(subject, Number(e.value));
    }
  }
  let people = 0;
  for (const v of trained.values()) people += v;
  const withRunbook = [...runbook.values()].filter((v) => v >= 1).length;
  return {
    [TRAINED]: {
      value: trained.size ? people : null,
      numerator: trained.size ? people : null,
      denominator: null,
    },
    [DRILLS]: {
      value: ratio(drilled.size, services.size),
      numerator: drilled.size,
      denominator: services.size,
    },
    'b3.chaos-test-frequency': { value: drills, numerator: drills, denominator: null },
    [RUNBOOKS]: {
      value: ratio(withRunbook, services.size),
      numerator: withRunbook,
      denominator: services.size,
    },
  };
}
