/** vers comparators; '=' is written as a bare version, and '*' stands alone with version "". */
export type VersComparator = '=' | '!=' | '<' | '<=' | '>' | '>=' | '*';

export interface VersConstraint {
  readonly comparator: VersComparator;
  /** The decoded version (percent-encoding removed). */
  readonly version: string;
}

/** A parsed vers: its type (the spec's "versioning scheme", lower-case) and sorted constraints. */
export interface VersRange {
  readonly scheme: string;
  readonly constraints: readonly VersConstraint[];
}

/** Longest vers string accepted: advisories stay far below this, and it bounds parse work. */
export const MAX_VERS_LENGTH = 16_384;
/** Most constraints in one vers. */
export const MAX_VERS_CONSTRAINTS = 1_000;
