import { SbomError } from '../../errors.js';

/** RPM header tags Custody reads (rpm `lib/rpmtag.h`; docs/manual/tags.md). */
export const RPMTAG = {
  SIGMD5: 261,
  SHA1HEADER: 269,
  SHA256HEADER: 273,
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  SUMMARY: 1004,
  SIZE: 1009,
  VENDOR: 1011,
  LICENSE: 1014,
  PACKAGER: 1015,
  URL: 1020,
  ARCH: 1022,
  SOURCERPM: 1044,
  PROVIDENAME: 1047,
  REQUIRENAME: 1049,
  LONGSIZE: 5009,
  PAYLOADDIGEST: 5092,
  PAYLOADDIGESTALGO: 5093,
  MODULARITYLABEL: 5096,
} as const;

/** Entry data types (rpm `rpmTagType`). */
export const RPM_TYPE = {
  NULL: 0,
  CHAR: 1,
  INT8: 2,
  INT16: 3,
  INT32: 4,
  INT64: 5,
  STRING: 6,
  BIN: 7,
  STRING_ARRAY: 8,
  I18NSTRING: 9,
} as const;

interface Entry {
  type: number;
  offset: number;
  count: number;
}

// rpm's own sanity limits (lib/header.c hdrchkTags / hdrchkData).
const MAX_TAGS = 0xffff;
const MAX_DATA = 0x0fffffff;
const ENTRY_SIZE = 16;
const HEADER_MAGIC = [0x8e, 0xad, 0xe8];

/**
 * A parsed RPM header: the "blob" form rpm stores in its databases (`int32 il`, `int32 dl`,
 * `il` 16-byte index entries `tag, type, offset, count`, then `dl` bytes of data, all big-endian;
 * rpm docs/manual/format.md and hregions.md), or the same preceded by the 8-byte header magic as in
 * a package file. Region tags (61–63) are read like any other entry and not verified: Custody only
 * reads metadata, it does not check signatures. Values are decoded on demand. Untrusted input.
 */
export class RpmHeader {
  private constructor(
    private readonly data: DataView,
    private readonly bytes: Uint8Array,
    private readonly entries: Map<number, Entry>,
    private readonly what: string,
  ) {}

  /**
   * @param what names the header in errors (`var/lib/rpm/rpmdb.sqlite package 12`).
   * @throws SbomError SBOM_LOCKFILE_PARSE when the lengths or an entry do not fit the blob.
   */
  static parse(blob: Uint8Array, what: string): RpmHeader {
    let start = 0;
    if (blob.length >= 8 && HEADER_MAGIC.every((b, i) => blob[i] === b)) start = 8;
    if (blob.length < start + 8) throw fail(what, 'is shorter than a header preamble');
    const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
    const il = view.getInt32(start);
    const dl = view.getInt32(start + 4);
    if (il < 1 || il > MAX_TAGS) throw fail(what, `has ${il} index entries`);
    if (dl < 0 || dl > MAX_DATA) throw fail(what, `has a data length of ${dl}`);
    const indexStart = start + 8;
    const dataStart = indexStart + il * ENTRY_SIZE;
    if (dataStart + dl > blob.length) {
      throw fail(
        what,
        `declares ${il} entries and ${dl} data bytes but holds ${blob.length} bytes`,
      );
    }
    const data = blob.subarray(dataStart, dataStart + dl);
    const entries = new Map<number, Entry>();
    for (let i = 0; i < il; i++) {
      const at = indexStart + i * ENTRY_SIZE;
      const tag = view.getInt32(at);
      const type = view.getUint32(at + 4);
      const offset = view.getInt32(at + 8);
      const count = view.getUint32(at + 12);
      // Region trailers use negative offsets and tags 61–63; they carry nothing we read.
      if (tag >= 61 && tag <= 63) continue;
      if (type > RPM_TYPE.I18NSTRING) throw fail(what, `entry ${i} (tag ${tag}) has type ${type}`);
      if (offset < 0 || offset > dl) {
        throw fail(what, `entry ${i} (tag ${tag}) points outside the data (offset ${offset})`);
      }
      if (!entries.has(tag)) entries.set(tag, { type, offset, count });
    }
    const dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
    return new RpmHeader(dataView, data, entries, what);
  }

  has(tag: number): boolean {
    return this.entries.has(tag);
  }

  /** A STRING (or the first of a STRING_ARRAY/I18NSTRING) value. */
  string(tag: number): string | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (
      e.type !== RPM_TYPE.STRING &&
      e.type !== RPM_TYPE.STRING_ARRAY &&
      e.type !== RPM_TYPE.I18NSTRING
    ) {
      throw this.typeError(tag, e, 'a string');
    }
    return this.readStrings(tag, e, 1)[0];
  }

  /** A STRING_ARRAY (or STRING/I18NSTRING) value. */
  strings(tag: number): string[] {
    const e = this.entries.get(tag);
    if (!e) return [];
    if (e.type === RPM_TYPE.STRING) return this.readStrings(tag, e, 1);
    if (e.type !== RPM_TYPE.STRING_ARRAY && e.type !== RPM_TYPE.I18NSTRING) {
      throw this.typeError(tag, e, 'a string array');
    }
    return this.readStrings(tag, e, e.count);
  }

  /** The first value of an integer tag (INT8/16/32/64; INT64 as a number). */
  int(tag: number): number | undefined {
    const e = this.entries.get(tag);
    if (!e || e.count === 0) return undefined;
    const size = INT_SIZES[e.type];
    if (size === undefined) throw this.typeError(tag, e, 'an integer');
    if (e.offset + size > this.bytes.length) throw this.outOfData(tag);
    switch (size) {
      case 1:
        return this.data.getUint8(e.offset);
      case 2:
        return this.data.getUint16(e.offset);
      case 4:
        return this.data.getUint32(e.offset);
      default:
        return Number(this.data.getBigUint64(e.offset));
    }
  }

  /** A BIN value's bytes. */
  binary(tag: number): Uint8Array | undefined {
    const e = this.entries.get(tag);
    if (!e) return undefined;
    if (e.type !== RPM_TYPE.BIN) throw this.typeError(tag, e, 'binary');
    if (e.offset + e.count > this.bytes.length) throw this.outOfData(tag);
    return this.bytes.subarray(e.offset, e.offset + e.count);
  }

  // `count` NUL-terminated strings from the entry's offset; never reads past the data.
  private readStrings(tag: number, e: Entry, count: number): string[] {
    const out: string[] = [];
    let pos = e.offset;
    for (let i = 0; i < count; i++) {
      const end = this.bytes.indexOf(0, pos);
      if (end === -1) throw this.outOfData(tag);
      out.push(DECODER.decode(this.bytes.subarray(pos, end)));
      pos = end + 1;
    }
    return out;
  }

  private typeError(tag: number, e: Entry, expected: string): SbomError {
    return fail(this.what, `tag ${tag} has type ${e.type}, not ${expected}`);
  }

  private outOfData(tag: number): SbomError {
    return fail(this.what, `tag ${tag}'s value runs past the end of the data`);
  }
}

const INT_SIZES: Readonly<Record<number, number>> = {
  [RPM_TYPE.CHAR]: 1,
  [RPM_TYPE.INT8]: 1,
  [RPM_TYPE.INT16]: 2,
  [RPM_TYPE.INT32]: 4,
  [RPM_TYPE.INT64]: 8,
};

const DECODER = new TextDecoder('utf-8');

function fail(what: string, problem: string): SbomError {
  return new SbomError('SBOM_LOCKFILE_PARSE', `${what}: the RPM header ${problem}`, {
    details: { file: what },
  });
}
