import type { VexChange } from './events.js';
import type { AutomationLevel, DecisionBranch, Detection, RuleId } from './model.js';

/**
 * Seed 001's tables that are not event → action rows: the two decision trees, the VEX versioning
 * lists, the implementation patterns, the edge cases and the checklist. Each row keeps the seed's
 * words in `source`; the functions beside them read the rows.
 */

// ── Decision framework ───────────────────────────────────────────────────────────────────────

export interface DecisionFacts {
  softwareChange: boolean;
  componentsChanged: boolean;
  vulnerabilityEvent: boolean;
  metadataCorrection: boolean;
}

export interface DecisionTreeRow {
  branch: DecisionBranch;
  /** The answers that lead to this leaf (facts not named do not matter). */
  when: Partial<DecisionFacts>;
  source: string;
}

export const DECISION_TREE: readonly DecisionTreeRow[] = [
  {
    branch: 'generate-sbom',
    when: { softwareChange: true, componentsChanged: true },
    source: 'Is this a software change? YES → Did components change? YES → Generate new SBOM',
  },
  {
    branch: 're-evaluate',
    when: { softwareChange: true, componentsChanged: false },
    source:
      'Is this a software change? YES → Did components change? NO → Re-evaluate (may be config-only)',
  },
  {
    branch: 'publish-or-update-vex',
    when: { softwareChange: false, vulnerabilityEvent: true },
    source:
      'Is this a software change? NO → Is this a vulnerability event? YES → Publish or update VEX',
  },
  {
    branch: 'update-existing-artifact',
    when: { softwareChange: false, vulnerabilityEvent: false, metadataCorrection: true },
    source:
      'Is this a software change? NO → Is this a vulnerability event? NO → Is this metadata correction? YES → Update existing artifact',
  },
  {
    branch: 'no-action',
    when: { softwareChange: false, vulnerabilityEvent: false, metadataCorrection: false },
    source:
      'Is this a software change? NO → Is this a vulnerability event? NO → Is this metadata correction? NO → No action required',
  },
];

/** The leaf of the decision framework tree the answers reach. */
export function walkDecisionTree(facts: DecisionFacts): DecisionBranch {
  const row = DECISION_TREE.find((r) =>
    Object.entries(r.when).every(([k, v]) => facts[k as keyof DecisionFacts] === v),
  );
  // The rows cover every combination of the four booleans.
  return (row as DecisionTreeRow).branch;
}

// ── Automation decision tree ─────────────────────────────────────────────────────────────────

export interface AutomationTreeRow {
  question: 'detection' | 'response';
  answer: Detection | 'deterministic' | 'judgment';
  outcome: string;
  source: string;
}

export const AUTOMATION_TREE: readonly AutomationTreeRow[] = [
  {
    question: 'detection',
    answer: 'automated',
    outcome: 'proceed to automation',
    source: 'Is detection automated? YES → Proceed to automation',
  },
  {
    question: 'detection',
    answer: 'automatable',
    outcome: 'implement detection automation',
    source:
      'Is detection automated? NO → Can detection be automated? YES → Implement detection automation',
  },
  {
    question: 'detection',
    answer: 'manual',
    outcome: 'document manual checklist',
    source:
      'Is detection automated? NO → Can detection be automated? NO → Document manual checklist',
  },
  {
    question: 'response',
    answer: 'deterministic',
    outcome: 'fully automate action',
    source:
      'Is response deterministic? YES → Fully automate action (Examples: CI/CD SBOM generation, initial VEX draft)',
  },
  {
    question: 'response',
    answer: 'judgment',
    outcome:
      'semi-automate: system detects event, system drafts response, human reviews and approves',
    source:
      'Is response deterministic? NO → Requires human judgment → Semi-automate (Examples: VEX status determination, vulnerability impact analysis)',
  },
];

/** The semi-automation recipe of the automation tree, in its order. */
export const SEMI_AUTOMATION_STEPS = [
  'system detects the event',
  'system drafts the response',
  'human reviews and approves',
] as const;

