import { readInputFile } from '../../fs/sbom-input-files.js';
import {
  DEFAULT_GATE_POLICY,
  evaluateGate,
  type GatePolicy,
  type GateResult,
  parseGatePolicy,
  type QualityReport,
  scoreSbom,
} from '../../sbom/quality/index.js';
import { readSbomFile, type SbomFile } from './read-sbom-file.js';

/** The 0–10 quality score of an SBOM file with its per-check breakdown. */
export async function scoreFile(path: string, now: Date = new Date()): Promise<QualityReport> {
  const f = await readSbomFile(path);
  return scoreOf(f, now);
}

export interface CheckOutcome {
  report: QualityReport;
  gate: GateResult;
  policy: GatePolicy;
}

/** Score an SBOM and apply a gate policy (the default gate when no file is given). */
export async function checkFile(
  path: string,
  policyPath?: string,
  now: Date = new Date(),
): Promise<CheckOutcome> {
  const policy =
    policyPath === undefined
      ? DEFAULT_GATE_POLICY
      : parseGatePolicy(readInputFile(policyPath).toString(), policyPath);
  const f = await readSbomFile(path);
  const report = scoreOf(f, now);
  return { report, policy, gate: evaluateGate(report, f.document, policy) };
}

function scoreOf(f: SbomFile, now: Date): QualityReport {
  return scoreSbom(f.document, {
    now,
    schemaValid: f.validation.valid,
    schemaErrors: f.validation.errors.length,
  });
}
