import { readSbom } from '../../formats/index.js';

/**
 * The product name and release version an SBOM files itself under when a push names neither:
 * its subject's name (npm scopes and slashes made name-safe) and version.
 * @throws SbomError SBOM_PARSE, SBOM_FORMAT_UNKNOWN; CoreError INPUT_TOO_LARGE, INPUT_TOO_DEEP
 */
export function sbomSubject(bytes: Uint8Array, what: string): { name?: string; version?: string } {
  const doc = readSbom(bytes, what).document;
  return {
    ...(doc.subject?.name ? { name: doc.subject.name.replace(/^@/, '').replace(/\//g, '-') } : {}),
    ...(doc.subject?.version ? { version: doc.subject.version } : {}),
  };
}
