import { TlogError } from './errors.js';
import { nodeHash } from './hashing.js';
import type { HashReader } from './proofs.js';

/**
 * C2SP tlog-tiles: the tree served as tiles of height 8 (up to 256 hashes each) and the entries
 * as bundles of up to 256. Tile level L holds Merkle hashes of level 8·L.
 */

/** Tile height: each tile spans 8 Merkle levels. */
export const TILE_HEIGHT = 8;
/** Hashes in a full tile, entries in a full bundle. */
export const TILE_WIDTH = 256;
/** Highest tile level a path may name. */
export const MAX_TILE_LEVEL = 63;
/** tlog-tiles entries are uint16-length-prefixed. */
export const MAX_ENTRY_SIZE = 0xffff;

const HASH_SIZE = 32;

/** A tile or an entry bundle; `width` 256 is a full one, 1..255 a partial one. */
export type TileRef =
  | { kind: 'hash'; level: number; index: number; width: number }
  | { kind: 'entries'; index: number; width: number };

/**
 * The path of a tile below the log's prefix, e.g. "tile/0/x001/234.p/7", "tile/entries/000".
 * @throws TlogError TLOG_TILE_INVALID
 */
export function tilePath(ref: TileRef): string {
  assertRef(ref);
  const level = ref.kind === 'hash' ? String(ref.level) : 'entries';
  const partial = ref.width === TILE_WIDTH ? '' : `.p/${ref.width}`;
  return `tile/${level}/${formatTileIndex(ref.index)}${partial}`;
}

/**
 * Parse a tile path (relative, as `tilePath` makes it). Strict: only the canonical spelling of a
 * tile is accepted, so each tile has a single cache key.
 * @throws TlogError TLOG_TILE_INVALID
 */
export function parseTilePath(path: string): TileRef {
  const m =
    /^tile\/(entries|0|[1-9][0-9]?)\/((?:x[0-9]{3}\/){0,5})([0-9]{3})(?:\.p\/([1-9][0-9]{0,2}))?$/.exec(
      path,
    );
  if (m === null) throw invalid(`not a tile path: ${JSON.stringify(path.slice(0, 100))}`);
  const [, levelText = '', groups = '', last = '', widthText] = m;
  // A leading "x000/" would be a second spelling of the same index.
  if (groups.startsWith('x000/')) throw invalid(`non-canonical tile index in ${path}`);
  const index = Number(groups.replaceAll('x', '').replaceAll('/', '') + last);
  const width = widthText === undefined ? TILE_WIDTH : Number(widthText);
  if (!Number.isSafeInteger(index)) throw invalid(`tile index too large in ${path}`);
  if (widthText !== undefined && width >= TILE_WIDTH) {
    throw invalid(`partial tile width ${width} is over 255`);
  }
  if (levelText === 'entries') return { kind: 'entries', index, width };
  const level = Number(levelText);
  if (level > MAX_TILE_LEVEL) throw invalid(`tile level ${level} is over ${MAX_TILE_LEVEL}`);
  return { kind: 'hash', level, index, width };
}

/**
 * The body of hash tile (level, index) of the given width: `width` hashes of Merkle level
 * 8·level, concatenated. Requires the tree behind `reader` to hold every subtree asked for.
 * @throws TlogError TLOG_TILE_INVALID for an impossible tile
 */
export function hashTile(
  reader: HashReader,
  level: number,
  index: number,
  width: number,
): Uint8Array {
  assertRef({ kind: 'hash', level, index, width });
  const out = new Uint8Array(width * HASH_SIZE);
  for (let i = 0; i < width; i++) {
    out.set(reader.hashAt(level * TILE_HEIGHT, index * TILE_WIDTH + i), i * HASH_SIZE);
  }
  return out;
}

/**
 * Every hash tile a log of this size serves (full tiles and the partial tile of each level),
 * lowest level first. O(size / 256) refs.
 * @throws TlogError TLOG_RANGE_INVALID for a size that is not a non-negative safe integer
 */
export function tilesForSize(size: number): TileRef[] {
  return newTiles(0, size);
}

