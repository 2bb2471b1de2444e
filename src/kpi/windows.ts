/** The window event counts are taken over (rolling, ending at the moment of computing). */
export const WINDOW_DAYS = 30;
/** Rare events (rebuilds, remediations) get a quarter, so one event does not swing the figure. */
export const LONG_WINDOW_DAYS = 90;
/** Brief 3 asks for quarterly drills: a product counts as drilled for this long after one. */
export const DRILL_VALID_DAYS = 92;
/** A runbook's tested fallback counts for a year after the test. */
export const RUNBOOK_VALID_DAYS = 365;

/** The source of the admitted-image figures. */
export const ADMITTED = `admission_decisions, admission_decision_images (allowed, not dry-run, last ${WINDOW_DAYS} days)`;
