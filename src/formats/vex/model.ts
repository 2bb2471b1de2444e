/**
 * The VEX model every format (formats/vex/: OpenVEX, CycloneDX VEX, CSAF) is read into and written from: one statement says what one
 * vulnerability means for a set of products. Status and justification names are OpenVEX's (the
 * smallest of the three vocabularies); `formats/` maps CycloneDX's analysis states and CSAF's
 * product statuses and flags onto them and back, keeping what the target can hold.
 */

/** OpenVEX 0.2 statuses; CycloneDX `analysis.state` and CSAF product status map onto these. */
export const VEX_STATUSES = ['not_affected', 'affected', 'fixed', 'under_investigation'] as const;
export type VexStatus = (typeof VEX_STATUSES)[number];

/**
 * OpenVEX / CISA status justifications for `not_affected` (the same five labels as CSAF's flags).
 * CycloneDX's nine justifications map onto these, with the original kept in `detail`.
 */
export const VEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;
export type VexJustification = (typeof VEX_JUSTIFICATIONS)[number];

/**
 * What the supplier will do, for `affected` (CycloneDX `analysis.response`, CSAF remediation
 * categories). `will_not_fix` is seed 001's EOL ("update, no fixes"): CycloneDX `will_not_fix`,
 * CSAF `no_fix_planned`, OpenVEX an action statement saying so.
 */
export const VEX_RESPONSES = [
  'can_not_fix',
  'will_not_fix',
  'update',
  'rollback',
  'workaround_available',
] as const;
export type VexResponse = (typeof VEX_RESPONSES)[number];

/**
 * A product (or subcomponent) a statement is about: a purl, and the versions it covers. Affected
 * and fixed versions are never merged (seed 001, edge case 2): a statement covers one status, so
 * "1.x affected, 2.x fixed" is two statements, each with its own range.
 */
export interface VexProduct {
  /** Package URL without version when `versions` says which versions; with one when it is exact. */
  purl: string;
  /**
   * Which versions: a vers range (`vers:npm/>=1.0.0|<1.4.2`, CycloneDX `range`, CSAF
   * `product_version_range`), or versions enumerated (OpenVEX, CycloneDX `version`). Absent: the
   * version in the purl, or every version when the purl has none.
   */
  versions?: { range: string } | { list: readonly string[] };
  /** Other identifiers the source gave (CPE, CSAF product id, bom-ref), kept for round trips. */
  identifiers?: Readonly<Record<string, string>>;
  /** Subcomponents (the vulnerable package inside the product), as purls. */
  subcomponents?: readonly string[];
}

export interface VexStatement {
  /** The vulnerability id as the source names it (CVE-…, GHSA-…, OSV id). */
  vulnerability: string;
  aliases?: readonly string[];
  /** Human description of the vulnerability, when the source has one. */
  description?: string;
  products: readonly VexProduct[];
  status: VexStatus;
  /** Required for not_affected unless impactStatement is given. */
  justification?: VexJustification;
  /** The source's own, finer justification (CycloneDX's nine, CSAF's label) when it had one. */
  justificationDetail?: string;
  impactStatement?: string;
  /** Required for affected (OpenVEX's action_statement, CycloneDX's detail + response, CSAF remediation details). */
  actionStatement?: string;
  responses?: readonly VexResponse[];
  /** Free-text status notes and mitigation guidance (workarounds). */
  statusNotes?: string;
  /** ISO 8601: when this statement (version) was made. */
  timestamp?: string;
  /** The statement's own version (seed 001's "VEX version"); 1 for the first. */
  version?: number;
  /** Private disclosure: never published, logged or searchable until disclosed. */
  confidential?: boolean;
}

/** A VEX document: its statements and the document-level metadata the formats carry. */
export interface VexDocument {
  /** Document id (OpenVEX `@id`, CycloneDX serialNumber, CSAF tracking id). */
  id: string;
  author?: string;
  /** ISO 8601. */
  timestamp?: string;
  lastUpdated?: string;
  /** The document-level version (OpenVEX `version`, CycloneDX `version`, CSAF tracking version). */
  version?: string;
  statements: readonly VexStatement[];
}
