import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  automationStrategy,
  decideTrigger,
  evaluateObligations,
  obligationFor,
  PATTERNS,
  parseGithubWebhook,
  requiresNewVexVersion,
  TRIGGER_RULES,
  walkDecisionTree,
} from '../../src/triggers/index.js';
import { readConformance } from '../helpers/conformance.js';
import { AT, DAY, decide, dueIn, ev, HOUR, MINUTE, SHA } from './helpers.js';

/** One test per row of every table of seed 001, named after the row. */

describe('Decision framework', () => {
  it('Is this a software change? YES → Did components change? YES → Generate new SBOM', () => {
    assert.equal(
      walkDecisionTree({
        softwareChange: true,
        componentsChanged: true,
        vulnerabilityEvent: false,
        metadataCorrection: false,
      }),
      'generate-sbom',
    );
    const d = decide({ kind: 'software-change', componentsChanged: true });
    assert.equal(d.branch, 'generate-sbom');
    assert.equal(d.sbom.action, 'new');
  });

  it('Is this a software change? YES → Did components change? NO → Re-evaluate (may be config-only)', () => {
    assert.equal(
      walkDecisionTree({
        softwareChange: true,
        componentsChanged: false,
        vulnerabilityEvent: false,
        metadataCorrection: false,
      }),
      're-evaluate',
    );
    const d = decide({ kind: 'software-change', componentsChanged: false });
    assert.equal(d.sbom.action, 're-evaluate');
    assert.equal(d.vex.action, 'none');
    assert.deepEqual(d.automation.level, 'semi');
  });

  it('Is this a software change? NO → Is this a vulnerability event? YES → Publish or update VEX', () => {
    assert.equal(
      walkDecisionTree({
        softwareChange: false,
        componentsChanged: false,
        vulnerabilityEvent: true,
        metadataCorrection: false,
      }),
      'publish-or-update-vex',
    );
    for (const kind of [
      'exploit-published',
      'workaround-identified',
      'analysis-revised',
    ] as const) {
      const d = decide({ kind, vulnerability: 'CVE-2026-0001' });
      assert.equal(d.branch, 'publish-or-update-vex');
      assert.equal(d.sbom.action, 'none');
      assert.notEqual(d.vex.action, 'none');
    }
  });

  it('… Is this metadata correction? YES → Update existing artifact', () => {
    assert.equal(
      walkDecisionTree({
        softwareChange: false,
        componentsChanged: false,
        vulnerabilityEvent: false,
        metadataCorrection: true,
      }),
      'update-existing-artifact',
    );
    const d = decide({ kind: 'metadata-correction', significant: true });
    assert.equal(d.branch, 'update-existing-artifact');
    assert.equal(d.sbom.action, 'new-version');
  });

  it('… Is this metadata correction? NO → No action required', () => {
    assert.equal(
      walkDecisionTree({
        softwareChange: false,
        componentsChanged: false,
        vulnerabilityEvent: false,
        metadataCorrection: false,
      }),
      'no-action',
    );
    const d = decide({ kind: 'documentation-change' });
    assert.equal(d.branch, 'no-action');
    assert.deepEqual([d.sbom.action, d.vex.action, d.deadline], ['none', 'none', null]);
  });
});

