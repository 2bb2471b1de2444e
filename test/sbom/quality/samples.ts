import { readFileSync } from 'node:fs';
import type { SbomDocument } from '../../../src/sbom/model.js';
import { conformancePath } from '../../helpers/conformance.js';
import { readCycloneDxLite } from './cdx-lite.js';

/** A real sample SBOM from conformance/sbom-samples/cyclonedx-bom-examples/SBOM, read in place. */
export function sample(...parts: string[]): SbomDocument {
  const path = conformancePath('sbom-samples', 'cyclonedx-bom-examples', 'SBOM', ...parts);
  return readCycloneDxLite(JSON.parse(readFileSync(path, 'utf8')));
}
