import { TriggerError } from './errors.js';
import type { EventKind, TriggerEvent, VexChange } from './events.js';
import type {
  ActionChange,
  Cond,
  Condition,
  DecisionBranch,
  RuleId,
  SbomActionKind,
  SeedSource,
  TriggerRule,
  VexActionKind,
  VexStatus,
} from './model.js';
import { classifyRelease, DEFAULT_HOTFIX_BRANCHES, type ReleaseKind } from './release.js';
import { RULES_BY_ID } from './rules.js';
import { PATTERNS, requiresNewVexVersion, SEMI_AUTOMATION_STEPS } from './seed-tables.js';
import { DEFAULT_SLA, type SlaKey, type SlaTable } from './sla.js';

export interface DecideOptions {
  /** The owning team's SLA table (slaTable); the defaults otherwise. */
  sla?: SlaTable;
  /** Branch patterns that make a release a hotfix. */
  hotfixBranches?: readonly string[];
  /** The EPSS move that counts as new information (default 0.1). */
  epssThreshold?: number;
}

export interface Deadline {
  sla: SlaKey;
  withinMs: number;
  /** RFC 3339, the event's time plus `withinMs`. */
  due: string;
  /** When an alert fires if the work is still open. */
  alertAt?: string;
}

export type Automation =
  | { level: 'full' }
  | { level: 'semi'; approvalPoint: string }
  | { level: 'manual'; checklist: readonly string[] };

export interface VexDecision {
  action: VexActionKind;
  /** The status the statement gets, when the action sets one. */
  status?: VexStatus;
  /** What changes in the statement (VEX versioning). */
  change?: VexChange;
  /** A new statement version (the first one, or a substantive change); false: edit in place or none. */
  newVersion: boolean;
  /** Confidential until disclosure (private disclosure). */
  confidential: boolean;
  /** What the approver must supply with the status. */
  requires?: 'justification' | 'action-statement';
  /** Edge case 2: one statement for every product version, affected and fixed kept apart. */
  versions?: { affected: readonly string[]; fixed: readonly string[] };
}

/** The one decision an event gets. */
export interface TriggerDecision {
  rule: RuleId;
  eventKind: EventKind;
  releaseKind?: ReleaseKind;
  branch: DecisionBranch;
  sbom: { action: SbomActionKind; obligation: boolean };
  vex: VexDecision;
  deadline: Deadline | null;
  followUp: Deadline | null;
  timeline: string;
  automation: Automation;
  /** The ordered actions: the rule's implementation pattern, or its automation recipe. */
  steps: readonly string[];
  extras: readonly string[];
  notes: readonly string[];
  source: readonly SeedSource[];
}

/**
 * The decision for an event, read from the decision table (rules.ts): SBOM action, VEX action,
 * deadline from the team's SLA table, automation level, ordered steps. Every event gets exactly
 * one decision, no-action ones included. Pure: time comes from the event.
 *
 * @throws TriggerError TRIGGER_EVENT_INVALID when `event.at` is not a date
 */
export function decideTrigger(event: TriggerEvent, options: DecideOptions = {}): TriggerDecision {
  const at = Date.parse(event.at);
  if (Number.isNaN(at)) {
    throw new TriggerError(
      'TRIGGER_EVENT_INVALID',
      `The event's time ${JSON.stringify(event.at)} is not an RFC 3339 date; send e.g. 2026-01-31T12:00:00Z`,
      { details: { problems: ['at: not a date'] } },
    );
  }
  const { id, releaseKind } = ruleFor(event, options);
  const rule = RULES_BY_ID.get(id) as TriggerRule;
  const pick = <T>(c: Cond<T>): T => resolve(c, event, options);
  const sla = options.sla ?? DEFAULT_SLA;
  const sbomAction = pick(rule.sbom);
  const deadlineKey = pick(rule.deadline);
  const deadline = deadlineKey === null ? null : deadlineFrom(deadlineKey, at, sla);
  const vex = vexDecision(pick(rule.vex), event);
  const decision: TriggerDecision = {
    rule: id,
    eventKind: event.kind,
    branch: rule.branch,
    sbom: {
      action: sbomAction,
      obligation: (sbomAction === 'new' || sbomAction === 'new-build') && deadline !== null,
    },
    vex,
    deadline,
    followUp: rule.followUp === undefined ? null : deadlineFrom(rule.followUp, at, sla),
    timeline: rule.timeline,
    automation: automationOf(rule),
    steps: stepsOf(rule, event, sbomAction, vex.action),
    extras: rule.extras ?? [],
    notes: rule.notes ?? [],
    source: rule.source,
  };
  if (releaseKind !== undefined) decision.releaseKind = releaseKind;
  return decision;
}

