import { type ConvertResult, type ConvertTarget, convertSbom } from '../../formats/index.js';
import { readSbomFile } from './read-sbom-file.js';

/** Convert an SBOM file to another format; `lost` lists what the target cannot hold. */
export async function convertFile(path: string, to: ConvertTarget): Promise<ConvertResult> {
  const f = await readSbomFile(path);
  return convertSbom(f.document, to);
}
