import { inflateRawSync } from 'node:zlib';
import { CoreError } from '../core/index.js';

/** One file of a ZIP archive, unpacked. */
export interface ZipEntry {
  name: string;
  bytes: Buffer;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/**
 * The files of a ZIP archive (osv.dev ships each ecosystem's records as `all.zip`) whose names
 * pass `want`, unpacked (stored or deflated). Untrusted: every entry is bounded by
 * `maxEntryBytes`, the whole by `maxTotalBytes`; ZIP64, encryption and other methods are refused.
 * @throws CoreError FILE_UNREADABLE (not a ZIP Custody reads), INPUT_TOO_LARGE
 */
export function zipEntries(
  zip: Buffer,
  what: string,
  want: (name: string) => boolean,
  o: { maxEntryBytes: number; maxTotalBytes: number },
): ZipEntry[] {
  const bad = (why: string) =>
    new CoreError('FILE_UNREADABLE', `${what} is not a ZIP archive Custody reads: ${why}`, {
      details: { path: what },
    });
  // The end-of-central-directory record sits in the last 22 + 65,535 bytes (its comment).
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
    if (zip.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('no end of central directory');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || p === 0xffffffff) throw bad('ZIP64 archives are not supported');
  const out: ZipEntry[] = [];
  let total = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > zip.length || zip.readUInt32LE(p) !== CENTRAL)
      throw bad('broken central directory');
    const flags = zip.readUInt16LE(p + 8);
    const method = zip.readUInt16LE(p + 10);
    const compressed = zip.readUInt32LE(p + 20);
    const size = zip.readUInt32LE(p + 24);
    const nameLen = zip.readUInt16LE(p + 28);
    const extraLen = zip.readUInt16LE(p + 30);
    const commentLen = zip.readUInt16LE(p + 32);
    const local = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    p += 46 + nameLen + extraLen + commentLen;
    if (name.endsWith('/') || !want(name)) continue;
    if (flags & 1) throw bad(`${name} is encrypted`);
    total += size;
    if (size > o.maxEntryBytes || total > o.maxTotalBytes)
      throw new CoreError('INPUT_TOO_LARGE', `${what}: ${name} makes the archive too large`, {
        details: { path: what },
      });
    if (local + 30 > zip.length || zip.readUInt32LE(local) !== LOCAL)
      throw bad(`${name}: no local header`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressed);
    if (data.length !== compressed) throw bad(`${name} is cut short`);
    let bytes: Buffer;
    if (method === 0) bytes = Buffer.from(data);
    else if (method === 8) {
      try {
        bytes = inflateRawSync(data, { maxOutputLength: Math.max(1, size) });
      } catch (e) {
        throw bad(`${name} does not inflate: ${(e as Error).message}`);
      }
    } else throw bad(`${name} uses compression method ${method}`);
    if (bytes.length !== size) throw bad(`${name} unpacks to another size than recorded`);
    out.push({ name, bytes });
  }
  return out;
}
