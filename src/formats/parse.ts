import type { SbomDocument } from '../sbom/model.js';
import { cycloneDxToModel } from './cyclonedx/read.js';
import { loadSbom } from './load.js';
import { spdxToModel } from './spdx/read.js';

/**
 * Read an SBOM (untrusted bytes: CycloneDX 1.2–1.7 JSON/XML, SPDX 2.2/2.3 JSON/YAML/tag-value)
 * into Custody's neutral model. The document is not schema-validated here (see validateSbom);
 * members of the wrong type are skipped, and data the model cannot hold is listed by JSON
 * pointer in `unmapped`. `path` names the document in errors.
 *
 * @throws SbomError SBOM_FORMAT_UNKNOWN, SBOM_PARSE; CoreError INPUT_TOO_LARGE, INPUT_TOO_DEEP
 */
export function parseSbom(bytes: Uint8Array | string, path: string): SbomDocument {
  const { format, specVersion, data } = loadSbom(bytes, path);
  return format === 'cyclonedx'
    ? cycloneDxToModel(data, specVersion)
    : spdxToModel(data, specVersion);
}
