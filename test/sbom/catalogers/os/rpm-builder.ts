import Database from 'better-sqlite3';
import { RPM_TYPE, RPMTAG } from '../../../../src/sbom/catalogers/os/index.js';

/** One header entry to encode. */
export type RpmEntry =
  | { tag: number; type: 'string' | 'i18n'; value: string }
  | { tag: number; type: 'strings'; values: string[] }
  | { tag: number; type: 'int16' | 'int32' | 'int64'; values: number[] }
  | { tag: number; type: 'bin'; value: Uint8Array };

/**
 * Encode an RPM header in the database "blob" form (rpm docs/manual/format.md, hregions.md):
 * `int32 il`, `int32 dl`, `il` index entries (tag, type, offset, count; big-endian), then the data
 * store with integers aligned to their size. As rpm does for installed packages, the first entry is
 * the immutable region tag 63 (HEADERIMMUTABLE), whose 16-byte trailer at the end of the data
 * points back over the whole index (offset = -il*16).
 */
export function encodeRpmHeader(entries: RpmEntry[], opts: { region?: boolean } = {}): Uint8Array {
  const region = opts.region ?? true;
  const sorted = [...entries].sort((a, b) => a.tag - b.tag);
  const chunks: number[] = [];
  const index: { tag: number; type: number; offset: number; count: number }[] = [];
  const align = (n: number) => {
    while (chunks.length % n !== 0) chunks.push(0);
  };
  const pushBytes = (b: Uint8Array) => {
    for (const x of b) chunks.push(x);
  };
  const pushString = (s: string) => {
    pushBytes(Buffer.from(s, 'utf8'));
    chunks.push(0);
  };
  for (const e of sorted) {
    switch (e.type) {
      case 'string':
      case 'i18n':
        index.push({
          tag: e.tag,
          type: e.type === 'string' ? RPM_TYPE.STRING : RPM_TYPE.I18NSTRING,
          offset: chunks.length,
          count: 1,
        });
        pushString(e.value);
        break;
      case 'strings':
        index.push({
          tag: e.tag,
          type: RPM_TYPE.STRING_ARRAY,
          offset: chunks.length,
          count: e.values.length,
        });
        for (const v of e.values) pushString(v);
        break;
      case 'bin':
        index.push({
          tag: e.tag,
          type: RPM_TYPE.BIN,
          offset: chunks.length,
          count: e.value.length,
        });
        pushBytes(e.value);
        break;
      default: {
        const size = e.type === 'int16' ? 2 : e.type === 'int32' ? 4 : 8;
        const type =
          e.type === 'int16'
            ? RPM_TYPE.INT16
            : e.type === 'int32'
              ? RPM_TYPE.INT32
              : RPM_TYPE.INT64;
        align(size);
        index.push({ tag: e.tag, type, offset: chunks.length, count: e.values.length });
        for (const v of e.values) {
          const b = Buffer.alloc(size);
          if (size === 2) b.writeUInt16BE(v);
          else if (size === 4) b.writeUInt32BE(v);
          else b.writeBigUInt64BE(BigInt(v));
          pushBytes(b);
        }
      }
    }
  }
  const il = index.length + (region ? 1 : 0);
  if (region) {
    const trailer = Buffer.alloc(16);
    trailer.writeInt32BE(63, 0);
    trailer.writeUInt32BE(RPM_TYPE.BIN, 4);
    trailer.writeInt32BE(-il * 16, 8);
    trailer.writeUInt32BE(16, 12);
    index.unshift({ tag: 63, type: RPM_TYPE.BIN, offset: chunks.length, count: 16 });
    pushBytes(trailer);
  }
  const out = Buffer.alloc(8 + il * 16 + chunks.length);
  out.writeInt32BE(il, 0);
  out.writeInt32BE(chunks.length, 4);
  index.forEach((e, i) => {
    const at = 8 + i * 16;
    out.writeInt32BE(e.tag, at);
    out.writeUInt32BE(e.type, at + 4);
    out.writeInt32BE(e.offset, at + 8);
    out.writeUInt32BE(e.count, at + 12);
  });
  Buffer.from(chunks).copy(out, 8 + il * 16);
  return out;
}

/** A package's header as rpm would store it, from the fields Custody reads. */
export interface RpmFixturePackage {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch: string;
  license: string;
  vendor: string;
  sourceRpm?: string;
  size: number;
  summary: string;
  provides?: string[];
  requires?: string[];
  payloadDigest?: string;
}

