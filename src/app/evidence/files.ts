import { closeSync, fstatSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import type { EvidenceVerifyReport } from '../../api/index.js';
import { CoreError } from '../../core/index.js';
import {
  DEFAULT_EVIDENCE_LIMITS,
  EvidenceError,
  formatEvidenceReport,
  verifyEvidence,
} from '../../evidence/index.js';

export { formatEvidenceReport };

/**
 * `custody evidence verify`: read the archive (and the out-of-band trusted root and key, when
 * named) relative to `cwd` and verify it offline.
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE; EvidenceError EVIDENCE_TAR_MALFORMED,
 *   EVIDENCE_TOO_LARGE, EVIDENCE_MANIFEST_INVALID
 */
export async function verifyEvidenceFile(
  path: string,
  cwd: string,
  o: { trustedRoot?: string | undefined; key?: string | undefined } = {},
): Promise<EvidenceVerifyReport> {
  const bytes = readBounded(resolve(cwd, path), DEFAULT_EVIDENCE_LIMITS.maxTotalBytes);
  return verifyEvidence(bytes, {
    ...(o.trustedRoot !== undefined
      ? { trustedRoot: readBounded(resolve(cwd, o.trustedRoot), 16 * 1024 * 1024) }
      : {}),
    ...(o.key !== undefined
      ? { manifestKey: new TextDecoder().decode(readBounded(resolve(cwd, o.key), 64 * 1024)) }
      : {}),
  });
}

/** Write bytes to `path` (relative to `cwd`) whole or not at all. */
export function writeFileAtomically(path: string, cwd: string, data: Uint8Array | string): void {
  const full = resolve(cwd, path);
  const tmp = join(dirname(full), `.${basename(full)}.${process.pid}.tmp`);
  writeFileSync(tmp, data);
  renameSync(tmp, full);
}

// Checked before reading: a file over the limit is refused without reading it into memory.
function readBounded(path: string, max: number): Uint8Array {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CoreError(
      code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      `Cannot read ${path}: ${code ?? (e as Error).message}`,
      { cause: e },
    );
  }
  try {
    const size = fstatSync(fd).size;
    if (size > max) {
      throw new EvidenceError(
        'EVIDENCE_TOO_LARGE',
        `${path} is ${size} bytes, over the limit of ${max}; it is not an evidence archive Custody would write`,
      );
    }
    return new Uint8Array(readFileSync(fd));
  } finally {
    closeSync(fd);
  }
}
