import { type VexStatusLookup, vexStatusLookup } from '../../vex/index.js';
import { readVexFile } from '../vex/files.js';

/**
 * The VEX documents named on `custody vuln match --vex`, read (OpenVEX, CycloneDX VEX or CSAF,
 * each validated) into one lookup: a finding a statement marks not_affected or fixed is settled.
 * @throws CoreError FILE_NOT_FOUND, …; VexFormatError VEX_* when a document is not valid VEX
 */
export async function loadVexLookup(paths: readonly string[]): Promise<VexStatusLookup> {
  const documents = [];
  for (const p of paths) documents.push((await readVexFile(p)).document);
  return vexStatusLookup(documents);
}
