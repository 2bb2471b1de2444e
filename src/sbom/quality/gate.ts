import type { Component, SbomDocument } from '../model.js';
import { failingComponent } from './check-helpers.js';
import type { GatePolicy, GateRuleId } from './gate-policy.js';
import { avoidsDenyList, licenseSet, satisfiesAllowList } from './license-policy.js';
import { allChecks } from './score.js';
import type { CheckId, FailingComponent, QualityReport } from './types.js';

/** One reason the gate fails: a check id (or `gate.*` rule), what is wrong, and who fails it. */
export interface GateFailure {
  /** A required check id, or `gate.min-score`, `gate.allow-licenses`, `gate.deny-licenses`, `gate.max-age`. */
  check: string;
  message: string;
  components: FailingComponent[];
}

/**
 * The gate's decision: a value, not an exception ("the answer is no" is expected). `passed` is
 * false when any block-tier rule fails (`failures`); warn-tier rules that fail (`warnings`) let it
 * pass and are flagged for follow-up.
 */
export interface GateResult {
  passed: boolean;
  failures: GateFailure[];
  warnings: GateFailure[];
}

/**
 * Decide whether an SBOM passes a gate policy, listing every failing rule and every component that
 * fails it. `report` must be `scoreSbom(doc, …)` of the same `doc`.
 */
export function evaluateGate(
  report: QualityReport,
  doc: SbomDocument,
  policy: GatePolicy,
): GateResult {
  const warned = new Set<string>(policy.warn ?? []);
  const rules: GateFailure[] = [
    ...minScore(report, policy),
    ...checkFailures(report, policy.require, 'required'),
    ...licenseLists(doc, policy),
    ...maxAge(report, policy),
  ];
  const failures = rules.filter((f) => !warned.has(f.check));
  const warnings = [
    ...rules.filter((f) => warned.has(f.check)),
    ...checkFailures(
      report,
      (policy.warn ?? []).filter((id): id is CheckId => !isGateRule(id)),
      'warned',
    ),
  ];
  return { passed: failures.length === 0, failures, warnings };
}

/** Whether `id` names one of the gate's own rules rather than a score check. */
export function isGateRule(id: string): id is GateRuleId {
  return id.startsWith('gate.');
}

function minScore(report: QualityReport, policy: GatePolicy): GateFailure[] {
  if (policy.minScore === undefined || report.score >= policy.minScore) return [];
  return [
    {
      check: 'gate.min-score',
      message: `quality score ${report.score.toFixed(1)} is below the required ${policy.minScore}`,
      components: [],
    },
  ];
}

// A listed check fails for each component that fails it; a document check unless it is perfect.
function checkFailures(
  report: QualityReport,
  ids: readonly CheckId[],
  tier: 'required' | 'warned',
): GateFailure[] {
  const byId = new Map(allChecks(report).map((c) => [c.id, c]));
  const label = tier === 'required' ? 'required' : 'warn-tier';
  const out: GateFailure[] = [];
  for (const id of new Set(ids)) {
    const check = byId.get(id);
    if (!check) continue; // unreachable: policy ids are validated against CHECK_IDS
    if (!check.applicable) {
      out.push({
        check: id,
        message: `${label} check could not be made: ${check.summary}`,
        components: [],
      });
    } else if (check.scope === 'component' && check.failing.length > 0) {
      const n = check.failing.length;
      out.push({
        check: id,
        message:
          tier === 'required'
            ? `${n} component${n === 1 ? '' : 's'} fail${n === 1 ? 's' : ''} a required check: ${check.summary}`
            : `${n} component${n === 1 ? '' : 's'} to follow up: ${check.summary}`,
        components: check.failing,
      });
    } else if (check.scope === 'document' && check.score < 10) {
      out.push({ check: id, message: `${label} check fails: ${check.summary}`, components: [] });
    }
  }
  return out;
}

function licenseLists(doc: SbomDocument, policy: GatePolicy): GateFailure[] {
  const out: GateFailure[] = [];
  if (policy.allowLicenses !== undefined) {
    const allowed = licenseSet(policy.allowLicenses);
    const bad = doc.components
      .filter((c) => !satisfiesAllowList(c.licenses, allowed))
      .map(withLicenses);
    if (bad.length > 0) {
      out.push({
        check: 'gate.allow-licenses',
        message: `${bad.length} component(s) have licences outside the allow list (${policy.allowLicenses.join(', ')})`,
        components: bad,
      });
    }
  }
  if (policy.denyLicenses !== undefined) {
    const denied = licenseSet(policy.denyLicenses);
    const bad = doc.components.filter((c) => !avoidsDenyList(c.licenses, denied)).map(withLicenses);
    if (bad.length > 0) {
      out.push({
        check: 'gate.deny-licenses',
        message: `${bad.length} component(s) require a denied licence (${policy.denyLicenses.join(', ')})`,
        components: bad,
      });
    }
  }
  return out;
}

function maxAge(report: QualityReport, policy: GatePolicy): GateFailure[] {
  if (policy.maxAgeDays === undefined) return [];
  if (report.ageDays === undefined) {
    return [
      {
        check: 'gate.max-age',
        message: 'the SBOM has no readable timestamp, so its age is unknown',
        components: [],
      },
    ];
  }
  if (report.ageDays <= policy.maxAgeDays) return [];
  return [
    {
      check: 'gate.max-age',
      message: `the SBOM is ${Math.floor(report.ageDays)} days old; the policy allows ${policy.maxAgeDays}`,
      components: [],
    },
  ];
}

// Licence failures name the licences, so the reader sees why without opening the SBOM.
function withLicenses(c: Component): FailingComponent {
  const f = failingComponent(c);
  f.label += ` (${c.licenses.length > 0 ? c.licenses.join(' AND ') : 'no licence'})`;
  return f;
}