export interface AutomationStrategy {
  detectionStep: string;
  responseStep: string;
  level: AutomationLevel;
}

/**
 * The automation decision tree: manual detection means a documented checklist (manual); detection
 * that is not automated yet means a person starts a deterministic response (semi, manual
 * trigger); otherwise a deterministic response is fully automated, a judgment semi-automated.
 */
export function automationStrategy(
  detection: Detection,
  deterministic: boolean,
): AutomationStrategy {
  const detectionStep = (AUTOMATION_TREE.find((r) => r.answer === detection) as AutomationTreeRow)
    .outcome;
  const response = AUTOMATION_TREE.find(
    (r) => r.answer === (deterministic ? 'deterministic' : 'judgment'),
  ) as AutomationTreeRow;
  const level: AutomationLevel =
    detection === 'manual'
      ? 'manual'
      : detection === 'automatable' || !deterministic
        ? 'semi'
        : 'full';
  return { detectionStep, responseStep: response.outcome, level };
}

// ── VEX versioning ───────────────────────────────────────────────────────────────────────────

export interface VexVersioningRow {
  change: VexChange;
  newVersion: boolean;
  source: string;
}

export const VEX_VERSIONING: readonly VexVersioningRow[] = [
  {
    change: 'status',
    newVersion: true,
    source:
      'Create a new VEX version when: Analysis status changes (under_investigation → affected)',
  },
  {
    change: 'new-information',
    newVersion: true,
    source:
      'Create a new VEX version when: New information becomes available (exploit details, EPSS score)',
  },
  {
    change: 'mitigation',
    newVersion: true,
    source: 'Create a new VEX version when: Mitigation guidance changes',
  },
  {
    change: 'affected-versions',
    newVersion: true,
    source: 'Create a new VEX version when: Affected version list changes',
  },
  {
    change: 'typo',
    newVersion: false,
    source: 'Do NOT create new VEX version for: Typo corrections (minor editorial fixes)',
  },
  {
    change: 'formatting',
    newVersion: false,
    source: 'Do NOT create new VEX version for: Formatting changes',
  },
  {
    change: 'metadata',
    newVersion: false,
    source: 'Do NOT create new VEX version for: Non-substantive metadata updates',
  },
];

/** True when a change of this kind requires a new VEX statement version (else edit in place). */
export function requiresNewVexVersion(change: VexChange): boolean {
  return (VEX_VERSIONING.find((r) => r.change === change) as VexVersioningRow).newVersion;
}

// ── Implementation patterns ──────────────────────────────────────────────────────────────────

export interface ImplementationPattern {
  id: 1 | 2 | 3;
  name: string;
  trigger: string;
  steps: readonly string[];
  /** Pattern 1's last step applies only when dependencies changed. */
  conditionalLastStep?: boolean;
  source: string;
}

export const PATTERNS: readonly ImplementationPattern[] = [
  {
    id: 1,
    name: 'CI/CD integration (full automation)',
    trigger: 'Git commit to release branch',
    steps: [
      'Build pipeline starts',
      'Dependencies resolved',
      'SBOM generation tool runs',
      'SBOM validated against schema',
      'SBOM signed',
      'SBOM published to repository',
      'VEX reviewed for applicability (if dependencies changed)',
    ],
    conditionalLastStep: true,
    source:
      'Pattern 1: CI/CD integration (full automation) | Trigger: Git commit to release branch',
  },
  {
    id: 2,
    name: 'Vulnerability monitoring (semi-automation)',
    trigger: 'CVE published in NVD/vendor advisory',
    steps: [
      'Monitoring system detects CVE',
      'System queries SBOM repository for affected products',
      'System generates draft VEX with under_investigation status',
      'Alert sent to security team',
      'Human analyzes impact',
      'Human updates VEX status with justification',
      'VEX published',
    ],
    source:
      'Pattern 2: Vulnerability monitoring (semi-automation) | Trigger: CVE published in NVD/vendor advisory',
  },
  {
    id: 3,
    name: 'Manual coordination (low-volume)',
    trigger: 'Scheduled review (weekly/monthly)',
    steps: [
      'Review all changes since last SBOM',
      'Determine if new SBOM needed',
      'Review all new vulnerabilities',
      'Determine VEX updates needed',
      'Batch generate/update artifacts',
      'Publish together',
    ],
    source:
      'Pattern 3: Manual coordination (low-volume) | Trigger: Scheduled review (weekly/monthly)',
  },
];