/**
 * The hash tiles that exist at `newSize` and did not exist with that content at `oldSize`: what
 * a mirror or client holding the tiles of `oldSize` must fetch. A partial tile that grew is
 * listed at its new width.
 * @throws TlogError TLOG_RANGE_INVALID unless 0 <= oldSize <= newSize
 */
export function newTiles(oldSize: number, newSize: number): TileRef[] {
  assertSizes(oldSize, newSize);
  const refs: TileRef[] = [];
  for (let level = 0, span = 1; level <= MAX_TILE_LEVEL; level++, span *= TILE_WIDTH) {
    const newCount = Math.floor(newSize / span);
    if (newCount === 0) break;
    const oldCount = Math.floor(oldSize / span);
    for (const [index, width] of changedTiles(oldCount, newCount)) {
      refs.push({ kind: 'hash', level, index, width });
    }
  }
  return refs;
}

/**
 * The entry bundles that exist at `newSize` and did not exist with that content at `oldSize`.
 * @throws TlogError TLOG_RANGE_INVALID unless 0 <= oldSize <= newSize
 */
export function entryTilesBetween(oldSize: number, newSize: number): TileRef[] {
  assertSizes(oldSize, newSize);
  return [...changedTiles(oldSize, newSize)].map(([index, width]) => ({
    kind: 'entries' as const,
    index,
    width,
  }));
}

/**
 * An entry bundle: each entry as a big-endian uint16 length and its bytes.
 * @throws TlogError TLOG_ENTRY_TOO_LARGE for an entry over 65535 bytes
 */
export function encodeEntryBundle(entries: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const [i, entry] of entries.entries()) {
    if (entry.length > MAX_ENTRY_SIZE) {
      throw new TlogError('TLOG_ENTRY_TOO_LARGE', `entry ${i} is over ${MAX_ENTRY_SIZE} bytes`, {
        details: { index: i, size: entry.length },
      });
    }
    total += 2 + entry.length;
  }
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  let at = 0;
  for (const entry of entries) {
    view.setUint16(at, entry.length);
    out.set(entry, at + 2);
    at += 2 + entry.length;
  }
  return out;
}

/**
 * Split an entry bundle (untrusted: fetched from a log) into its entries. With `width`, the
 * bundle must hold exactly that many.
 * @throws TlogError TLOG_TILE_INVALID for a truncated bundle or a wrong count
 */
