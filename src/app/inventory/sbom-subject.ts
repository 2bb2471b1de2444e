import { cycloneDxToModel } from '../../formats/cyclonedx/read.js';
import { loadSbom } from '../../formats/load.js';
import { spdxToModel } from '../../formats/spdx/read.js';

/**
 * The product name and release version an SBOM files itself under when a push names neither:
 * its subject's name (npm scopes and slashes made name-safe) and version.
 * @throws SbomError SBOM_PARSE, SBOM_FORMAT_UNKNOWN; CoreError INPUT_TOO_LARGE, INPUT_TOO_DEEP
 */
export function sbomSubject(bytes: Uint8Array, what: string): { name?: string; version?: string } {
  const l = loadSbom(bytes, what);
  const doc =
    l.format === 'cyclonedx'
      ? cycloneDxToModel(l.data, l.specVersion)
      : spdxToModel(l.data, l.specVersion);
  return {
    ...(doc.subject?.name ? { name: doc.subject.name.replace(/^@/, '').replace(/\//g, '-') } : {}),
    ...(doc.subject?.version ? { version: doc.subject.version } : {}),
  };
}
