import { isCustodyError } from '../core/index.js';
import { type SbomDocument, SbomError } from '../sbom/index.js';
import { cycloneDxToModel } from './cyclonedx/read.js';
import type { DetectedFormat } from './detect.js';
import { loadSbom } from './load.js';
import { spdxToModel } from './spdx/read.js';

/** An SBOM read once: what it is, its standard's JSON shape (to validate) and the neutral model. */
export interface SbomRead extends DetectedFormat {
  /** The document as its standard's JSON (XML, YAML and tag-value converted to it). */
  data: Record<string, unknown>;
  document: SbomDocument;
}

/**
 * Read an SBOM (untrusted bytes: CycloneDX 1.2–1.7 JSON/XML, SPDX 2.2/2.3 JSON/YAML/tag-value):
 * detect its format, parse it within core's size and depth limits, and map it to Custody's
 * neutral model. The one way every caller turns bytes into an SBOM. The document is not
 * schema-validated here (pass `data` to validateSbom); members of the wrong type are skipped, and
 * data the model cannot hold is listed by JSON pointer in `document.unmapped`. `what` names the
 * document in errors (a path, "the SBOM").
 *
 * @throws SbomError SBOM_FORMAT_UNKNOWN, SBOM_PARSE; CoreError INPUT_TOO_LARGE, INPUT_TOO_DEEP
 */
export function readSbom(input: Uint8Array | string, what: string): SbomRead {
  const loaded = loadSbom(input, what);
  return { ...loaded, document: toModel(loaded.data, loaded.format, loaded.specVersion, what) };
}

/** The neutral model of an SBOM (readSbom without the rest), for callers that need only that. */
export function parseSbom(input: Uint8Array | string, what: string): SbomDocument {
  return readSbom(input, what).document;
}

function toModel(
  data: Record<string, unknown>,
  format: DetectedFormat['format'],
  specVersion: string,
  what: string,
): SbomDocument {
  try {
    return format === 'cyclonedx'
      ? cycloneDxToModel(data, specVersion)
      : spdxToModel(data, specVersion);
  } catch (e) {
    // The readers skip what they do not understand; anything they still throw is bad input.
    if (isCustodyError(e)) throw e;
    throw new SbomError('SBOM_PARSE', `${what} could not be read: ${(e as Error).message}`);
  }
}
