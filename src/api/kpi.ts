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
