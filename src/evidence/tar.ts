import { extract, pack } from 'tar-stream';
import { CustodyError } from '../core/index.js';
import { EvidenceError } from './errors.js';

/** One file of an evidence archive. */
export interface EvidenceFile {
  path: string;
  data: Uint8Array;
}

/** What `readEvidenceTar` accepts; an evidence bundle of a large release stays well inside. */
export interface EvidenceTarLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
}

export const DEFAULT_EVIDENCE_LIMITS: EvidenceTarLimits = {
  maxEntries: 20_000,
  maxEntryBytes: 64 * 1024 * 1024,
  maxTotalBytes: 1024 * 1024 * 1024,
};

// Every header field is fixed, so the same files always make the same bytes: that is what lets
// `readEvidenceTar` refuse an archive that is not exactly what Custody wrote (a changed mtime,
// padding byte or trailing block carries no file content, yet must not pass unnoticed).
const HEADER = { mode: 0o644, uid: 0, gid: 0, uname: '', gname: '', mtime: new Date(0) };

/**
 * A POSIX (ustar) tar of `files`, in the order given, every header field fixed.
 * @throws EvidenceError EVIDENCE_TAR_MALFORMED for a path a tar cannot hold safely
 */
export async function packEvidenceTar(files: readonly EvidenceFile[]): Promise<Uint8Array> {
  for (const f of files) assertSafePath(f.path);
  const p = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    p.on('data', (c: unknown) => chunks.push(c as Buffer));
    p.on('end', resolve);
    p.on('error', reject);
  });
  for (const f of files) {
    await new Promise<void>((resolve, reject) =>
      p.entry(
        { ...HEADER, name: f.path, size: f.data.length, type: 'file' },
        Buffer.from(f.data),
        (e) => (e ? reject(e) : resolve()),
      ),
    );
  }
  p.finalize();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * Read an evidence archive (untrusted): regular files only, safe relative paths, no duplicates,
 * within `limits`, and byte for byte the archive `packEvidenceTar` makes of those files.
 * @throws EvidenceError EVIDENCE_TAR_MALFORMED, EVIDENCE_TOO_LARGE
 */
export async function readEvidenceTar(
  bytes: Uint8Array,
  limits: EvidenceTarLimits = DEFAULT_EVIDENCE_LIMITS,
): Promise<EvidenceFile[]> {
  if (bytes.length > limits.maxTotalBytes) {
    throw tooLarge(
      `the archive is ${bytes.length} bytes, over the limit of ${limits.maxTotalBytes}`,
    );
  }
  if (bytes.length === 0 || bytes.length % 512 !== 0) {
    throw malformed(`${bytes.length} bytes is not a whole number of 512-byte tar blocks`);
  }
  const files = await extractFiles(bytes, limits);
  const again = await packEvidenceTar(files);
  if (!Buffer.from(again).equals(Buffer.from(bytes))) {
    throw malformed(
      'the archive differs from the one Custody wrote for the same files (a header, padding or trailing byte was changed)',
    );
  }
  return files;
}

async function extractFiles(bytes: Uint8Array, limits: EvidenceTarLimits): Promise<EvidenceFile[]> {
  const out: EvidenceFile[] = [];
  const seen = new Set<string>();
  const x = extract();
  const done = new Promise<void>((resolve, reject) => {
    const fail = (e: Error) => {
      reject(e);
      x.destroy();
    };
    x.on('entry', (header, stream, next) => {
      if (out.length >= limits.maxEntries) {
        return fail(tooLarge(`the archive has more than ${limits.maxEntries} entries`));
      }
      if (header.type !== 'file') {
        return fail(
          malformed(`entry ${JSON.stringify(header.name)} is a ${header.type}, not a file`),
        );
      }
      const size = header.size ?? 0;
      if (size > limits.maxEntryBytes) {
        return fail(
          tooLarge(
            `entry ${JSON.stringify(header.name)} is ${size} bytes, over ${limits.maxEntryBytes}`,
          ),
        );
      }
      try {
        assertSafePath(header.name);
      } catch (e) {
        return fail(e as Error);
      }
      if (seen.has(header.name)) return fail(malformed(`entry ${header.name} appears twice`));
      seen.add(header.name);
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('error', fail);
      stream.on('end', () => {
        out.push({ path: header.name, data: new Uint8Array(Buffer.concat(chunks)) });
        next();
      });
    });
    x.on('finish', resolve);
    x.on('error', reject);
  });
  try {
    x.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    await done;
  } catch (cause) {
    if (cause instanceof CustodyError) throw cause;
    throw malformed(`not a readable tar archive: ${(cause as Error)?.message ?? cause}`, cause);
  }
  if (out.length === 0) throw malformed('the archive holds no files');
  return out;
}

// Paths are written by Custody (`sbom/…`, `tlog/…`): relative, forward slashes, no `..`, short
// enough for a ustar header without extensions.
function assertSafePath(path: string): void {
  const ok =
    /^[A-Za-z0-9][A-Za-z0-9._/-]*$/.test(path) &&
    path.length <= 100 &&
    !path.split('/').some((s) => s === '' || s === '.' || s === '..');
  if (!ok)
    throw malformed(`${JSON.stringify(path.slice(0, 120))} is not a path of an evidence archive`);
}

function malformed(message: string, cause?: unknown): EvidenceError {
  return new EvidenceError(
    'EVIDENCE_TAR_MALFORMED',
    `${message}; export the evidence again (custody evidence export)`,
    cause === undefined ? {} : { cause },
  );
}

function tooLarge(message: string): EvidenceError {
  return new EvidenceError(
    'EVIDENCE_TOO_LARGE',
    `${message}; this is not an evidence archive Custody would write`,
  );
}