describe('Mandatory SBOM generation', () => {
  it('New release | Major, minor, or patch version | 1.0.0 → 1.0.1 | Fully automated (CI/CD)', () => {
    for (const [prev, next, kind] of [
      ['1.0.0', '2.0.0', 'major'],
      ['1.0.0', '1.1.0', 'minor'],
      ['1.0.0', '1.0.1', 'patch'],
    ] as const) {
      const d = decide({ kind: 'release', version: next, previousVersion: prev });
      assert.equal(d.releaseKind, kind);
      assert.equal(d.sbom.action, 'new');
      assert.equal(d.automation.level, 'full');
    }
  });

  it('Dependency update | Lock file changed | npm update → new package-lock.json | Fully automated (CI/CD)', () => {
    const d = decide({ kind: 'dependency-update', component: 'pkg:npm/lodash', to: '4.17.21' });
    assert.equal(d.sbom.action, 'new');
    assert.equal(d.automation.level, 'full');
    assert.equal(dueIn(d), 15 * MINUTE);
  });

  it('Component addition | New library/module included | Add authentication library | Fully automated (CI/CD)', () => {
    const d = decide({ kind: 'component-addition', component: 'pkg:npm/passport' });
    assert.deepEqual([d.sbom.action, d.automation.level], ['new', 'full']);
  });

  it('Component removal | Library/module removed | Remove deprecated dependency | Fully automated (CI/CD)', () => {
    const d = decide({ kind: 'component-removal', component: 'pkg:npm/request' });
    assert.deepEqual([d.sbom.action, d.automation.level], ['new', 'full']);
  });

  it('Transitive change | Indirect dependency resolved differently | Same source, different resolved tree | Fully automated (CI/CD)', () => {
    const d = decide({ kind: 'transitive-change' });
    assert.deepEqual([d.sbom.action, d.automation.level], ['new', 'full']);
  });

  it('Build config change | Compilation flags or build tools updated | Enable/disable features | Semi-automated (manual trigger)', () => {
    const d = decide({ kind: 'build-config-change' });
    assert.equal(d.sbom.action, 'new');
    assert.equal(d.automation.level, 'semi');
    assert.match(d.automation.level === 'semi' ? d.automation.approvalPoint : '', /manual trigger/);
  });
});

describe('Optional SBOM updates', () => {
  it('Metadata correction | Fix typo in supplier name | Update if incorrect data is significant', () => {
    assert.equal(
      decide({ kind: 'metadata-correction', significant: true }).sbom.action,
      'new-version',
    );
    assert.equal(decide({ kind: 'metadata-correction', significant: false }).sbom.action, 'none');
  });

  it('Enrichment | Add pedigree or provenance data | Generate new version with enhanced metadata', () => {
    assert.equal(decide({ kind: 'enrichment' }).sbom.action, 'new-version');
  });

  it('Format migration | Switch from SPDX to CycloneDX | Treat as new artifact, retain original', () => {
    const d = decide({ kind: 'format-migration', from: 'spdx-2.3', to: 'cyclonedx-1.6' });
    assert.equal(d.sbom.action, 'new-format');
    assert.ok(d.extras.includes('retain the original SBOM'));
  });

  it('Re-scan | Rerun tools with better detection | Only if substantially different results', () => {
    assert.equal(decide({ kind: 're-scan', diffEmpty: false }).sbom.action, 'new-version');
    assert.equal(decide({ kind: 're-scan', diffEmpty: true }).sbom.action, 'none');
  });
});

describe('NOT SBOM generation triggers', () => {
  it("New vulnerability discovered | Software didn't change | Publish/update VEX instead", () => {
    const d = decide({ kind: 'cve-published', vulnerability: 'CVE-2026-0002' });
    assert.equal(d.sbom.action, 'none');
    assert.equal(d.vex.action, 'draft-under-investigation');
  });

  it('VEX status update | Components unchanged | Update VEX only', () => {
    const d = decide({ kind: 'vex-update', change: 'status' });
    assert.equal(d.sbom.action, 'none');
    assert.equal(d.vex.action, 'update');
  });

  it('Documentation update | Code unchanged | No SBOM/VEX action', () => {
    const d = decide({ kind: 'documentation-change' });
    assert.deepEqual([d.sbom.action, d.vex.action, d.extras], ['none', 'none', []]);
  });

  it('Configuration change | Runtime config (not build-time) | Update deployment docs, not SBOM', () => {
    const d = decide({ kind: 'runtime-config-change' });
    assert.deepEqual([d.sbom.action, d.vex.action], ['none', 'none']);
    assert.deepEqual(d.extras, ['update deployment docs']);
  });
});

