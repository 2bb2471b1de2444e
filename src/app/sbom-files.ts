import { readFileSync, statSync } from 'node:fs';
import { CoreError } from '../core/errors.js';
import { DEFAULT_JSON_LIMITS } from '../core/json.js';
import {
  type ConvertResult,
  type ConvertTarget,
  convertSbom,
  readSbom,
  type ValidationResult,
  validateSbom,
} from '../formats/index.js';
import {
  type AlignReport,
  alignSbom,
  DEFAULT_GATE_POLICY,
  diffSboms,
  evaluateGate,
  type GatePolicy,
  type GateResult,
  parseGatePolicy,
  type QualityReport,
  type SbomDiff,
  type SbomDocument,
  scoreSbom,
} from '../sbom/index.js';
import { catalogPath } from './generate-sbom.js';

/** An SBOM file read once: its bytes validated against the schema and parsed into the model. */
export interface SbomFile {
  path: string;
  document: SbomDocument;
  validation: ValidationResult;
}

/**
 * Read, validate and parse an SBOM file (untrusted).
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE, INPUT_TOO_LARGE; SbomError SBOM_PARSE, SBOM_FORMAT_UNKNOWN
 */
export async function readSbomFile(path: string): Promise<SbomFile> {
  const bytes = readInput(path);
  const read = readSbom(bytes, path);
  const validation = await validateSbom(read.data, { what: path });
  return { path, document: read.document, validation };
}

export async function validateFile(path: string): Promise<ValidationResult> {
  return validateSbom(readInput(path), { what: path });
}

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
      : parseGatePolicy(readInput(policyPath).toString(), policyPath);
  const f = await readSbomFile(path);
  const report = scoreOf(f, now);
  return { report, policy, gate: evaluateGate(report, f.document, policy) };
}

export async function alignFiles(sbomPath: string, lockPath: string): Promise<AlignReport> {
  const f = await readSbomFile(sbomPath);
  return alignSbom(f.document, await catalogPath(lockPath));
}

export async function diffFiles(oldPath: string, newPath: string): Promise<SbomDiff> {
  const [a, b] = await Promise.all([readSbomFile(oldPath), readSbomFile(newPath)]);
  return diffSboms(a.document, b.document);
}

export async function convertFile(path: string, to: ConvertTarget): Promise<ConvertResult> {
  const f = await readSbomFile(path);
  return convertSbom(f.document, to);
}

function scoreOf(f: SbomFile, now: Date): QualityReport {
  return scoreSbom(f.document, {
    now,
    schemaValid: f.validation.valid,
    schemaErrors: f.validation.errors.length,
  });
}

function readInput(path: string): Buffer {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new CoreError('FILE_NOT_FOUND', `${path} does not exist`, { details: { path } });
  if (!st.isFile()) {
    throw new CoreError('FILE_UNREADABLE', `${path} is not a regular file`, { details: { path } });
  }
  if (st.size > DEFAULT_JSON_LIMITS.maxBytes) {
    throw new CoreError(
      'INPUT_TOO_LARGE',
      `${path} is ${st.size} bytes, over the limit of ${DEFAULT_JSON_LIMITS.maxBytes}`,
      { details: { path, size: st.size } },
    );
  }
  return readFileSync(path);
}
