/** The categories a quality report groups its checks in (ids are public API). */
export type CategoryId =
  | 'ntia'
  | 'identification'
  | 'integrity'
  | 'licensing'
  | 'structure'
  | 'freshness';

/** Every check Custody scores (ids are public API: gate policies name them). */
export const CHECK_IDS = [
  'ntia.supplier',
  'ntia.name',
  'ntia.version',
  'ntia.unique-id',
  'ntia.dependencies',
  'ntia.author',
  'ntia.timestamp',
  'identification.purl',
  'identification.valid-purl',
  'identification.cpe',
  'integrity.hash',
  'integrity.source-hash',
  'integrity.strong-hash',
  'licensing.present',
  'licensing.valid-spdx',
  'licensing.no-noassertion',
  'licensing.no-deprecated',
  'structure.schema-valid',
  'structure.dependency-graph',
  'structure.versions',
  'structure.exact-versions',
  'freshness.timestamp-age',
] as const;

export type CheckId = (typeof CHECK_IDS)[number];

/** A component that failed a check, named so a person can find and fix it. */
export interface FailingComponent {
  ref: string;
  /** `name@version` (with the namespace for scoped/grouped packages), or `name` without a version. */
  label: string;
  purl?: string;
}

export interface CheckResult {
  id: CheckId;
  category: CategoryId;
  /** Whether the check judges each component or the document as a whole. */
  scope: 'component' | 'document';
  /** false when the check could not be made (e.g. schema not validated); it then weighs nothing. */
  applicable: boolean;
  /** 0–10, two decimals. */
  score: number;
  /** Relative weight within its category. */
  weight: number;
  /** One line for people: what was found. */
  summary: string;
  /** Components checked and those that passed (document checks: 1 and 0/1). */
  total: number;
  passed: number;
  /** Components that fail this check, in document order. Empty for document-level checks. */
  failing: FailingComponent[];
}

export interface CategoryResult {
  id: CategoryId;
  /** Share of the total score (weights of applicable categories are re-normalised). */
  weight: number;
  /** 0–10, weighted mean of its applicable checks. */
  score: number;
  applicable: boolean;
  checks: CheckResult[];
}

export interface QualityReport {
  /** 0–10, one decimal: weighted mean of the applicable categories. */
  score: number;
  /** A (≥ 9) … F (< 5), like sbomqs. */
  grade: 'A' | 'B' | 'C' | 'D' | 'F';
  components: number;
  /** The `now` the report was computed against (ISO 8601). */
  evaluatedAt: string;
  /** Age of the SBOM's timestamp in days against `evaluatedAt`, when it has a readable one. */
  ageDays?: number;
  categories: CategoryResult[];
}

export interface ScoreOptions {
  /** The time freshness is measured against (pure code has no clock). */
  now: Date;
  /** Result of schema validation, when the caller ran it; undefined leaves the check out. */
  schemaValid?: boolean;
  /** Number of schema errors, for the summary. */
  schemaErrors?: number;
}
