import Database from 'better-sqlite3';
import { SbomError } from '../../errors.js';

const SQLITE_MAGIC = 'SQLite format 3\0';

/** Which kind of rpm database some bytes are (rpm 4.16+ sqlite, BerkeleyDB, or rpm's NDB). */
export type RpmDatabaseKind = 'sqlite' | 'bdb' | 'ndb' | 'unknown';

export function detectRpmDatabase(head: Uint8Array | string): RpmDatabaseKind {
  const at = (i: number) => (typeof head === 'string' ? head.charCodeAt(i) : (head[i] ?? -1));
  const ascii = (from: number, s: string) =>
    [...s].every((ch, i) => at(from + i) === ch.charCodeAt(0));
  if (ascii(0, SQLITE_MAGIC)) return 'sqlite';
  if (ascii(0, 'RpmP')) return 'ndb';
  // BerkeleyDB metadata page: magic at offset 12, either byte order (hash 0x061561, btree 0x053162).
  const magic = [at(12), at(13), at(14), at(15)].join(',');
  if (['0,6,21,97', '97,21,6,0', '0,5,49,98', '98,49,5,0'].includes(magic)) return 'bdb';
  return 'unknown';
}

/**
 * The header blobs of an rpm 4.16+ sqlite database (`Packages` table: `hnum INTEGER PRIMARY KEY,
 * blob BLOB`), opened from bytes in memory (better-sqlite3 deserialises; no file is touched), in
 * `hnum` order. Untrusted input.
 *
 * @throws SbomError SBOM_LOCKFILE_PARSE when the bytes are not such a database; for BerkeleyDB and
 *   NDB databases, saying that format is not supported yet.
 */
export function readRpmSqliteBlobs(
  bytes: Uint8Array,
  file: string,
): { hnum: number; blob: Uint8Array }[] {
  const kind = detectRpmDatabase(bytes);
  if (kind === 'bdb' || kind === 'ndb') {
    const name =
      kind === 'bdb'
        ? 'BerkeleyDB (rpm before 4.16: RHEL/CentOS 7–8, SLES 12–15)'
        : 'NDB (openSUSE/SLES)';
    throw new SbomError(
      'SBOM_LOCKFILE_PARSE',
      `${file} is an rpm database in ${name} format, which Custody does not read yet; only rpmdb.sqlite (rpm 4.16+) is supported`,
      { details: { file, format: kind } },
    );
  }
  if (kind !== 'sqlite') {
    throw new SbomError(
      'SBOM_LOCKFILE_PARSE',
      `${file} is not an rpm database (no SQLite header)`,
      {
        details: { file },
      },
    );
  }
  let db: Database.Database | undefined;
  try {
    db = new Database(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), {
      readonly: true,
    });
    const hasTable = db
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'Packages'")
      .get();
    if (!hasTable) {
      throw new SbomError(
        'SBOM_LOCKFILE_PARSE',
        `${file} is a SQLite database without rpm's Packages table`,
        {
          details: { file },
        },
      );
    }
    const rows = db.prepare('SELECT hnum, blob FROM Packages ORDER BY hnum').all() as {
      hnum: unknown;
      blob: unknown;
    }[];
    return rows.map((r) => {
      if (!(r.blob instanceof Uint8Array) || typeof r.hnum !== 'number') {
        throw new SbomError(
          'SBOM_LOCKFILE_PARSE',
          `${file}: Packages row ${String(r.hnum)} has no header blob`,
          {
            details: { file },
          },
        );
      }
      return { hnum: r.hnum, blob: r.blob };
    });
  } catch (cause) {
    if (cause instanceof SbomError) throw cause;
    throw new SbomError(
      'SBOM_LOCKFILE_PARSE',
      `${file} could not be read as an rpm SQLite database: ${(cause as Error).message}`,
      { cause, details: { file } },
    );
  } finally {
    db?.close();
  }
}