export function encodePackageHeader(p: RpmFixturePackage): Uint8Array {
  const entries: RpmEntry[] = [
    { tag: RPMTAG.NAME, type: 'string', value: p.name },
    { tag: RPMTAG.VERSION, type: 'string', value: p.version },
    { tag: RPMTAG.RELEASE, type: 'string', value: p.release },
    { tag: RPMTAG.SUMMARY, type: 'i18n', value: p.summary },
    { tag: RPMTAG.SIZE, type: 'int32', values: [p.size] },
    { tag: RPMTAG.VENDOR, type: 'string', value: p.vendor },
    { tag: RPMTAG.LICENSE, type: 'string', value: p.license },
    { tag: RPMTAG.ARCH, type: 'string', value: p.arch },
    { tag: RPMTAG.SIGMD5, type: 'bin', value: Buffer.alloc(16, 0xab) },
    { tag: RPMTAG.SHA256HEADER, type: 'string', value: 'ab'.repeat(32) },
  ];
  if (p.epoch !== undefined) entries.push({ tag: RPMTAG.EPOCH, type: 'int32', values: [p.epoch] });
  if (p.sourceRpm) entries.push({ tag: RPMTAG.SOURCERPM, type: 'string', value: p.sourceRpm });
  if (p.provides) entries.push({ tag: RPMTAG.PROVIDENAME, type: 'strings', values: p.provides });
  if (p.requires) entries.push({ tag: RPMTAG.REQUIRENAME, type: 'strings', values: p.requires });
  if (p.payloadDigest) {
    entries.push({ tag: RPMTAG.PAYLOADDIGEST, type: 'strings', values: [p.payloadDigest] });
    entries.push({ tag: RPMTAG.PAYLOADDIGESTALGO, type: 'int32', values: [8] });
  }
  return encodeRpmHeader(entries);
}

/**
 * An rpmdb.sqlite as rpm 4.16+ creates it (lib/backend/sqlite.c: a `Packages` table of header
 * blobs keyed by `hnum`, plus index tables), serialised to bytes.
 */
export function buildRpmSqlite(blobs: Uint8Array[]): Buffer {
  const db = new Database(':memory:');
  db.exec(`
    CREATE TABLE Packages (hnum INTEGER PRIMARY KEY AUTOINCREMENT, blob BLOB NOT NULL);
    CREATE TABLE Name (key TEXT NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL,
      FOREIGN KEY(hnum) REFERENCES Packages(hnum));
    CREATE INDEX Name_key_idx ON Name(key);
    CREATE TABLE Providename (key TEXT NOT NULL, hnum INTEGER NOT NULL, idx INTEGER NOT NULL,
      FOREIGN KEY(hnum) REFERENCES Packages(hnum));
  `);
  const insert = db.prepare('INSERT INTO Packages (blob) VALUES (?)');
  for (const b of blobs) insert.run(Buffer.from(b));
  const out = db.serialize();
  db.close();
  return out;
}

/** A small RHEL 9 package set (values as `rpm -qi` shows them on ubi9). */
export const RHEL9_PACKAGES: RpmFixturePackage[] = [
  {
    name: 'glibc',
    version: '2.34',
    release: '60.el9',
    arch: 'x86_64',
    license:
      'LGPLv2+ and LGPLv2+ with exceptions and GPLv2+ and GPLv2+ with exceptions and BSD and Inner-Net and ISC and Public Domain and GFDL',
    vendor: 'Red Hat, Inc.',
    sourceRpm: 'glibc-2.34-60.el9.src.rpm',
    size: 6223397,
    summary: 'The GNU libc libraries',
    provides: ['glibc', 'glibc(x86-64)', 'libc.so.6()(64bit)', 'rtld(GNU_HASH)'],
    requires: ['rpmlib(CompressedFileNames)', 'glibc-common', 'basesystem'],
    payloadDigest: '1f'.repeat(32),
  },
  {
    name: 'ncurses-libs',
    version: '6.2',
    release: '8.20210508.el9',
    arch: 'x86_64',
    license: 'MIT',
    vendor: 'Red Hat, Inc.',
    sourceRpm: 'ncurses-6.2-8.20210508.el9.src.rpm',
    size: 960464,
    summary: 'Ncurses libraries',
    provides: ['libtinfo.so.6()(64bit)', 'ncurses-libs(x86-64)'],
    requires: ['libc.so.6()(64bit)'],
  },
  {
    name: 'bash',
    version: '5.1.8',
    release: '6.el9_1',
    arch: 'x86_64',
    license: 'GPLv3+',
    vendor: 'Red Hat, Inc.',
    sourceRpm: 'bash-5.1.8-6.el9_1.src.rpm',
    size: 7738634,
    summary: 'The GNU Bourne Again shell',
    provides: ['/bin/bash', '/bin/sh', 'bash(x86-64)'],
    requires: ['/bin/sh', 'libc.so.6()(64bit)', 'libtinfo.so.6()(64bit)', 'rtld(GNU_HASH)'],
  },
  {
    name: 'openssl-libs',
    version: '3.0.7',
    release: '27.el9',
    epoch: 1,
    arch: 'x86_64',
    license: 'ASL 2.0',
    vendor: 'Red Hat, Inc.',
    sourceRpm: 'openssl-3.0.7-27.el9.src.rpm',
    size: 6373426,
    summary: 'A general purpose cryptography library with TLS implementation',
    requires: ['libc.so.6()(64bit)'],
  },
  {
    name: 'gpg-pubkey',
    version: 'fd431d51',
    release: '4ae0493b',
    arch: '',
    license: 'pubkey',
    vendor: '',
    size: 0,
    summary: 'Red Hat, Inc. (release key 2) <security@redhat.com> public key',
  },
];