describe('Initial VEX publication', () => {
  it('CVE published affecting your components | under_investigation | Within 24-48 hours | Automated (alert + draft VEX)', () => {
    const d = decide({ kind: 'cve-published', vulnerability: 'CVE-2026-0003' });
    assert.equal(d.vex.status, 'under_investigation');
    assert.equal(dueIn(d), 48 * HOUR);
    assert.equal(Date.parse(d.deadline?.alertAt ?? '') - Date.parse(AT), 24 * HOUR);
    assert.ok(d.steps.includes('System generates draft VEX with under_investigation status'));
    assert.ok(d.steps.includes('Alert sent to security team'));
  });

  it('Private vulnerability disclosed | under_investigation | Immediately | Manual (confidential)', () => {
    const d = decide({ kind: 'private-disclosure', vulnerability: 'PRIV-1' });
    assert.equal(d.vex.status, 'under_investigation');
    assert.equal(d.vex.confidential, true);
    assert.equal(dueIn(d), 1 * HOUR);
    assert.equal(d.automation.level, 'manual');
  });

  it('Analysis completed (not affected) | not_affected | Within days-weeks | Semi-automated (human approval)', () => {
    const d = decide({
      kind: 'analysis-complete',
      vulnerability: 'CVE-1',
      outcome: 'not_affected',
    });
    assert.deepEqual([d.vex.status, d.automation.level], ['not_affected', 'semi']);
    assert.equal(dueIn(d), 30 * DAY);
  });

  it('Analysis completed (affected) | affected | Within days-weeks | Semi-automated (human approval)', () => {
    const d = decide({ kind: 'analysis-complete', vulnerability: 'CVE-1', outcome: 'affected' });
    assert.deepEqual([d.vex.status, d.automation.level], ['affected', 'semi']);
    assert.equal(d.vex.requires, 'action-statement');
  });
});

describe('VEX updates', () => {
  it('Patch/fix released | Change status to fixed | At release time | v1.0.1 fixes CVE-2024-1234', () => {
    const d = decide({
      kind: 'release',
      version: '1.0.1',
      previousVersion: '1.0.0',
      fixes: ['CVE-2024-1234'],
    });
    assert.deepEqual([d.vex.action, d.vex.status], ['set-fixed', 'fixed']);
    assert.equal(dueIn(d), 15 * MINUTE);
  });

  it('Workaround identified | Add mitigation details | ASAP | Configuration change reduces risk', () => {
    const d = decide({ kind: 'workaround-identified', vulnerability: 'CVE-1' });
    assert.equal(d.vex.action, 'add-mitigation');
    assert.equal(dueIn(d), 24 * HOUR);
  });

  it('Analysis revised | Update justification | As needed | Initial assessment incorrect', () => {
    const d = decide({ kind: 'analysis-revised', vulnerability: 'CVE-1' });
    assert.equal(d.vex.action, 'update-justification');
    assert.equal(d.deadline, null);
  });

  it('Exploit published | Add urgency/severity update | Within hours | Public exploit code available', () => {
    const d = decide({ kind: 'exploit-published', vulnerability: 'CVE-1' });
    assert.equal(d.vex.action, 'update-urgency');
    assert.equal(dueIn(d), 4 * HOUR);
  });

  it('New affected version | Extend scope | When discovered | CVE also affects v2.0.0', () => {
    const d = decide({ kind: 'new-affected-version', vulnerability: 'CVE-1', version: '2.0.0' });
    assert.equal(d.vex.action, 'extend-scope');
    assert.equal(d.vex.change, 'affected-versions');
  });
});

