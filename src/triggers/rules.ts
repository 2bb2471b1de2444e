import type { RuleId, SeedSource, TriggerRule } from './model.js';

/**
 * The decision table decideTrigger reads: one rule per kind of event, each citing the seed-001
 * rows it stands for in the seed's own words (`source`). Where the seed's tables disagree, `notes`
 * says how Custody settles it (README "Trigger engine" repeats them).
 */

const matrix = (text: string): SeedSource => ({ table: 'matrix', text });
const mandatory = (text: string): SeedSource => ({ table: 'mandatory', text });
const optional = (text: string): SeedSource => ({ table: 'optional', text });
const notTrigger = (text: string): SeedSource => ({ table: 'not-a-trigger', text });
const publication = (text: string): SeedSource => ({ table: 'vex-publication', text });
const vexUpdate = (text: string): SeedSource => ({ table: 'vex-updates', text });
const versioning = (text: string): SeedSource => ({ table: 'vex-versioning', text });
const tree = (text: string): SeedSource => ({ table: 'decision-tree', text });
const edge = (text: string): SeedSource => ({ table: 'edge-case', text });
const pattern = (text: string): SeedSource => ({ table: 'pattern', text });
const issue = (text: string): SeedSource => ({ table: 'issue', text });

const NEW_RELEASE = mandatory(
  'New release | Major, minor, or patch version | 1.0.0 → 1.0.1 | Fully automated (CI/CD)',
);
const EDGE_1 = 'Edge case 1: Multiple releases in single day';
const STATUS_APPROVAL = 'a person sets the VEX status with its justification and approves it';

