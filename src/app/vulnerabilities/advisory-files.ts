import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { isCustodyError, parseJson } from '../../core/index.js';
import { DEFAULT_OSV_LIMITS, osvRecordFromJson } from '../../formats/index.js';
import { listAdvisoryFiles, readAdvisoryFile, readDataFile } from '../../fs/advisory-files.js';
import { zipEntries } from '../../fs/zip-entries.js';

/** A record read from disk (checked locally with the service's own OSV rules), or why not. */
export type LocalRecord =
  | { ok: true; where: string; value: unknown }
  | { ok: false; where: string; code: string; message: string };

/**
 * OSV records from files, folders (walked for `*.json`) and ZIP archives (`*.zip`, osv.dev's
 * `all.zip`): each checked as the service will check it, so the CLI can refuse before sending.
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE, INPUT_TOO_LARGE
 */
export function readLocalAdvisories(paths: readonly string[]): LocalRecord[] {
  const out: LocalRecord[] = [];
  for (const path of paths) {
    const isZip =
      statSync(path, { throwIfNoEntry: false })?.isFile() && extname(path).toLowerCase() === '.zip';
    if (isZip) {
      const entries = zipEntries(readFileSync(path), path, (n) => n.endsWith('.json'), {
        maxEntryBytes: DEFAULT_OSV_LIMITS.maxBytes,
        maxTotalBytes: 2 * 1024 * 1024 * 1024,
      });
      for (const e of entries) out.push(...records(e.bytes, `${path}!${e.name}`));
    } else {
      for (const file of listAdvisoryFiles([path]))
        out.push(...records(readAdvisoryFile(file), file));
    }
  }
  return out;
}

function records(bytes: Uint8Array, where: string): LocalRecord[] {
  let value: unknown;
  try {
    value = parseJson(bytes, where, { maxDepth: DEFAULT_OSV_LIMITS.maxDepth + 1 });
  } catch (e) {
    if (!isCustodyError(e)) throw e;
    return [{ ok: false, where, code: 'OSV_PARSE', message: e.message }];
  }
  const list = Array.isArray(value) ? value : [value];
  return list.map((v, i) => {
    const at = Array.isArray(value) ? `${where}#/${i}` : where;
    try {
      osvRecordFromJson(v, at);
      return { ok: true, where: at, value: v };
    } catch (e) {
      if (!isCustodyError(e)) throw e;
      return { ok: false, where: at, code: e.code, message: e.message };
    }
  });
}

/** A KEV catalogue or EPSS file (gzip unpacked). */
export function readFeedFile(path: string): Buffer {
  return readDataFile(path);
}
