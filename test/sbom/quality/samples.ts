import { readFileSync } from 'node:fs';
import { parseSbom } from '../../../src/formats/index.js';
import type { SbomDocument } from '../../../src/sbom/model.js';
import { conformancePath } from '../../helpers/conformance.js';

/** The path of a real sample SBOM in conformance/sbom-samples/cyclonedx-bom-examples/SBOM. */
export function samplePath(...parts: string[]): string {
  return conformancePath('sbom-samples', 'cyclonedx-bom-examples', 'SBOM', ...parts);
}

/** A real sample SBOM, read in place and parsed by the formats layer. */
export function sample(...parts: string[]): SbomDocument {
  const path = samplePath(...parts);
  return parseSbom(new Uint8Array(readFileSync(path)), path);
}
