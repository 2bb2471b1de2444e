import { parseJson, sha256Digest } from '../../core/index.js';
import { readInputFile } from '../../fs/sbom-input-files.js';
import { parsePolicy } from '../../policy/index.js';

/** Evidence files hold at most 10 000 licence ids and a few lists: 16 MiB is far above that. */
const MAX_EVIDENCE_BYTES = 16 * 1024 * 1024;

/**
 * A policy file (YAML or JSON), read and checked: its source and name. Its rules are compiled
 * where it is evaluated or stored.
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE; PolicyError POLICY_TOO_LARGE, POLICY_INVALID
 */
export function readPolicyFile(path: string): { source: string; name: string } {
  const source = readInputFile(path).toString('utf8');
  return { source, name: parsePolicy(source, path).name };
}

/**
 * An evidence file as JSON (checked against the evidence shape where it is evaluated).
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE, INPUT_TOO_LARGE, JSON_PARSE, INPUT_TOO_DEEP
 */
export function readEvidenceFile(path: string): unknown {
  return parseJson(readInputFile(path), path, { maxBytes: MAX_EVIDENCE_BYTES, maxDepth: 16 });
}

/**
 * `sha256:<hex>` of a file's bytes (an artifact given as a file).
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE, INPUT_TOO_LARGE
 */
export function artifactDigestOfFile(path: string): string {
  return sha256Digest(readInputFile(path));
}
