import { readSbom, type ValidationResult, validateSbom } from '../../formats/index.js';
import { readInputFile } from '../../fs/sbom-input-files.js';
import type { SbomDocument } from '../../sbom/index.js';

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
  const read = readSbom(readInputFile(path), path);
  const validation = await validateSbom(read.data, { what: path });
  return { path, document: read.document, validation };
}