describe('VEX versioning triggers (the trigger side: which events need a new statement version)', () => {
  it('Create a new VEX version when: Analysis status changes (under_investigation → affected)', () => {
    assert.equal(requiresNewVexVersion('status'), true);
    const d = decide({ kind: 'analysis-complete', vulnerability: 'CVE-1', outcome: 'affected' });
    assert.deepEqual([d.vex.change, d.vex.newVersion], ['status', true]);
  });

  it('Create a new VEX version when: New information becomes available (exploit details, EPSS score)', () => {
    assert.equal(requiresNewVexVersion('new-information'), true);
    assert.equal(
      decide({ kind: 'exploit-published', vulnerability: 'CVE-1' }).vex.newVersion,
      true,
    );
    assert.equal(decide({ kind: 'kev-listed', vulnerability: 'CVE-1' }).vex.newVersion, true);
    const epss = (previous: number, current: number) =>
      decide({ kind: 'epss-change', vulnerability: 'CVE-1', previous, current }).vex.newVersion;
    assert.equal(epss(0.2, 0.3), true, 'a move of 0.1 is new information');
    assert.equal(epss(0.5, 0.35), true, 'down as well as up');
    assert.equal(epss(0.2, 0.29), false, 'under 0.1 is not');
  });

  it('Create a new VEX version when: Mitigation guidance changes', () => {
    assert.equal(requiresNewVexVersion('mitigation'), true);
    const d = decide({ kind: 'workaround-identified', vulnerability: 'CVE-1' });
    assert.deepEqual([d.vex.change, d.vex.newVersion], ['mitigation', true]);
  });

  it('Create a new VEX version when: Affected version list changes', () => {
    assert.equal(requiresNewVexVersion('affected-versions'), true);
    const d = decide({ kind: 'new-affected-version', vulnerability: 'CVE-1', version: '2.0.0' });
    assert.equal(d.vex.newVersion, true);
  });

  it('Do NOT create new VEX version for: Typo corrections (minor editorial fixes)', () => {
    const d = decide({ kind: 'vex-update', change: 'typo' });
    assert.deepEqual([d.vex.action, d.vex.newVersion], ['edit-in-place', false]);
  });

  it('Do NOT create new VEX version for: Formatting changes', () => {
    const d = decide({ kind: 'vex-update', change: 'formatting' });
    assert.deepEqual([d.vex.action, d.vex.newVersion], ['edit-in-place', false]);
  });

  it('Do NOT create new VEX version for: Non-substantive metadata updates', () => {
    const d = decide({ kind: 'vex-update', change: 'metadata' });
    assert.deepEqual([d.vex.action, d.vex.newVersion], ['edit-in-place', false]);
  });
});

describe('Automation decision tree', () => {
  it('Is detection automated? YES → Proceed to automation', () => {
    assert.equal(automationStrategy('automated', true).detectionStep, 'proceed to automation');
  });

  it('Is detection automated? NO → Can detection be automated? YES → Implement detection automation', () => {
    const s = automationStrategy('automatable', true);
    assert.equal(s.detectionStep, 'implement detection automation');
    assert.equal(s.level, 'semi', 'until detection is automated, a person triggers it');
  });

  it('Is detection automated? NO → Can detection be automated? NO → Document manual checklist', () => {
    assert.equal(automationStrategy('manual', false).level, 'manual');
    const d = decide({ kind: 'eol-announcement' });
    assert.ok(d.automation.level === 'manual' && d.automation.checklist.length > 0);
  });

  it('Is response deterministic? YES → Fully automate action (CI/CD SBOM generation, initial VEX draft)', () => {
    assert.equal(automationStrategy('automated', true).level, 'full');
    assert.equal(decide({ kind: 'release', version: '2.0.0' }).automation.level, 'full');
  });

  it('Is response deterministic? NO → Semi-automate: system detects, drafts, human reviews and approves', () => {
    assert.equal(automationStrategy('automated', false).level, 'semi');
    const d = decide({ kind: 'workaround-identified', vulnerability: 'CVE-1' });
    assert.deepEqual(
      d.steps.map((s) => s.split(':')[0]),
      ['system detects the event', 'system drafts the response', 'human reviews and approves'],
    );
  });

  it('every rule’s automation level is what the tree gives for its detection and determinism', () => {
    for (const r of TRIGGER_RULES)
      assert.equal(automationStrategy(r.detection, r.deterministic).level, r.automation, r.id);
  });
});

