/**
 * The event model: every event seed 001 names, in its matrix and in its other tables. One union
 * discriminated on `kind`; the decision function (decide.ts) maps each to exactly one rule.
 */

/** Every event kind, grouped as the seed groups them. */
export const EVENT_KINDS = [
  // Software release (matrix) and builds (edge case 1)
  'release',
  'commit',
  // Dependencies (matrix, mandatory table)
  'lockfile-change',
  'dependency-update',
  'transitive-change',
  'component-addition',
  'component-removal',
  'build-config-change',
  // The decision tree's "Is this a software change?" branch, stated directly
  'software-change',
  // Not SBOM triggers
  'documentation-change',
  'runtime-config-change',
  // Optional SBOM updates and operational rows
  'metadata-correction',
  'enrichment',
  'format-migration',
  're-scan',
  'eol-announcement',
  // Vulnerability events (matrix, VEX publication and update tables)
  'cve-published',
  'private-disclosure',
  'analysis-complete',
  'analysis-revised',
  'patch-developed',
  'workaround-identified',
  'exploit-published',
  'new-affected-version',
  'epss-change',
  'kev-listed',
  'vex-update',
  // Pattern 3
  'scheduled-review',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** What a VEX statement change is, in the terms of seed 001's "VEX versioning triggers". */
export const VEX_CHANGES = [
  'status',
  'new-information',
  'mitigation',
  'affected-versions',
  'typo',
  'formatting',
  'metadata',
] as const;
export type VexChange = (typeof VEX_CHANGES)[number];

/** The outcome of an impact analysis (VEX publication table). */
export type AnalysisOutcome = 'affected' | 'not_affected';

/** Fields every event may carry. */
export interface EventBase {
  /** When the event happened (RFC 3339). Deadlines count from here. */
  at: string;
  /** The product (for webhooks: the repository, `owner/name`). */
  product?: string;
  /** The owning team, whose SLA table applies. */
  team?: string;
  /** Where the event came from: `github`, `gitlab`, `api`, `poller`, `schedule`, … */
  source?: string;
  /** Context kept with the decision: the commit message, the advisory summary, a note. */
  context?: string;
  /** The commit the event is about (full SHA). */
  commit?: string;
  /** The artifact digest the event is about (`sha256:…`). */
  digest?: string;
}

export interface ReleaseEvent extends EventBase {
  kind: 'release';
  /** The new version (or tag name). */
  version: string;
  /** The product's previous release, when known: release kind is derived from the pair. */
  previousVersion?: string;
  /** Marked as a hotfix by whoever sent it. */
  hotfix?: boolean;
  /** Marked as a pre-release (GitHub's `prerelease` flag). */
  prerelease?: boolean;
  /** The same version built again (re-release). */
  rebuild?: boolean;
  /** The branch the release was cut from; hotfix branches make a hotfix. */
  branch?: string;
  /** Vulnerabilities this release fixes. */
  fixes?: readonly string[];
  /** The release carries a security fix (hotfix row: "Update if security fix"). */
  securityFix?: boolean;
  /** The release's dependencies changed (Pattern 1 step 7). */
  dependenciesChanged?: boolean;
}

export interface CommitEvent extends EventBase {
  kind: 'commit';
  branch: string;
  onReleaseBranch: boolean;
  /** The webhook listed only some of the pushed commits, so a lockfile change may be hidden. */
  filesTruncated?: boolean;
}

export interface LockfileChangeEvent extends EventBase {
  kind: 'lockfile-change';
  branch?: string;
  onReleaseBranch: boolean;
  /** Paths of the lockfiles that changed. */
  lockfiles: readonly string[];
  /** The resolved dependencies changed (CI diffed them): VEX applicability is reviewed. */
  dependenciesChanged?: boolean;
}

export interface ComponentEvent extends EventBase {
  kind: 'dependency-update' | 'transitive-change' | 'component-addition' | 'component-removal';
  /** The component (purl or name). */
  component?: string;
  from?: string;
  to?: string;
}

export interface SoftwareChangeEvent extends EventBase {
  kind: 'software-change';
  componentsChanged: boolean;
}

export interface PlainEvent extends EventBase {
  kind:
    | 'build-config-change'
    | 'documentation-change'
    | 'runtime-config-change'
    | 'enrichment'
    | 'eol-announcement';
}

export interface MetadataCorrectionEvent extends EventBase {
  kind: 'metadata-correction';
  /** Whether the incorrect data is significant ("Update if incorrect data is significant"). */
  significant: boolean;
}

export interface FormatMigrationEvent extends EventBase {
  kind: 'format-migration';
  from: string;
  to: string;
}

export interface RescanEvent extends EventBase {
  kind: 're-scan';
  /** The new scan's diff against the current SBOM is empty. */
  diffEmpty: boolean;
}

interface VulnerabilityBase extends EventBase {
  /** CVE, GHSA, OSV or private id. */
  vulnerability: string;
}

export interface AdvisoryEvent extends VulnerabilityBase {
  kind: 'cve-published' | 'private-disclosure';
  /** Product versions the advisory affects (edge case 2: one VEX covers them all). */
  affectedVersions?: readonly string[];
  /** Product versions already fixed: kept apart from the affected ones. */
  fixedVersions?: readonly string[];
}

export interface AnalysisCompleteEvent extends VulnerabilityBase {
  kind: 'analysis-complete';
  outcome: AnalysisOutcome;
}

export interface PatchDevelopedEvent extends VulnerabilityBase {
  kind: 'patch-developed';
  /** The fix has shipped in a release ("✅ New (if released)"). */
  released: boolean;
  version?: string;
}

export interface NewAffectedVersionEvent extends VulnerabilityBase {
  kind: 'new-affected-version';
  version: string;
}

export interface EpssChangeEvent extends VulnerabilityBase {
  kind: 'epss-change';
  previous: number;
  current: number;
}

export interface VulnerabilityEvent extends VulnerabilityBase {
  kind: 'analysis-revised' | 'workaround-identified' | 'exploit-published' | 'kev-listed';
}

export interface VexUpdateEvent extends EventBase {
  kind: 'vex-update';
  vulnerability?: string;
  /** What changed in the statement. */
  change: VexChange;
}

export interface ScheduledReviewEvent extends EventBase {
  kind: 'scheduled-review';
  /** The start of the period under review (RFC 3339). */
  since?: string;
}

export type TriggerEvent =
  | ReleaseEvent
  | CommitEvent
  | LockfileChangeEvent
  | ComponentEvent
  | SoftwareChangeEvent
  | PlainEvent
  | MetadataCorrectionEvent
  | FormatMigrationEvent
  | RescanEvent
  | AdvisoryEvent
  | AnalysisCompleteEvent
  | PatchDevelopedEvent
  | NewAffectedVersionEvent
  | EpssChangeEvent
  | VulnerabilityEvent
  | VexUpdateEvent
  | ScheduledReviewEvent;
