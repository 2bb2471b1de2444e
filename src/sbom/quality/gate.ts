import type { Component, SbomDocument } from '../model.js';
import { failingComponent } from './check-helpers.js';
import type { GatePolicy } from './gate-policy.js';
import { avoidsDenyList, licenseSet, satisfiesAllowList } from './license-policy.js';
import { allChecks } from './score.js';
import type { FailingComponent, QualityReport } from './types.js';

/** One reason the gate fails: a check id (or `gate.*` rule), what is wrong, and who fails it. */
export interface GateFailure {
  /** A required check id, or `gate.min-score`, `gate.allow-licenses`, `gate.deny-licenses`, `gate.max-age`. */
  check: string;
  message: string;
  components: FailingComponent[];
}

/** The gate's decision: a value, not an exception ("the answer is no" is expected). */
export interface GateResult {
  passed: boolean;
  failures: GateFailure[];
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
  const failures: GateFailure[] = [
    ...minScore(report, policy),
    ...requiredChecks(report, policy),
    ...licenseLists(doc, policy),
    ...maxAge(report, policy),
  ];
  return { passed: failures.length === 0, failures };
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

// A required check fails for each component that fails it; a document check unless it is perfect.
function requiredChecks(report: QualityReport, policy: GatePolicy): GateFailure[] {
  const byId = new Map(allChecks(report).map((c) => [c.id, c]));
  const out: GateFailure[] = [];
  for (const id of new Set(policy.require)) {
    const check = byId.get(id);
    if (!check) continue; // unreachable: policy ids are validated against CHECK_IDS
    if (!check.applicable) {
      out.push({
        check: id,
        message: `required check could not be made: ${check.summary}`,
        components: [],
      });
    } else if (check.scope === 'component' && check.failing.length > 0) {
      const n = check.failing.length;
      out.push({
        check: id,
        message: `${n} component${n === 1 ? '' : 's'} fail${n === 1 ? 's' : ''} a required check: ${check.summary}`,
        components: check.failing,
      });
    } else if (check.scope === 'document' && check.score < 10) {
      out.push({ check: id, message: `required check fails: ${check.summary}`, components: [] });
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