describe('Trigger event matrix', () => {
  const release = (version: string, previousVersion: string, extra = {}) =>
    decide({ kind: 'release', version, previousVersion, ...extra });

  it('Software Release | Major release (1.0 → 2.0) | ✅ New | Review existing | At release | Full', () => {
    const d = release('2.0.0', '1.0.0');
    assert.deepEqual(
      [d.rule, d.sbom.action, d.vex.action, d.automation.level],
      ['release-major', 'new', 'review-existing', 'full'],
    );
    assert.equal(dueIn(d), 15 * MINUTE);
  });

  it('Software Release | Minor release (1.0 → 1.1) | ✅ New | Review existing | At release | Full', () => {
    const d = release('1.1.0', '1.0.0');
    assert.deepEqual(
      [d.rule, d.sbom.action, d.vex.action, d.automation.level],
      ['release-minor', 'new', 'review-existing', 'full'],
    );
  });

  it('Software Release | Patch release (1.0.0 → 1.0.1) | ✅ New | Update if fixes CVE | At release | Full', () => {
    assert.equal(release('1.0.1', '1.0.0').vex.action, 'none');
    assert.equal(release('1.0.1', '1.0.0', { fixes: ['CVE-1'] }).vex.action, 'set-fixed');
  });

  it('Software Release | Hotfix | ✅ New | Update if security fix | Immediately | Full', () => {
    const flagged = release('1.0.2', '1.0.1', { hotfix: true, securityFix: true });
    assert.deepEqual([flagged.rule, flagged.vex.action], ['hotfix', 'set-fixed']);
    const branch = release('1.0.2', '1.0.1', { branch: 'hotfix/login' });
    assert.deepEqual([branch.rule, branch.vex.action], ['hotfix', 'none']);
    assert.equal(dueIn(branch), 15 * MINUTE);
  });

  it('Software Release | Re-release (rebuild) | ✅ New | No change | At rebuild | Full', () => {
    for (const d of [release('1.0.1', '1.0.1'), release('1.0.1', '1.0.0', { rebuild: true })]) {
      assert.deepEqual([d.rule, d.sbom.action, d.vex.action], ['rebuild', 'new', 'none']);
      assert.equal(d.deadline?.sla, 'rebuild');
    }
  });

  it('Dependencies | Dependency update | ✅ New | Review applicability | At build | Full', () => {
    const d = decide({ kind: 'dependency-update' });
    assert.deepEqual(
      [d.sbom.action, d.vex.action, d.automation.level],
      ['new', 'review-applicability', 'full'],
    );
  });

  it('Dependencies | Transitive change | ✅ New | Review applicability | At build | Full', () => {
    const d = decide({ kind: 'transitive-change' });
    assert.deepEqual(
      [d.sbom.action, d.vex.action, d.automation.level],
      ['new', 'review-applicability', 'full'],
    );
  });

  it('Dependencies | Lock file change | ✅ New | No change | At commit | Full', () => {
    const d = decide({
      kind: 'lockfile-change',
      branch: 'release/1.x',
      onReleaseBranch: true,
      lockfiles: ['package-lock.json'],
    });
    assert.deepEqual(
      [d.sbom.action, d.vex.action, d.automation.level],
      ['new-build', 'none', 'full'],
    );
    assert.equal(d.deadline?.sla, 'lockfile');
  });

  it('Vulnerability | New CVE published | No change | ✅ New (under_investigation) | 24-48 hrs | Semi', () => {
    const d = decide({ kind: 'cve-published', vulnerability: 'CVE-1' });
    assert.deepEqual(
      [d.sbom.action, d.vex.status, d.automation.level],
      ['none', 'under_investigation', 'semi'],
    );
    assert.equal(d.followUp?.withinMs, 30 * DAY, 'and the analysis is due in 30 days');
  });

  it('Vulnerability | Analysis complete | No change | ✅ Update status | Days-weeks | Semi', () => {
    const d = decide({ kind: 'analysis-complete', vulnerability: 'CVE-1', outcome: 'affected' });
    assert.deepEqual(
      [d.sbom.action, d.vex.action, d.automation.level],
      ['none', 'publish-status', 'semi'],
    );
  });

  it('Vulnerability | Patch developed | ✅ New (if released) | ✅ Update (fix available) | At fix | Full', () => {
    const released = decide({ kind: 'patch-developed', vulnerability: 'CVE-1', released: true });
    assert.deepEqual(
      [released.sbom.action, released.vex.status, released.automation.level],
      ['new', 'fixed', 'full'],
    );
    const pending = decide({ kind: 'patch-developed', vulnerability: 'CVE-1', released: false });
    assert.deepEqual([pending.sbom.action, pending.vex.action], ['none', 'add-fix-available']);
  });

  it('Vulnerability | Exploit published | No change | ✅ Update urgency | Hours | Semi', () => {
    const d = decide({ kind: 'exploit-published', vulnerability: 'CVE-1' });
    assert.deepEqual(
      [d.sbom.action, d.vex.action, d.automation.level],
      ['none', 'update-urgency', 'semi'],
    );
  });

  it('Vulnerability | Workaround found | No change | ✅ Update mitigation | ASAP | Semi', () => {
    const d = decide({ kind: 'workaround-identified', vulnerability: 'CVE-1' });
    assert.deepEqual(
      [d.sbom.action, d.vex.action, d.automation.level],
      ['none', 'add-mitigation', 'semi'],
    );
  });

  it('Operational | EOL announcement | Update metadata | ✅ Update (no fixes) | At announcement | Manual', () => {
    const d = decide({ kind: 'eol-announcement' });
    assert.deepEqual(
      [d.sbom.action, d.vex.action, d.automation.level],
      ['update-metadata', 'update-no-fixes', 'manual'],
    );
    assert.equal(dueIn(d), 24 * HOUR);
  });

  it('Operational | Metadata correction | ✅ New version (optional) | No change | As needed | Manual', () => {
    const d = decide({ kind: 'metadata-correction', significant: true });
    assert.deepEqual(
      [d.sbom.action, d.vex.action, d.deadline, d.automation.level],
      ['new-version', 'none', null, 'manual'],
    );
  });

  it('Operational | Format migration | ✅ New format | No change | Planned | Manual', () => {
    const d = decide({ kind: 'format-migration', from: 'spdx-2.3', to: 'cyclonedx-1.6' });
    assert.deepEqual(
      [d.sbom.action, d.vex.action, d.automation.level],
      ['new-format', 'none', 'manual'],
    );
  });
});

