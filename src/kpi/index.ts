export {
  type DayValue,
  dayNumber,
  dayOf,
  daysBefore,
  mean,
  median,
  monthOverMonth,
  ratio,
  relativeChange,
  trendPerDay,
} from './arithmetic.js';
export {
  DRILL_VALID_DAYS,
  KPI_CATALOGUE,
  kpiById,
  LONG_WINDOW_DAYS,
  RUNBOOK_VALID_DAYS,
  WINDOW_DAYS,
} from './catalogue.js';
export { KpiError, type KpiErrorCode } from './errors.js';
export { checkManualEntry, type ManualEntryInput } from './manual-entry.js';
export { KPI_MILESTONES } from './milestones.js';
