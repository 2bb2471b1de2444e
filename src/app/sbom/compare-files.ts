import { type AlignReport, alignSbom } from '../../sbom/align/index.js';
import { diffSboms, type SbomDiff } from '../../sbom/diff/index.js';
import { catalogPath } from '../generate-sbom.js';
import { readSbomFile } from './read-sbom-file.js';

/** Compare an SBOM file with what cataloging a lockfile, folder or image finds. */
export async function alignFiles(sbomPath: string, lockPath: string): Promise<AlignReport> {
  const f = await readSbomFile(sbomPath);
  return alignSbom(f.document, await catalogPath(lockPath));
}

/** What changed from one SBOM file to another. */
export async function diffFiles(oldPath: string, newPath: string): Promise<SbomDiff> {
  const [a, b] = await Promise.all([readSbomFile(oldPath), readSbomFile(newPath)]);
  return diffSboms(a.document, b.document);
}