describe('Implementation patterns', () => {
  const [p1, p2, p3] = PATTERNS;

  it('Pattern 1: CI/CD integration (full automation) — Trigger: Git commit to release branch', () => {
    const commit = {
      kind: 'lockfile-change',
      branch: 'release/2.x',
      onReleaseBranch: true,
      lockfiles: ['package-lock.json'],
    } as const;
    assert.deepEqual(decide({ ...commit, dependenciesChanged: true }).steps, p1?.steps);
    assert.deepEqual(
      decide(commit).steps,
      p1?.steps.slice(0, 6),
      'step 7 only if dependencies changed',
    );
  });

  it('Pattern 2: Vulnerability monitoring (semi-automation) — Trigger: CVE published in NVD/vendor advisory', () => {
    const d = decide({ kind: 'cve-published', vulnerability: 'CVE-1' });
    assert.deepEqual(d.steps, p2?.steps);
    assert.equal(d.automation.level, 'semi');
  });

  it('Pattern 3: Manual coordination (low-volume) — Trigger: Scheduled review (weekly/monthly)', () => {
    const d = decide({ kind: 'scheduled-review' });
    assert.deepEqual(d.steps, p3?.steps);
    assert.ok(d.automation.level === 'manual');
    assert.deepEqual(d.automation.checklist, p3?.steps);
  });
});

describe('Handling edge cases', () => {
  it('Edge case 1: Multiple releases in single day — tagged releases and pre-releases get SBOMs, commits and builds do not', () => {
    assert.equal(decide({ kind: 'release', version: '1.0.0-alpha.1' }).sbom.action, 'new');
    assert.equal(decide({ kind: 'release', version: '1.0.0+sha.9f2c1e7' }).sbom.action, 'none');
    assert.equal(
      decide({ kind: 'commit', branch: 'main', onReleaseBranch: false }).sbom.action,
      'none',
    );
    const offBranch = decide({
      kind: 'lockfile-change',
      branch: 'feature/x',
      onReleaseBranch: false,
      lockfiles: ['yarn.lock'],
    });
    assert.equal(offBranch.sbom.action, 'none');
  });

  it('Edge case 2: Vulnerability affecting multiple versions — one VEX, affected and fixed kept apart', () => {
    const d = decide({
      kind: 'cve-published',
      vulnerability: 'CVE-1',
      affectedVersions: ['1.0.0', '1.0.1'],
      fixedVersions: ['1.1.0'],
    });
    assert.deepEqual(d.vex.versions, { affected: ['1.0.0', '1.0.1'], fixed: ['1.1.0'] });
  });

  it('Edge case 3: Dependency change with same version number — always a new SBOM when the lockfile changes (on a release branch), noted in its metadata, met by hash', () => {
    const e = ev({
      kind: 'lockfile-change',
      branch: 'release/1.x',
      onReleaseBranch: true,
      lockfiles: ['package-lock.json'],
      commit: SHA,
    });
    const d = decideTrigger(e);
    assert.equal(d.sbom.action, 'new-build');
    assert.ok(d.extras.includes('record in the SBOM metadata that the lockfile changed'));
    const o = obligationFor('e1', e, d);
    assert.ok(o);
    const later = new Date(Date.parse(AT) + MINUTE).toISOString();
    assert.equal(
      evaluateObligations([o], [{ at: later, commit: SHA.toUpperCase() }], later).met.length,
      1,
    );
  });

  it('Edge case 4: False positive vulnerability report — not_affected with a justification', () => {
    const d = decide({
      kind: 'analysis-complete',
      vulnerability: 'CVE-1',
      outcome: 'not_affected',
    });
    assert.deepEqual([d.vex.status, d.vex.requires], ['not_affected', 'justification']);
  });
});

