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
  /**
   * Package URL without version when `versions` says which versions; with one when it is exact.
   * Absent when the source names the product otherwise (a CycloneDX bom-ref or BOM-Link to a
   * component without purl, a CSAF product known by name and version only): `identifiers` then
   * holds at least one key of VEX_PRODUCT_IDENTIFIERS. (Optional since the formats were added:
   * most real CycloneDX and CSAF VEX documents name products that have no purl.)
   */
  purl?: string;
  /**
   * Which versions: a vers range (`vers:npm/>=1.0.0|<1.4.2`, CycloneDX `range`, CSAF
   * `product_version_range`), or versions enumerated (OpenVEX, CycloneDX `version`). Absent: the
   * version in the purl, or every version when the purl has none.
   */
  versions?: { range: string } | { list: readonly string[] };
  /**
   * Other identifiers the source gave, kept for round trips; the keys formats/ reads and writes
   * are VEX_PRODUCT_IDENTIFIERS (`name`, `cpe`, `bomRef`, `csafProductId`, `iri`).
   */
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
  /**
   * The source's own status term when it is finer than `status` (CycloneDX `false_positive`,
   * `resolved_with_pedigree`; CSAF `first_affected`, `last_affected`, `first_fixed`,
   * `recommended`), so a round trip to the same format restores it.
   */
  statusDetail?: string;
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
  /** OpenVEX `role`; CSAF `publisher.category` when it is one of CSAF's categories. */
  role?: string;
  /** CSAF `publisher.namespace` (a URL of the author's). */
  authorNamespace?: string;
  /** Document title (CSAF `document.title`). */
  title?: string;
  /** How the document was made (OpenVEX `tooling`, CSAF generator engine, CycloneDX tool). */
  tooling?: string;
  /**
   * Publications so far, oldest first (CSAF `revision_history`; the other formats keep only the
   * current version). publishVex appends one on every publication.
   */
  revisions?: readonly VexRevision[];
  statements: readonly VexStatement[];
}

/** One publication of a document (CSAF revision history entry). */
export interface VexRevision {
  /** The document version this publication got ("1", "2", …). */
  number: string;
  /** ISO 8601. */
  date: string;
  summary: string;
}

/**
 * Keys of VexProduct.identifiers that formats/ maps: `name` (display name: CSAF product name,
 * CycloneDX component name), `cpe` (2.2 or 2.3), `bomRef` (CycloneDX affects ref: a bom-ref or
 * BOM-Link), `csafProductId`, `iri` (an OpenVEX @id that is not a purl).
 */
export const VEX_PRODUCT_IDENTIFIERS = ['name', 'cpe', 'bomRef', 'csafProductId', 'iri'] as const;