/** The rule an event falls under (and, for releases, the release kind that chose it). */
export function ruleFor(
  event: TriggerEvent,
  options: DecideOptions = {},
): { id: RuleId; releaseKind?: ReleaseKind } {
  switch (event.kind) {
    case 'release': {
      const releaseKind = classifyRelease(event, options.hotfixBranches ?? DEFAULT_HOTFIX_BRANCHES);
      return { id: RELEASE_RULES[releaseKind], releaseKind };
    }
    case 'commit':
      return {
        id: event.onReleaseBranch && event.filesTruncated ? 'commit-files-unknown' : 'commit',
      };
    case 'lockfile-change':
      return {
        id: event.onReleaseBranch ? 'lockfile-change' : 'lockfile-change-off-release-branch',
      };
    case 'software-change':
      return {
        id: event.componentsChanged
          ? 'software-change-components'
          : 'software-change-no-components',
      };
    case 'analysis-complete':
      return { id: event.outcome === 'affected' ? 'analysis-affected' : 'analysis-not-affected' };
    case 'workaround-identified':
      return { id: 'workaround' };
    case 'eol-announcement':
      return { id: 'eol' };
    case 'dependency-update':
    case 'transitive-change':
    case 'component-addition':
    case 'component-removal':
    case 'build-config-change':
    case 'documentation-change':
    case 'runtime-config-change':
    case 'metadata-correction':
    case 'enrichment':
    case 'format-migration':
    case 're-scan':
    case 'cve-published':
    case 'private-disclosure':
    case 'analysis-revised':
    case 'patch-developed':
    case 'exploit-published':
    case 'new-affected-version':
    case 'epss-change':
    case 'kev-listed':
    case 'vex-update':
    case 'scheduled-review':
      return { id: event.kind };
    default:
      return assertNever(event);
  }
}

const RELEASE_RULES: Readonly<Record<ReleaseKind, RuleId>> = {
  major: 'release-major',
  minor: 'release-minor',
  patch: 'release-patch',
  hotfix: 'hotfix',
  'pre-release': 'pre-release',
  rebuild: 'rebuild',
  build: 'build',
  unversioned: 'release-unversioned',
};

/** What each VEX action does to a statement: the status it sets and the kind of change. */
const VEX_ACTION_EFFECT: Readonly<
  Record<VexActionKind, { status?: VexStatus | 'outcome'; change: ActionChange }>
> = {
  none: { change: null },
  'review-existing': { change: null },
  'review-applicability': { change: null },
  'draft-under-investigation': { status: 'under_investigation', change: 'initial' },
  'publish-status': { status: 'outcome', change: 'status' },
  'set-fixed': { status: 'fixed', change: 'status' },
  'add-fix-available': { change: 'mitigation' },
  'update-urgency': { change: 'new-information' },
  'add-mitigation': { change: 'mitigation' },
  'update-justification': { change: 'status' },
  'extend-scope': { change: 'affected-versions' },
  'update-no-fixes': { change: 'mitigation' },
  update: { change: 'from-event' },
  'edit-in-place': { change: 'from-event' },
};

function vexDecision(action: VexActionKind, event: TriggerEvent): VexDecision {
  const effect = VEX_ACTION_EFFECT[action];
  const out: VexDecision = {
    action,
    newVersion: false,
    confidential: event.kind === 'private-disclosure',
  };
  if (effect.status === 'outcome' && event.kind === 'analysis-complete') {
    out.status = event.outcome;
    out.requires = event.outcome === 'not_affected' ? 'justification' : 'action-statement';
  } else if (effect.status !== undefined && effect.status !== 'outcome') out.status = effect.status;
  const change =
    effect.change === 'from-event' && event.kind === 'vex-update' ? event.change : effect.change;
  if (change === 'initial') out.newVersion = true;
  else if (change !== null && change !== 'from-event') {
    out.change = change;
    out.newVersion = requiresNewVexVersion(change);
  }
  if (event.kind === 'cve-published' || event.kind === 'private-disclosure') {
    out.versions = {
      affected: [...(event.affectedVersions ?? [])],
      fixed: [...(event.fixedVersions ?? [])],
    };
  }
  return out;
}

function resolve<T>(c: Cond<T>, event: TriggerEvent, options: DecideOptions): T {
  if (c !== null && typeof c === 'object' && 'when' in c)
    return conditionHolds(c.when, event, options) ? c.yes : c.no;
  return c as T;
}