describe('Checklist for trigger implementation (the items decidable in code)', () => {
  it('Detection: Can detect event automatically (webhook, polling, filesystem watch)', () => {
    const r = parseGithubWebhook(
      { event: 'release', body: readConformance('webhooks/github/release/published.payload.json') },
      { receivedAt: AT },
    );
    assert.equal(r.events[0]?.kind, 'release');
  });

  it('Detection: Can distinguish between trigger types (release vs commit, major vs minor)', () => {
    assert.equal(
      decide({ kind: 'release', version: '2.0.0', previousVersion: '1.9.0' }).releaseKind,
      'major',
    );
    assert.equal(
      decide({ kind: 'release', version: '1.9.0', previousVersion: '1.8.3' }).releaseKind,
      'minor',
    );
    assert.equal(decide({ kind: 'commit', branch: 'main', onReleaseBranch: false }).rule, 'commit');
  });

  it('Detection: Can access necessary context (commit messages, dependency diffs, CVE details)', () => {
    const r = parseGithubWebhook(
      { event: 'push', body: readConformance('webhooks/github/push/with-new-branch.payload.json') },
      { receivedAt: AT },
    );
    assert.equal(r.events[0]?.context, 'Initial commit');
  });

  it('Decision: Clear criteria for action (when to generate SBOM, when to update VEX)', () => {
    const ids = TRIGGER_RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'one rule per kind of event');
  });

  it('Decision: Documented exceptions (edge cases handled appropriately)', () => {
    for (const id of [
      'build',
      'pre-release',
      'lockfile-change',
      'lockfile-change-off-release-branch',
    ])
      assert.ok((TRIGGER_RULES.find((r) => r.id === id)?.notes?.length ?? 0) > 0, id);
  });

  it('Decision: Human approval points identified (where automation defers to judgment)', () => {
    for (const r of TRIGGER_RULES.filter((x) => x.automation === 'semi'))
      assert.ok((r.approvalPoint ?? '').length > 0, r.id);
    for (const r of TRIGGER_RULES.filter((x) => x.automation === 'manual'))
      assert.ok((r.checklist?.length ?? 0) > 0 || r.pattern === 3, r.id);
  });

  it('Action: Automated generation/update process', () => {
    const d = decide({ kind: 'release', version: '1.3.0', previousVersion: '1.2.0' });
    assert.ok(d.steps.includes('SBOM generation tool runs'));
  });

  it('Action: Validation before publication', () => {
    const steps = decide({ kind: 'release', version: '1.3.0', previousVersion: '1.2.0' }).steps;
    assert.ok(steps.indexOf('SBOM validated against schema') < steps.indexOf('SBOM signed'));
    assert.ok(steps.indexOf('SBOM signed') < steps.indexOf('SBOM published to repository'));
  });

  it('Monitoring: Logging of all trigger events — no-action events get a decision too', () => {
    const d = decide({ kind: 'documentation-change' });
    assert.equal(d.rule, 'documentation-change');
  });

  it('Monitoring: Alerts for failed automations — an SBOM obligation past its deadline is overdue', () => {
    const e = ev({ kind: 'release', version: '1.4.0', previousVersion: '1.3.1', commit: SHA });
    const o = obligationFor('e2', e, decideTrigger(e));
    assert.ok(o);
    const late = new Date(Date.parse(AT) + 16 * MINUTE).toISOString();
    assert.deepEqual(evaluateObligations([o], [], late).overdue, [o]);
  });
});
