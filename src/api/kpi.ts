/** The brief a KPI comes from (seeds/000): 1 signing, 2 SLSA, 3 outages, 4 SBOM quality. */
export type KpiBrief = 1 | 2 | 3 | 4;

/** One entry of the KPI catalogue: what is counted, over what, from where. */
export interface KpiDefinition {
  id: string;
  brief: KpiBrief;
  title: string;
  /** `ratio` (numerator / denominator), `count`, `duration` (seconds), `rate` (per day). */
  unit: 'ratio' | 'count' | 'duration' | 'rate';
  numerator: string;
  denominator: string | null;
  /** Where the figure comes from: tables, metrics or `manual` for hand-entered figures. */
  source: string;
  /** Whether a higher value is better (for trend arrows). */
  higherIsBetter: boolean;
  /** `team`: also computed per team (the data names one); `organisation`: organisation-wide only. */
  scope: 'team' | 'organisation';
  /** For figures taken (in part) from hand-entered rows: what an entry's subject and value are. */
  manual?: { subject: string; value: string; kind: 'count' | 'seconds' | 'flag' };
}

/** A milestone of a brief's roll-up plan, with the KPIs that show progress towards it. */
export interface KpiMilestone {
  brief: KpiBrief;
  /** As the brief names the period: `6–12 months`, `Quarter 1`, … */
  period: string;
  text: string;
  /** KPI ids that measure it, and the value that meets it (when it has one). */
  kpis: { id: string; target: number | null }[];
}

/** `GET /api/v1/kpis`: the catalogue with each figure's current value. */
export interface KpiListView {
  /** The team the values are for; null: organisation-wide. */
  team: string | null;
  at: string;
  kpis: (KpiDefinition & { current: KpiValue })[];
  milestones: KpiMilestone[];
}

/** `GET /api/v1/kpis/{id}/history`. */
export interface KpiHistoryView {
  kpi: KpiDefinition;
  team: string | null;
  points: KpiPoint[];
  /** Month over month: the change of the last point against the one 30 days before (null without). */
  monthOverMonth: number | null;
  /** Least-squares slope of the points' values, per day (null with fewer than two). */
  trendPerDay: number | null;
}

export interface KpiValue {
  id: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
  /** Value 30 days before, from the daily snapshots (null without history). */
  previous: number | null;
  at: string;
}

/** A day of history for one KPI. */
export interface KpiPoint {
  day: string;
  value: number | null;
  numerator: number | null;
  denominator: number | null;
}

/** A figure software cannot observe, entered by hand through the API (audited). */
export interface KpiManualEntry {
  id: number;
  kpi: string;
  /** The service or team it is about, when it is about one. */
  subject: string | null;
  value: number;
  note: string | null;
  day: string;
  enteredBy: string;
  enteredAt: string;
}
