import type { VexStatement } from '../formats/index.js';

/**
 * The actor that drafts statements automatically (a new CVE, a new affected version on a draft).
 * It drafts and publishes what needs no judgment; it never approves.
 */
export const SYSTEM_ACTOR = 'system';

/**
 * What threat feeds say about the vulnerability: seed 001's "new information" (exploit details,
 * EPSS score) and a KEV listing. Not in the common model (formats/vex/model.ts), which has no
 * place for it; writers may render it into status notes.
 */
export interface ThreatIntel {
  /** Public exploit code is available (seed 001: "Exploit published"). */
  exploit?: { readonly reference?: string; readonly publishedAt: string };
  /** EPSS probability, 0 to 1. A change of at least EPSS_VERSION_STEP is a new version. */
  epss?: number;
  /** Listed in CISA's Known Exploited Vulnerabilities catalogue. */
  kev?: boolean;
  /** The severity the supplier gives now (a CVSS vector, or a qualitative rating). */
  severity?: string;
}

/**
 * Evidence that a release carries the fix: the release's SBOM holds `component` at `version`,
 * and the advisory names `fixedVersion` as the first fixed one.
 */
export interface FixEvidence {
  /** The product release, as a purl with its version (one of the statement's products). */
  product: string;
  /** The vulnerable component as the release's SBOM lists it: purl with version. */
  component: string;
  /** The first fixed version of the component (the advisory's `fixed`). */
  fixedVersion: string;
}

/**
 * A statement as the lifecycle keeps it: the common model plus who drafted and approved this
 * version, threat intelligence, fix evidence and disclosure. `version` and `timestamp` are
 * always set here (the model leaves them optional for documents read from elsewhere).
 */
export interface LifecycleStatement extends VexStatement {
  /**
   * The source's finer status term (CycloneDX `false_positive`, CSAF `first_fixed`, …). The
   * formats work adds it to the common model; declared here as well so that the lifecycle treats
   * it as part of the status (substantive, dropped on a status change) before and after that.
   */
  statusDetail?: string;
  version: number;
  timestamp: string;
  /** The person (or SYSTEM_ACTOR) who drafted this version. */
  draftedBy: string;
  /** The person who approved this version; never the drafter. */
  approvedBy?: string;
  intel?: ThreatIntel;
  /** For `fixed`: the evidence that proved the fix, so it publishes without approval. */
  fixEvidence?: readonly FixEvidence[];
  /** When a confidential statement was disclosed (then `confidential` is false). */
  disclosedAt?: string;
}

/** Who acts and when: every lifecycle function takes this instead of reading a clock. */
export interface ActContext {
  /** The person acting, or SYSTEM_ACTOR. */
  by: string;
  /** ISO 8601. */
  now: string;
  /** A second person approving the result in the same step (checked: not `by`, a person). */
  approver?: string;
}

/** How a field changed, as the trail records it. */
export type ChangeKind =
  /** A substantive change: the statement got a new version. */
  | 'substantive'
  /** A declared typo fix (bounded; see versioning.ts), edited in place. */
  | 'typo'
  /** Whitespace or line-break changes only, edited in place. */
  | 'formatting'
  /** A non-substantive field (or an EPSS drift below the step), edited in place. */
  | 'metadata'
  /** A confidential statement made public. */
  | 'disclosure'
  /** A second person approved the version. */
  | 'approval';

/** One entry of the change trail the lifecycle functions return (the caller stores it). */
export interface ChangeRecord {
  field: string;
  kind: ChangeKind;
  before: unknown;
  after: unknown;
  by: string;
  at: string;
  /** The statement version the change produced (or edited in place). */
  version: number;
}

/** What every lifecycle function returns: the statement now, and how it got there. */
export interface Revision {
  statement: LifecycleStatement;
  /** True when this is a new statement version (or a new statement), false for an edit in place. */
  versioned: boolean;
  /** True when the statement may not be published until a second person approves it. */
  needsApproval: boolean;
  trail: readonly ChangeRecord[];
}
