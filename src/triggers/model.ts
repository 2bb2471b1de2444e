import type { VexChange } from './events.js';
import type { SlaKey } from './sla.js';

/** The seed-001 table a row comes from (`issue` and `custody`: rows the seed implies but omits). */
export type SeedTable =
  | 'decision-tree'
  | 'mandatory'
  | 'optional'
  | 'not-a-trigger'
  | 'vex-publication'
  | 'vex-updates'
  | 'vex-versioning'
  | 'automation-tree'
  | 'matrix'
  | 'pattern'
  | 'edge-case'
  | 'checklist'
  | 'issue';

/** A row of seed 001 in its own words (table cells joined with ` | `). */
export interface SeedSource {
  table: SeedTable;
  text: string;
}

/** The decision framework tree's five outcomes. */
export type DecisionBranch =
  | 'generate-sbom'
  | 're-evaluate'
  | 'publish-or-update-vex'
  | 'update-existing-artifact'
  | 'no-action';

/**
 * What happens to the SBOM: `new` (a release SBOM), `new-build` (a build SBOM for a commit),
 * `new-version` (a new version of the same artifact's SBOM), `new-format` (a new artifact in another
 * format, the original retained), `update-metadata`, `re-evaluate` (a person decides), `none`.
 */
export type SbomActionKind =
  | 'none'
  | 'new'
  | 'new-build'
  | 'new-version'
  | 'new-format'
  | 'update-metadata'
  | 're-evaluate';

export type VexActionKind =
  | 'none'
  | 'review-existing'
  | 'review-applicability'
  | 'draft-under-investigation'
  | 'publish-status'
  | 'set-fixed'
  | 'add-fix-available'
  | 'update-urgency'
  | 'add-mitigation'
  | 'update-justification'
  | 'extend-scope'
  | 'update-no-fixes'
  | 'update'
  | 'edit-in-place';

export type VexStatus = 'under_investigation' | 'affected' | 'not_affected' | 'fixed';

/** Named facts of an event that a rule's output may depend on (decide.ts evaluates them). */
export type Condition =
  | 'fixesCve'
  | 'securityFix'
  | 'released'
  | 'significant'
  | 'diffNotEmpty'
  | 'epssJump'
  | 'substantiveChange'
  | 'dependenciesChanged';

/** A value, or one chosen by a condition. */
export type Cond<T> = T | { when: Condition; yes: T; no: T };

/** How an event is detected (the automation decision tree's first question). */
export type Detection = 'automated' | 'automatable' | 'manual';

export type AutomationLevel = 'full' | 'semi' | 'manual';

export type RuleId =
  | 'release-major'
  | 'release-minor'
  | 'release-patch'
  | 'hotfix'
  | 'rebuild'
  | 'pre-release'
  | 'release-unversioned'
  | 'build'
  | 'commit'
  | 'commit-files-unknown'
  | 'lockfile-change'
  | 'lockfile-change-off-release-branch'
  | 'dependency-update'
  | 'transitive-change'
  | 'component-addition'
  | 'component-removal'
  | 'build-config-change'
  | 'software-change-components'
  | 'software-change-no-components'
  | 'documentation-change'
  | 'runtime-config-change'
  | 'metadata-correction'
  | 'enrichment'
  | 'format-migration'
  | 're-scan'
  | 'cve-published'
  | 'private-disclosure'
  | 'analysis-not-affected'
  | 'analysis-affected'
  | 'analysis-revised'
  | 'patch-developed'
  | 'workaround'
  | 'exploit-published'
  | 'new-affected-version'
  | 'epss-change'
  | 'kev-listed'
  | 'vex-update'
  | 'eol'
  | 'scheduled-review';

/** One row of the decision table. */
export interface TriggerRule {
  id: RuleId;
  branch: DecisionBranch;
  sbom: Cond<SbomActionKind>;
  vex: Cond<VexActionKind>;
  deadline: Cond<SlaKey | null>;
  /** A second deadline the event starts (a CVE's draft, then its analysis). */
  followUp?: SlaKey;
  /** The seed's timeline words. */
  timeline: string;
  detection: Detection;
  deterministic: boolean;
  automation: AutomationLevel;
  /** Semi: where a person decides. */
  approvalPoint?: string;
  /** Manual: the documented checklist. */
  checklist?: readonly string[];
  /** The implementation pattern whose ordered steps the decision returns. */
  pattern?: 1 | 2 | 3;
  /** Actions besides SBOM and VEX ("Update deployment docs"). */
  extras?: readonly string[];
  /** The VEX work stays confidential until disclosure. */
  confidential?: boolean;
  /** Why, where the seed's tables disagree or are silent. */
  notes?: readonly string[];
  source: readonly SeedSource[];
}

/** The VEX statement change an action makes, for versioning (null: no statement changes). */
export type ActionChange = VexChange | 'initial' | 'from-event' | null;
