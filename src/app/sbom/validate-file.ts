import { type ValidationResult, validateSbom } from '../../formats/index.js';
import { readInputFile } from '../../fs/sbom-input-files.js';

/** Detect an SBOM file's format and version and validate it against the official schema. */
export async function validateFile(path: string): Promise<ValidationResult> {
  return validateSbom(readInputFile(path), { what: path });
}
