/**
 * The OSV schema (ossf/osv-schema, validation/schema.json) as Custody's typed model. Field names
 * are camelCase; absent arrays are empty arrays (the schema allows `null` for some of them, which
 * reads as empty too). Everything else keeps the record's own strings.
 */

/** The range types of the schema. Custody evaluates SEMVER and ECOSYSTEM; GIT needs a repository. */
export type OsvRangeType = 'GIT' | 'SEMVER' | 'ECOSYSTEM';

/** One event of a range's timeline (the schema allows exactly one key per event object). */
export type OsvEventKind = 'introduced' | 'fixed' | 'last_affected' | 'limit';

export interface OsvEvent {
  kind: OsvEventKind;
  version: string;
}

export interface OsvRange {
  type: OsvRangeType;
  /** Required for GIT ranges. */
  repo?: string;
  events: OsvEvent[];
  databaseSpecific?: Record<string, unknown>;
}

/** The severity types of the schema. */
export type OsvSeverityType = 'CVSS_V2' | 'CVSS_V3' | 'CVSS_V4' | 'Ubuntu';

export interface OsvSeverity {
  type: OsvSeverityType;
  /** A CVSS vector (checked against the schema's pattern for its type) or an Ubuntu priority. */
  score: string;
}

export interface OsvPackage {
  /** As written: `npm`, `PyPI`, `Debian:12`, `Alpine:v3.18`, `Red Hat:rhel_aus:8.4::appstream`, … */
  ecosystem: string;
  name: string;
  purl?: string;
}

export interface OsvAffected {
  /** Absent in records that describe a vulnerability without naming a package. */
  package?: OsvPackage;
  severity: OsvSeverity[];
  ranges: OsvRange[];
  versions: string[];
  ecosystemSpecific?: Record<string, unknown>;
  databaseSpecific?: Record<string, unknown>;
}

export type OsvReferenceType =
  | 'ADVISORY'
  | 'ARTICLE'
  | 'DETECTION'
  | 'DISCUSSION'
  | 'REPORT'
  | 'FIX'
  | 'INTRODUCED'
  | 'GIT'
  | 'PACKAGE'
  | 'EVIDENCE'
  | 'WEB';

export interface OsvReference {
  type: OsvReferenceType;
  url: string;
}

export type OsvCreditType =
  | 'FINDER'
  | 'REPORTER'
  | 'ANALYST'
  | 'COORDINATOR'
  | 'REMEDIATION_DEVELOPER'
  | 'REMEDIATION_REVIEWER'
  | 'REMEDIATION_VERIFIER'
  | 'TOOL'
  | 'SPONSOR'
  | 'OTHER';

export interface OsvCredit {
  name: string;
  contact: string[];
  type?: OsvCreditType;
}

/** A problem found in a record: where (JSON pointer) and what. */
export interface OsvProblem {
  pointer: string;
  message: string;
}

export interface OsvRecord {
  schemaVersion?: string;
  id: string;
  /** RFC 3339 UTC timestamps, as written. */
  modified: string;
  published?: string;
  withdrawn?: string;
  aliases: string[];
  related: string[];
  upstream: string[];
  summary?: string;
  details?: string;
  severity: OsvSeverity[];
  affected: OsvAffected[];
  references: OsvReference[];
  credits: OsvCredit[];
  databaseSpecific?: Record<string, unknown>;
  /**
   * Deviations from the schema that do not touch what Custody evaluates, so the record is kept:
   * GIT range events that are not full commit hashes (7 PyPI records of the pypa database name a
   * `….patch` file there). Empty for a record that passes the schema.
   */
  warnings: OsvProblem[];
}