// ── Edge cases ───────────────────────────────────────────────────────────────────────────────

export interface EdgeCase {
  id: 1 | 2 | 3 | 4;
  title: string;
  solutions: readonly string[];
  /** The rules that carry the solution out. */
  rules: readonly RuleId[];
}

export const EDGE_CASES: readonly EdgeCase[] = [
  {
    id: 1,
    title: 'Multiple releases in single day',
    solutions: [
      'Generate SBOM only for tagged releases',
      'Use semantic versioning to distinguish releases from builds',
      "Pre-release versions (1.0.0-alpha.1) get SBOMs, commits don't",
    ],
    rules: ['pre-release', 'build', 'commit', 'lockfile-change-off-release-branch'],
  },
  {
    id: 2,
    title: 'Vulnerability affecting multiple versions',
    solutions: [
      'Single VEX can reference multiple product versions',
      'Use version ranges where appropriate',
      'Clearly indicate which versions affected vs fixed',
    ],
    rules: ['cve-published'],
  },
  {
    id: 3,
    title: 'Dependency change with same version number',
    solutions: [
      'Always generate new SBOM when lock file changes',
      'Hash-based artifact identification catches this',
      'Document in SBOM metadata that lock file changed',
    ],
    rules: ['lockfile-change'],
  },
  {
    id: 4,
    title: 'False positive vulnerability report',
    solutions: [
      'Publish VEX with not_affected status',
      'Include justification explaining why',
      'Prevents customers from being alarmed by security scanners',
    ],
    rules: ['analysis-not-affected'],
  },
];

// ── Checklist ────────────────────────────────────────────────────────────────────────────────

export interface ChecklistItem {
  section: 'Detection' | 'Decision' | 'Action' | 'Monitoring';
  text: string;
  /** Where it is met: this folder's code (and its test), or the service that uses it. */
  where: 'triggers' | 'service';
}

export const CHECKLIST: readonly ChecklistItem[] = [
  {
    section: 'Detection',
    text: 'Can detect event automatically (webhook, polling, filesystem watch)',
    where: 'triggers',
  },
  {
    section: 'Detection',
    text: 'Can distinguish between trigger types (release vs commit, major vs minor)',
    where: 'triggers',
  },
  {
    section: 'Detection',
    text: 'Can access necessary context (commit messages, dependency diffs, CVE details)',
    where: 'triggers',
  },
  {
    section: 'Decision',
    text: 'Clear criteria for action (when to generate SBOM, when to update VEX)',
    where: 'triggers',
  },
  {
    section: 'Decision',
    text: 'Documented exceptions (edge cases handled appropriately)',
    where: 'triggers',
  },
  {
    section: 'Decision',
    text: 'Human approval points identified (where automation defers to judgment)',
    where: 'triggers',
  },
  { section: 'Action', text: 'Automated generation/update process', where: 'triggers' },
  { section: 'Action', text: 'Validation before publication', where: 'triggers' },
  { section: 'Action', text: 'Rollback mechanism if generation fails', where: 'service' },
  { section: 'Action', text: 'Notifications to relevant teams', where: 'service' },
  { section: 'Monitoring', text: 'Logging of all trigger events', where: 'triggers' },
  { section: 'Monitoring', text: 'Alerts for failed automations', where: 'triggers' },
  {
    section: 'Monitoring',
    text: 'Metrics on trigger frequency and response time',
    where: 'service',
  },
  { section: 'Monitoring', text: 'Audit trail for manual overrides', where: 'service' },
];
