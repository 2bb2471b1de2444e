import { isCustodyError, parseJson } from '../../core/index.js';
import {
  DEFAULT_OSV_LIMITS,
  type OsvRecord,
  osvRecordFromJson,
  parseOsvRecord,
} from '../../formats/index.js';
import { listAdvisoryFiles, readAdvisoryFile } from '../../fs/advisory-files.js';
import { type AdvisoryIndex, createAdvisoryIndex } from '../../vuln/index.js';

/** A file, or one record of a file holding an array of them, that was refused. */
export interface RefusedAdvisory {
  file: string;
  code: string;
  message: string;
}

export interface LoadedAdvisories {
  index: AdvisoryIndex;
  files: number;
  /** Records read (withdrawn ones included). */
  records: number;
  refused: RefusedAdvisory[];
  /** Records read with schema deviations Custody tolerates (GIT events that are not hashes). */
  warned: number;
  loadMs: number;
}

/**
 * Read OSV records from files and folders (a file holds one record, or a JSON array of them) and
 * index them. A malformed record is refused with its code and the rest are kept: the caller
 * decides what a refusal means for its answer.
 * @throws CoreError FILE_NOT_FOUND (a path given does not exist)
 */
export function loadAdvisories(
  paths: readonly string[],
  onProgress: (done: number, total: number) => void = () => {},
): LoadedAdvisories {
  const t0 = performance.now();
  const files = listAdvisoryFiles(paths);
  const records: OsvRecord[] = [];
  const refused: RefusedAdvisory[] = [];
  let warned = 0;
  const keep = (r: OsvRecord) => {
    records.push(r);
    if (r.warnings.length > 0) warned++;
  };
  files.forEach((file, i) => {
    try {
      const bytes = readAdvisoryFile(file);
      if (firstByte(bytes) === 0x5b) {
        // An array of records: each is checked alone, so one bad record refuses only itself.
        const list = parseJson(bytes, file, {
          maxDepth: DEFAULT_OSV_LIMITS.maxDepth + 1,
        }) as unknown[];
        list.forEach((v, j) => {
          try {
            keep(osvRecordFromJson(v, `${file}#/${j}`));
          } catch (e) {
            refused.push(refusal(`${file}#/${j}`, e));
          }
        });
      } else keep(parseOsvRecord(bytes, file));
    } catch (e) {
      refused.push(refusal(file, e));
    }
    onProgress(i + 1, files.length);
  });
  return {
    index: createAdvisoryIndex(records),
    files: files.length,
    records: records.length,
    refused,
    warned,
    loadMs: performance.now() - t0,
  };
}

function refusal(file: string, e: unknown): RefusedAdvisory {
  if (!isCustodyError(e)) throw e;
  return { file, code: e.code, message: e.message };
}

/** The first byte that is not JSON whitespace (or a UTF-8 byte-order mark). */
function firstByte(bytes: Uint8Array): number | undefined {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i] as number;
    if (
      b !== 0x20 &&
      b !== 0x0a &&
      b !== 0x0d &&
      b !== 0x09 &&
      b !== 0xef &&
      b !== 0xbb &&
      b !== 0xbf
    )
      return b;
  }
  return undefined;
}