/** The named facts rules depend on; a condition asked of another kind of event is false. */
function conditionHolds(cond: Condition, event: TriggerEvent, options: DecideOptions): boolean {
  switch (cond) {
    case 'fixesCve':
      return event.kind === 'release' && (event.fixes?.length ?? 0) > 0;
    case 'securityFix':
      return (
        event.kind === 'release' && (event.securityFix === true || (event.fixes?.length ?? 0) > 0)
      );
    case 'released':
      return event.kind === 'patch-developed' && event.released;
    case 'significant':
      return event.kind === 'metadata-correction' && event.significant;
    case 'diffNotEmpty':
      return event.kind === 're-scan' && !event.diffEmpty;
    case 'epssJump': {
      if (event.kind !== 'epss-change') return false;
      // In millionths, so that 0.3 - 0.2 counts as the 0.1 it is.
      const move = Math.round(Math.abs(event.current - event.previous) * 1e6);
      return move >= Math.round((options.epssThreshold ?? 0.1) * 1e6);
    }
    case 'substantiveChange':
      return event.kind === 'vex-update' && requiresNewVexVersion(event.change);
    case 'dependenciesChanged':
      return (
        (event.kind === 'lockfile-change' || event.kind === 'release') &&
        event.dependenciesChanged === true
      );
    default:
      return assertNever(cond);
  }
}

function deadlineFrom(key: SlaKey, at: number, sla: SlaTable): Deadline {
  const entry = sla[key];
  const out: Deadline = {
    sla: key,
    withinMs: entry.withinMs,
    due: new Date(at + entry.withinMs).toISOString(),
  };
  if (entry.alertAfterMs !== undefined)
    out.alertAt = new Date(at + entry.alertAfterMs).toISOString();
  return out;
}

function automationOf(rule: TriggerRule): Automation {
  if (rule.automation === 'semi') return { level: 'semi', approvalPoint: rule.approvalPoint ?? '' };
  if (rule.automation === 'manual') {
    const pattern = PATTERNS.find((p) => p.id === rule.pattern);
    return { level: 'manual', checklist: rule.checklist ?? pattern?.steps ?? [] };
  }
  return { level: 'full' };
}

const SBOM_ACTION_TEXT: Readonly<Record<SbomActionKind, string>> = {
  none: '',
  new: 'generate a new SBOM',
  'new-build': 'generate a build SBOM for the commit',
  'new-version': 'publish a new version of the SBOM',
  'new-format': 'publish the SBOM in the new format as a new artifact',
  'update-metadata': 'update the SBOM metadata',
  're-evaluate': 're-evaluate (may be config-only)',
};

const VEX_ACTION_TEXT: Readonly<Record<VexActionKind, string>> = {
  none: '',
  'review-existing': 'review the existing VEX statements',
  'review-applicability': 'review VEX applicability',
  'draft-under-investigation': 'draft a VEX statement under_investigation',
  'publish-status': 'publish the analysed VEX status',
  'set-fixed': 'set the VEX status to fixed',
  'add-fix-available': 'add to the VEX statement that a fix is available',
  'update-urgency': 'update the VEX statement with the urgency/severity',
  'add-mitigation': 'add the mitigation details to the VEX statement',
  'update-justification': 'update the VEX justification',
  'extend-scope': 'extend the VEX statement to the newly affected version',
  'update-no-fixes': 'update the VEX statements: no fixes',
  update: 'update the VEX statement (new version)',
  'edit-in-place': 'edit the VEX statement in place (no new version)',
};

// The ordered actions: a pattern's steps, the semi-automation recipe, or the manual checklist.
function stepsOf(
  rule: TriggerRule,
  event: TriggerEvent,
  sbom: SbomActionKind,
  vex: VexActionKind,
): string[] {
  const pattern = PATTERNS.find((p) => p.id === rule.pattern);
  if (pattern !== undefined && (pattern.id !== 1 || sbom !== 'none')) {
    const keepLast = !pattern.conditionalLastStep || dependenciesChanged(rule, event);
    return keepLast ? [...pattern.steps] : pattern.steps.slice(0, -1);
  }
  const actions = [SBOM_ACTION_TEXT[sbom], VEX_ACTION_TEXT[vex], ...(rule.extras ?? [])].filter(
    (s) => s !== '',
  );
  if (rule.automation === 'manual') return [...(rule.checklist ?? [])];
  if (rule.automation === 'semi') {
    const [detects, drafts, approves] = SEMI_AUTOMATION_STEPS;
    return [
      detects,
      `${drafts}: ${actions.join('; ') || 'nothing to change'}`,
      `${approves}: ${rule.approvalPoint ?? ''}`,
    ];
  }
  return actions;
}

const DEPENDENCY_RULES: ReadonlySet<RuleId> = new Set<RuleId>([
  'dependency-update',
  'transitive-change',
  'component-addition',
  'component-removal',
  'software-change-components',
]);

// Pattern 1's "(if dependencies changed)".
function dependenciesChanged(rule: TriggerRule, event: TriggerEvent): boolean {
  if (DEPENDENCY_RULES.has(rule.id)) return true;
  return (
    (event.kind === 'lockfile-change' || event.kind === 'release') &&
    event.dependenciesChanged === true
  );
}

function assertNever(x: never): never {
  throw new TriggerError('TRIGGER_EVENT_INVALID', `Unknown event: ${JSON.stringify(x)}`);
}