export const TRIGGER_RULES: readonly TriggerRule[] = [
  // ── Software release ──────────────────────────────────────────────────────────────────────
  {
    id: 'release-major',
    branch: 'generate-sbom',
    sbom: 'new',
    vex: 'review-existing',
    deadline: 'release',
    timeline: 'At release',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    pattern: 1,
    source: [
      matrix(
        'Software Release | Major release (1.0 → 2.0) | ✅ New | Review existing | At release | Full',
      ),
      NEW_RELEASE,
    ],
  },
  {
    id: 'release-minor',
    branch: 'generate-sbom',
    sbom: 'new',
    vex: 'review-existing',
    deadline: 'release',
    timeline: 'At release',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    pattern: 1,
    source: [
      matrix(
        'Software Release | Minor release (1.0 → 1.1) | ✅ New | Review existing | At release | Full',
      ),
      NEW_RELEASE,
    ],
  },
  {
    id: 'release-patch',
    branch: 'generate-sbom',
    sbom: 'new',
    vex: { when: 'fixesCve', yes: 'set-fixed', no: 'none' },
    deadline: 'release',
    timeline: 'At release',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    pattern: 1,
    source: [
      matrix(
        'Software Release | Patch release (1.0.0 → 1.0.1) | ✅ New | Update if fixes CVE | At release | Full',
      ),
      NEW_RELEASE,
      vexUpdate(
        'Patch/fix released | Change status to fixed | At release time | v1.0.1 fixes CVE-2024-1234',
      ),
    ],
  },
  {
    id: 'hotfix',
    branch: 'generate-sbom',
    sbom: 'new',
    vex: { when: 'securityFix', yes: 'set-fixed', no: 'none' },
    deadline: 'hotfix',
    timeline: 'Immediately',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    pattern: 1,
    notes: ['A hotfix is marked by a flag or by its branch name (hotfix/*, hotfix-*).'],
    source: [
      matrix('Software Release | Hotfix | ✅ New | Update if security fix | Immediately | Full'),
    ],
  },
  {
    id: 'rebuild',
    branch: 'generate-sbom',
    sbom: 'new',
    vex: 'none',
    deadline: 'rebuild',
    timeline: 'At rebuild',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    pattern: 1,
    source: [
      matrix('Software Release | Re-release (rebuild) | ✅ New | No change | At rebuild | Full'),
    ],
  },
  {
    id: 'pre-release',
    branch: 'generate-sbom',
    sbom: 'new',
    vex: 'none',
    deadline: 'release',
    timeline: 'At release',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    pattern: 1,
    notes: ['A pre-release (1.0.0-alpha.1, or GitHub prerelease) is a release: it gets an SBOM.'],
    source: [edge(`${EDGE_1} | Pre-release versions (1.0.0-alpha.1) get SBOMs, commits don't`)],
  },
  {
    id: 'release-unversioned',
    branch: 'generate-sbom',
    sbom: 'new',
    vex: 'review-existing',
    deadline: 'release',
    timeline: 'At release',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    pattern: 1,
    notes: ['A tag that is not a semantic version is still a tagged release.'],
    source: [NEW_RELEASE, edge(`${EDGE_1} | Generate SBOM only for tagged releases`)],
  },
  {
    id: 'build',
    branch: 'no-action',
    sbom: 'none',
    vex: 'none',
    deadline: null,
    timeline: 'None',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    notes: ['Semver build metadata (1.0.0+sha) marks a build, not a release.'],
    source: [edge(`${EDGE_1} | Use semantic versioning to distinguish releases from builds`)],
  },
  // ── Commits and dependencies ──────────────────────────────────────────────────────────────
  {
    id: 'commit',
    branch: 'no-action',
    sbom: 'none',
    vex: 'none',
    deadline: null,
    timeline: 'None',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    source: [edge(`${EDGE_1} | Don't generate SBOM for every commit during active development`)],
  },
  {
    id: 'commit-files-unknown',
    branch: 're-evaluate',
    sbom: 're-evaluate',
    vex: 'none',
    deadline: null,
    timeline: 'As needed',
    detection: 'automated',
    deterministic: false,
    automation: 'semi',
    approvalPoint:
      'a person checks whether the push changed a lockfile (the webhook listed only some commits)',
    notes: ['A push whose webhook lists only some commits may hide a lockfile change.'],
    source: [
      tree(
        'Is this a software change? YES → Did components change? NO → Re-evaluate (may be config-only)',
      ),
    ],
  },
  {
    id: 'lockfile-change',
    branch: 'generate-sbom',
    sbom: 'new-build',
    vex: { when: 'dependenciesChanged', yes: 'review-applicability', no: 'none' },
    deadline: 'lockfile',
    timeline: 'At commit',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    pattern: 1,
    extras: ['record in the SBOM metadata that the lockfile changed'],
    notes: [
      'Edge case 1 vs the matrix: a lockfile-changing commit on a release branch gets a build SBOM; on other branches none.',
      'VEX: no change (matrix), unless the sender says the resolved dependencies changed: then Pattern 1 step 7 reviews applicability.',
    ],
    source: [
      matrix('Dependencies | Lock file change | ✅ New | No change | At commit | Full'),
      edge(
        'Edge case 3: Dependency change with same version number | Always generate new SBOM when lock file changes',
      ),
    ],
  },
  {
    id: 'lockfile-change-off-release-branch',
    branch: 'no-action',
    sbom: 'none',
    vex: 'none',
    deadline: null,
    timeline: 'None',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    notes: ['Edge case 1: commits outside release branches get no SBOM, lockfile or not.'],
    source: [edge(`${EDGE_1} | Pre-release versions (1.0.0-alpha.1) get SBOMs, commits don't`)],
  },
  {
    id: 'dependency-update',
    branch: 'generate-sbom',
    sbom: 'new',
    vex: 'review-applicability',
    deadline: 'lockfile',
    timeline: 'At build',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    pattern: 1,
    source: [
      matrix('Dependencies | Dependency update | ✅ New | Review applicability | At build | Full'),
      mandatory(
        'Dependency update | Lock file changed | npm update → new package-lock.json | Fully automated (CI/CD)',
      ),
    ],
  },
  {
    id: 'transitive-change',
    branch: 'generate-sbom',
    sbom: 'new',
    vex: 'review-applicability',
    deadline: 'lockfile',
    timeline: 'At build',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    pattern: 1,
    source: [
      matrix('Dependencies | Transitive change | ✅ New | Review applicability | At build | Full'),
      mandatory(
        'Transitive change | Indirect dependency resolved differently | Same source, different resolved tree | Fully automated (CI/CD)',
      ),
    ],
  },
  {
    id: 'component-addition',
    branch: 'generate-sbom',
    sbom: 'new',
    vex: 'review-applicability',
    deadline: 'lockfile',
    timeline: 'At build',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    pattern: 1,
    source: [
      mandatory(
        'Component addition | New library/module included | Add authentication library | Fully automated (CI/CD)',
      ),
    ],
  },
  {
    id: 'component-removal',
    branch: 'generate-sbom',
    sbom: 'new',
    vex: 'review-applicability',
    deadline: 'lockfile',
    timeline: 'At build',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    pattern: 1,
    source: [
      mandatory(
        'Component removal | Library/module removed | Remove deprecated dependency | Fully automated (CI/CD)',
      ),
    ],
  },
  {
    id: 'build-config-change',
    branch: 'generate-sbom',
    sbom: 'new',
    vex: 'none',
    deadline: null,
    timeline: 'When triggered',
    detection: 'automatable',
    deterministic: true,
    automation: 'semi',
    approvalPoint: 'a person triggers the SBOM build (manual trigger)',
    source: [
      mandatory(
        'Build config change | Compilation flags or build tools updated | Enable/disable features | Semi-automated (manual trigger)',
      ),
    ],
  },
  {
    id: 'software-change-components',
    branch: 'generate-sbom',
    sbom: 'new',
    vex: 'review-applicability',
    deadline: 'lockfile',
    timeline: 'At build',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    pattern: 1,
    source: [
      tree('Is this a software change? YES → Did components change? YES → Generate new SBOM'),
    ],
  },
  {
    id: 'software-change-no-components',
    branch: 're-evaluate',
    sbom: 're-evaluate',
    vex: 'none',
    deadline: null,
    timeline: 'As needed',
    detection: 'automated',
    deterministic: false,
    automation: 'semi',
    approvalPoint: 'a person decides whether the change is config-only or needs an SBOM',
    source: [
      tree(
        'Is this a software change? YES → Did components change? NO → Re-evaluate (may be config-only)',
      ),
    ],
  },
  {
    id: 'documentation-change',
    branch: 'no-action',
    sbom: 'none',
    vex: 'none',
    deadline: null,
    timeline: 'None',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    source: [
      notTrigger('Documentation update | Code unchanged | No SBOM/VEX action'),
      tree(
        'Is this a software change? NO → Is this a vulnerability event? NO → Is this metadata correction? NO → No action required',
      ),
    ],
  },
  {
    id: 'runtime-config-change',
    branch: 'no-action',
    sbom: 'none',
    vex: 'none',
    deadline: null,
    timeline: 'As needed',
    detection: 'manual',
    deterministic: false,
    automation: 'manual',
    checklist: ['update the deployment docs'],
    extras: ['update deployment docs'],
    source: [
      notTrigger(
        'Configuration change | Runtime config (not build-time) | Update deployment docs, not SBOM',
      ),
    ],
  },
  // ── Optional SBOM updates and operational events ──────────────────────────────────────────
  {
    id: 'metadata-correction',
    branch: 'update-existing-artifact',
    sbom: { when: 'significant', yes: 'new-version', no: 'none' },
    vex: 'none',
    deadline: null,
    timeline: 'As needed',
    detection: 'manual',
    deterministic: false,
    automation: 'manual',
    checklist: [
      'judge whether the incorrect data is significant',
      'if it is, publish a corrected SBOM version that points at the one it replaces',
      'leave the VEX unchanged',
    ],
    source: [
      matrix(
        'Operational | Metadata correction | ✅ New version (optional) | No change | As needed | Manual',
      ),
      optional(
        'Metadata correction | Fix typo in supplier name | Update if incorrect data is significant',
      ),
      tree(
        'Is this a software change? NO → Is this a vulnerability event? NO → Is this metadata correction? YES → Update existing artifact',
      ),
    ],
  },
  {
    id: 'enrichment',
    branch: 'update-existing-artifact',
    sbom: 'new-version',
    vex: 'none',
    deadline: null,
    timeline: 'As needed',
    detection: 'manual',
    deterministic: false,
    automation: 'manual',
    checklist: [
      'add the pedigree or provenance data',
      'publish a new SBOM version with the enhanced metadata, pointing at the previous one',
    ],
    source: [
      optional(
        'Enrichment | Add pedigree or provenance data | Generate new version with enhanced metadata',
      ),
    ],
  },
  {
    id: 'format-migration',
    branch: 'update-existing-artifact',
    sbom: 'new-format',
    vex: 'none',
    deadline: null,
    timeline: 'Planned',
    detection: 'manual',
    deterministic: false,
    automation: 'manual',
    extras: ['retain the original SBOM'],
    checklist: [
      'convert the SBOM to the new format',
      'check what the target format cannot hold',
      'publish the converted SBOM as a new artifact',
      'retain the original SBOM',
    ],
    source: [
      matrix('Operational | Format migration | ✅ New format | No change | Planned | Manual'),
      optional(
        'Format migration | Switch from SPDX to CycloneDX | Treat as new artifact, retain original',
      ),
    ],
  },
  {
    id: 're-scan',
    branch: 'update-existing-artifact',
    sbom: { when: 'diffNotEmpty', yes: 'new-version', no: 'none' },
    vex: 'none',
    deadline: null,
    timeline: 'As needed',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    notes: [
      'A re-scan yields a new SBOM version only when its diff against the current SBOM is not empty.',
    ],
    source: [
      optional(
        'Re-scan | Rerun tools with better detection | Only if substantially different results',
      ),
    ],
  },
  {
    id: 'eol',
    branch: 'update-existing-artifact',
    sbom: 'update-metadata',
    vex: 'update-no-fixes',
    deadline: 'eol',
    timeline: 'At announcement',
    detection: 'manual',
    deterministic: false,
    automation: 'manual',
    checklist: [
      "record the end-of-life date in the product's SBOM metadata",
      'update every open VEX statement of the product: no fixes will come (will_not_fix / no_fix_planned)',
      'tell the customers',
    ],
    source: [
      matrix(
        'Operational | EOL announcement | Update metadata | ✅ Update (no fixes) | At announcement | Manual',
      ),
    ],
  },
  // ── Vulnerabilities ───────────────────────────────────────────────────────────────────────
  {
    id: 'cve-published',
    branch: 'publish-or-update-vex',
    sbom: 'none',
    vex: 'draft-under-investigation',
    deadline: 'cveDraft',
    followUp: 'analysis',
    timeline: '24-48 hrs',
    detection: 'automated',
    deterministic: false,
    automation: 'semi',
    approvalPoint: STATUS_APPROVAL,
    pattern: 2,
    notes: [
      'The alert and the draft are automatic (VEX publication table); the status is a judgment (matrix: Semi).',
    ],
    source: [
      matrix(
        'Vulnerability | New CVE published | No change | ✅ New (under_investigation) | 24-48 hrs | Semi',
      ),
      publication(
        'CVE published affecting your components | under_investigation | Within 24-48 hours | Automated (alert + draft VEX)',
      ),
      notTrigger(
        "New vulnerability discovered | Software didn't change | Publish/update VEX instead",
      ),
      tree(
        'Is this a software change? NO → Is this a vulnerability event? YES → Publish or update VEX',
      ),
      edge(
        'Edge case 2: Vulnerability affecting multiple versions | Single VEX can reference multiple product versions',
      ),
    ],
  },
  {
    id: 'private-disclosure',
    branch: 'publish-or-update-vex',
    sbom: 'none',
    vex: 'draft-under-investigation',
    deadline: 'privateDisclosure',
    followUp: 'analysis',
    timeline: 'Immediately',
    detection: 'manual',
    deterministic: false,
    automation: 'manual',
    confidential: true,
    checklist: [
      "keep the report confidential: only the owning team's approvers see it",
      'draft the VEX statement under_investigation now, unpublished',
      'find the affected releases through the SBOM index',
      'agree the disclosure date with the reporter',
      'publish the VEX statement when the vulnerability is disclosed',
    ],
    source: [
      publication(
        'Private vulnerability disclosed | under_investigation | Immediately | Manual (confidential)',
      ),
    ],
  },
  {
    id: 'analysis-not-affected',
    branch: 'publish-or-update-vex',
    sbom: 'none',
    vex: 'publish-status',
    deadline: 'analysis',
    timeline: 'Days-weeks',
    detection: 'automated',
    deterministic: false,
    automation: 'semi',
    approvalPoint: 'a person other than the drafter approves not_affected with its justification',
    source: [
      matrix(
        'Vulnerability | Analysis complete | No change | ✅ Update status | Days-weeks | Semi',
      ),
      publication(
        'Analysis completed (not affected) | not_affected | Within days-weeks | Semi-automated (human approval)',
      ),
      edge(
        'Edge case 4: False positive vulnerability report | Publish VEX with not_affected status',
      ),
    ],
  },
  {
    id: 'analysis-affected',
    branch: 'publish-or-update-vex',
    sbom: 'none',
    vex: 'publish-status',
    deadline: 'analysis',
    timeline: 'Days-weeks',
    detection: 'automated',
    deterministic: false,
    automation: 'semi',
    approvalPoint: 'a person other than the drafter approves affected with its action statement',
    source: [
      matrix(
        'Vulnerability | Analysis complete | No change | ✅ Update status | Days-weeks | Semi',
      ),
      publication(
        'Analysis completed (affected) | affected | Within days-weeks | Semi-automated (human approval)',
      ),
    ],
  },
  {
    id: 'analysis-revised',
    branch: 'publish-or-update-vex',
    sbom: 'none',
    vex: 'update-justification',
    deadline: null,
    timeline: 'As needed',
    detection: 'automated',
    deterministic: false,
    automation: 'semi',
    approvalPoint: STATUS_APPROVAL,
    source: [
      vexUpdate(
        'Analysis revised | Update justification | As needed | Initial assessment incorrect',
      ),
    ],
  },
  {
    id: 'patch-developed',
    branch: 'publish-or-update-vex',
    sbom: { when: 'released', yes: 'new', no: 'none' },
    vex: { when: 'released', yes: 'set-fixed', no: 'add-fix-available' },
    deadline: { when: 'released', yes: 'release', no: null },
    timeline: 'At fix',
    detection: 'automated',
    deterministic: true,
    automation: 'full',
    notes: [
      'fixed follows from evidence (the release SBOM holds the fixed version), so it needs no approval.',
    ],
    source: [
      matrix(
        'Vulnerability | Patch developed | ✅ New (if released) | ✅ Update (fix available) | At fix | Full',
      ),
      vexUpdate(
        'Patch/fix released | Change status to fixed | At release time | v1.0.1 fixes CVE-2024-1234',
      ),
    ],
  },
  {
    id: 'workaround',
    branch: 'publish-or-update-vex',
    sbom: 'none',
    vex: 'add-mitigation',
    deadline: 'workaround',
    timeline: 'ASAP',
    detection: 'automated',
    deterministic: false,
    automation: 'semi',
    approvalPoint: 'a person reviews and approves the mitigation details',
    source: [
      matrix('Vulnerability | Workaround found | No change | ✅ Update mitigation | ASAP | Semi'),
      vexUpdate(
        'Workaround identified | Add mitigation details | ASAP | Configuration change reduces risk',
      ),
      versioning('Create a new VEX version when: Mitigation guidance changes'),
    ],
  },
  {
    id: 'exploit-published',
    branch: 'publish-or-update-vex',
    sbom: 'none',
    vex: 'update-urgency',
    deadline: 'exploit',
    timeline: 'Hours',
    detection: 'automated',
    deterministic: false,
    automation: 'semi',
    approvalPoint: 'a person reviews and approves the urgency/severity update',
    source: [
      matrix('Vulnerability | Exploit published | No change | ✅ Update urgency | Hours | Semi'),
      vexUpdate(
        'Exploit published | Add urgency/severity update | Within hours | Public exploit code available',
      ),
      versioning(
        'Create a new VEX version when: New information becomes available (exploit details, EPSS score)',
      ),
    ],
  },
  {
    id: 'new-affected-version',
    branch: 'publish-or-update-vex',
    sbom: 'none',
    vex: 'extend-scope',
    deadline: 'cveDraft',
    timeline: 'When discovered',
    detection: 'automated',
    deterministic: false,
    automation: 'semi',
    approvalPoint: STATUS_APPROVAL,
    source: [
      vexUpdate('New affected version | Extend scope | When discovered | CVE also affects v2.0.0'),
      versioning('Create a new VEX version when: Affected version list changes'),
    ],
  },
  {
    id: 'epss-change',
    branch: 'publish-or-update-vex',
    sbom: 'none',
    vex: { when: 'epssJump', yes: 'update-urgency', no: 'none' },
    deadline: { when: 'epssJump', yes: 'exploit', no: null },
    timeline: 'Hours',
    detection: 'automated',
    deterministic: false,
    automation: 'semi',
    approvalPoint: 'a person reviews and approves the urgency/severity update',
    notes: ['An EPSS move of at least 0.1 is new information; smaller moves are noise.'],
    source: [
      versioning(
        'Create a new VEX version when: New information becomes available (exploit details, EPSS score)',
      ),
    ],
  },
  {
    id: 'kev-listed',
    branch: 'publish-or-update-vex',
    sbom: 'none',
    vex: 'update-urgency',
    deadline: 'exploit',
    timeline: 'Hours',
    detection: 'automated',
    deterministic: false,
    automation: 'semi',
    approvalPoint: 'a person reviews and approves the urgency/severity update',
    source: [issue('A KEV listing is new information: a new VEX statement version')],
  },
  {
    id: 'vex-update',
    branch: 'publish-or-update-vex',
    sbom: 'none',
    vex: { when: 'substantiveChange', yes: 'update', no: 'edit-in-place' },
    deadline: null,
    timeline: 'As needed',
    detection: 'automated',
    deterministic: false,
    automation: 'semi',
    approvalPoint: STATUS_APPROVAL,
    source: [notTrigger('VEX status update | Components unchanged | Update VEX only')],
  },
  // ── Pattern 3 ─────────────────────────────────────────────────────────────────────────────
  {
    id: 'scheduled-review',
    branch: 're-evaluate',
    sbom: 're-evaluate',
    vex: 'review-existing',
    deadline: null,
    timeline: 'Weekly/monthly',
    detection: 'manual',
    deterministic: false,
    automation: 'manual',
    pattern: 3,
    source: [
      pattern(
        'Pattern 3: Manual coordination (low-volume) | Trigger: Scheduled review (weekly/monthly)',
      ),
    ],
  },
];

/** The rules by id. */
export const RULES_BY_ID: ReadonlyMap<RuleId, TriggerRule> = new Map(
  TRIGGER_RULES.map((r) => [r.id, r]),
);