export function decodeEntryBundle(bundle: Uint8Array, width?: number): Uint8Array[] {
  const view = new DataView(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  const entries: Uint8Array[] = [];
  let at = 0;
  while (at < bundle.length) {
    if (at + 2 > bundle.length) throw invalid(`entry bundle truncated at byte ${at}`);
    const length = view.getUint16(at);
    if (at + 2 + length > bundle.length) throw invalid(`entry ${entries.length} is truncated`);
    entries.push(bundle.slice(at + 2, at + 2 + length));
    at += 2 + length;
    if (entries.length > TILE_WIDTH) throw invalid(`entry bundle over ${TILE_WIDTH} entries`);
  }
  if (width !== undefined && entries.length !== width) {
    throw invalid(`entry bundle holds ${entries.length} entries, expected ${width}`);
  }
  return entries;
}

/**
 * A HashReader over tiles of a tree of `size`: hashAt(level, index) for any complete subtree,
 * computed from the one tile that holds it. `tile(level, index, width)` returns the tile's body
 * (width·32 bytes) or undefined when it is not available; the width asked for is the one the tile
 * has at `size` (256, or the partial width for the rightmost tile). Bodies are kept per reader.
 */
export class TileHashReader implements HashReader {
  readonly #size: number;
  readonly #tile: (level: number, index: number, width: number) => Uint8Array | undefined;
  readonly #cache = new Map<string, Uint8Array>();

  constructor(
    size: number,
    tile: (level: number, index: number, width: number) => Uint8Array | undefined,
  ) {
    assertSizes(0, size);
    this.#size = size;
    this.#tile = tile;
  }

  /**
   * @throws TlogError TLOG_RANGE_INVALID for a subtree the tree does not hold complete;
   *   TLOG_TILE_INVALID when the tile is missing or has the wrong length
   */
  hashAt(level: number, index: number): Uint8Array {
    if (!Number.isInteger(level) || level < 0 || !Number.isSafeInteger(index) || index < 0) {
      throw new TlogError('TLOG_RANGE_INVALID', `no subtree at level ${level}, index ${index}`);
    }
    if ((index + 1) * 2 ** level > this.#size) {
      throw new TlogError(
        'TLOG_RANGE_INVALID',
        `subtree (${level}, ${index}) is not complete in a tree of size ${this.#size}`,
      );
    }
    const tileLevel = Math.floor(level / TILE_HEIGHT);
    const height = level - tileLevel * TILE_HEIGHT;
    // The subtree's 2^height hashes at Merkle level 8·tileLevel, which one tile holds entire.
    const first = index * 2 ** height;
    const tileIndex = Math.floor(first / TILE_WIDTH);
    const offset = first - tileIndex * TILE_WIDTH;
    const body = this.#body(tileLevel, tileIndex);
    return subtreeHash(body, offset, 2 ** height);
  }

  #body(level: number, index: number): Uint8Array {
    const key = `${level}/${index}`;
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    const count = Math.floor(this.#size / TILE_WIDTH ** level);
    const width = Math.min(TILE_WIDTH, count - index * TILE_WIDTH);
    const body = this.#tile(level, index, width);
    if (body === undefined) {
      throw invalid(`tile ${tilePath({ kind: 'hash', level, index, width })} is not available`);
    }
    if (body.length !== width * HASH_SIZE) {
      throw invalid(
        `tile ${level}/${index} is ${body.length} bytes, expected ${width * HASH_SIZE}`,
      );
    }
    this.#cache.set(key, body);
    return body;
  }
}

/** Tile index N as tlog-tiles spells it: 3-digit groups, all but the last prefixed "x". */
export function formatTileIndex(index: number): string {
  let n = index;
  let out = String(n % 1000).padStart(3, '0');
  while (n >= 1000) {
    n = Math.floor(n / 1000);
    out = `x${String(n % 1000).padStart(3, '0')}/${out}`;
  }
  return out;
}

// MTH of `count` (a power of two) consecutive hashes of a tile body.
function subtreeHash(body: Uint8Array, offset: number, count: number): Uint8Array {
  let level: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    level.push(body.subarray((offset + i) * HASH_SIZE, (offset + i + 1) * HASH_SIZE));
  }
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(nodeHash(level[i] as Uint8Array, level[i + 1] as Uint8Array));
    }
    level = next;
  }
  return (level[0] as Uint8Array).slice();
}

// Tiles of one level whose content differs between `oldCount` and `newCount` items at that level.
function* changedTiles(oldCount: number, newCount: number): Generator<[number, number]> {
  if (oldCount === newCount) return;
  const end = Math.ceil(newCount / TILE_WIDTH);
  for (let index = Math.floor(oldCount / TILE_WIDTH); index < end; index++) {
    yield [index, Math.min(TILE_WIDTH, newCount - index * TILE_WIDTH)];
  }
}

function assertRef(ref: TileRef): void {
  const levelOk =
    ref.kind === 'entries' ||
    (ref.kind === 'hash' &&
      Number.isInteger(ref.level) &&
      ref.level >= 0 &&
      ref.level <= MAX_TILE_LEVEL);
  if (
    !levelOk ||
    !Number.isSafeInteger(ref.index) ||
    ref.index < 0 ||
    !Number.isInteger(ref.width) ||
    ref.width < 1 ||
    ref.width > TILE_WIDTH
  ) {
    throw invalid(`not a tile: ${JSON.stringify(ref)}`);
  }
}

function assertSizes(oldSize: number, newSize: number): void {
  if (
    !Number.isSafeInteger(oldSize) ||
    !Number.isSafeInteger(newSize) ||
    oldSize < 0 ||
    oldSize > newSize
  ) {
    throw new TlogError(
      'TLOG_RANGE_INVALID',
      `sizes ${oldSize} → ${newSize} are not 0 <= old <= new`,
    );
  }
}

function invalid(message: string): TlogError {
  return new TlogError('TLOG_TILE_INVALID', message);
}
