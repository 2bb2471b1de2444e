import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TlogError } from '../../src/tlog/errors.js';
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  MerkleTree,
  rootAt,
} from '../../src/tlog/index.js';
import {
  decodeEntryBundle,
  encodeEntryBundle,
  entryTilesBetween,
  hashTile,
  newTiles,
  parseTilePath,
  TileHashReader,
  type TileRef,
  tilePath,
  tilesForSize,
} from '../../src/tlog/tiles.js';
import { expectCustodyError } from '../helpers/expect-error.js';

/** One tree for every test: 70,000 leaves reaches tile level 2, as in the spec's example. */
const LEAVES = 70_000;
const tree = new MerkleTree();
const entries: Uint8Array[] = [];
for (let i = 0; i < LEAVES; i++) {
  const entry = new TextEncoder().encode(`entry ${i}`);
  entries.push(entry);
  tree.append(leafHash(entry));
}

const key = (r: TileRef) => tilePath(r);
// MerkleTree hands out Buffers and the reader Uint8Arrays: compare contents.
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const hexes = (l: readonly Uint8Array[]) => l.map(hex);

describe('tile paths (tlog-tiles)', () => {
  it('spells indices in 3-digit groups, all but the last prefixed "x" (spec: 1234067)', () => {
    assert.equal(
      tilePath({ kind: 'hash', level: 0, index: 1234067, width: 256 }),
      'tile/0/x001/x234/067',
    );
    assert.equal(tilePath({ kind: 'hash', level: 0, index: 0, width: 256 }), 'tile/0/000');
    assert.equal(
      tilePath({ kind: 'hash', level: 0, index: 1234, width: 7 }),
      'tile/0/x001/234.p/7',
    );
    assert.equal(
      tilePath({ kind: 'hash', level: 63, index: 1000, width: 255 }),
      'tile/63/x001/000.p/255',
    );
    assert.equal(tilePath({ kind: 'entries', index: 0, width: 256 }), 'tile/entries/000');
    assert.equal(tilePath({ kind: 'entries', index: 999, width: 1 }), 'tile/entries/999.p/1');
  });

  it('handles indices above 2^32', () => {
    const ref: TileRef = { kind: 'hash', level: 1, index: 2 ** 40 + 5, width: 256 };
    assert.equal(tilePath(ref), 'tile/1/x001/x099/x511/x627/781');
    assert.deepEqual(parseTilePath(tilePath(ref)), ref);
  });

  it('parseTilePath inverts tilePath', () => {
    const ref = fc.oneof(
      fc.record({
        kind: fc.constant('hash' as const),
        level: fc.integer({ min: 0, max: 63 }),
        index: fc.maxSafeNat(),
        width: fc.integer({ min: 1, max: 256 }),
      }),
      fc.record({
        kind: fc.constant('entries' as const),
        index: fc.maxSafeNat(),
        width: fc.integer({ min: 1, max: 256 }),
      }),
    );
    fc.assert(
      fc.property(ref, (r) => {
        assert.deepEqual(parseTilePath(tilePath(r)), { ...r });
      }),
    );
  });

  const rejected = [
    '',
    'tile/0/1',
    'tile/0/0001',
    'tile/0/01',
    'tile/00/000',
    'tile/01/000',
    'tile/64/000',
    'tile/-1/000',
    'tile/0/x000/001',
    'tile/0/x001',
    'tile/0/X001/000',
    'tile/0/x01/000',
    'tile/0/000/',
    '/tile/0/000',
    'tile/0//000',
    'tile/0/000.p/0',
    'tile/0/000.p/00',
    'tile/0/000.p/007',
    'tile/0/000.p/256',
    'tile/0/000.p/',
    'tile/0/000.p',
    'tile/0/000.P/7',
    'tile/entries/000.p/300',
    'tile/entries/x000/000',
    'tile/entry/000',
    'tile/8/0/000',
    'tile/0/x009/x007/x199/x254/x740/993',
    'tile/0/x001/x001/x001/x001/x001/x001/001',
    'tile/0/000\n',
    'tile/0/٠٠٠',
  ];
  for (const path of rejected) {
    it(`rejects ${JSON.stringify(path)}`, () => {
      expectCustodyError(() => parseTilePath(path), TlogError, 'TLOG_TILE_INVALID');
    });
  }

  it('the largest safe index still parses', () => {
    assert.equal(
      parseTilePath('tile/0/x009/x007/x199/x254/x740/991').index,
      Number.MAX_SAFE_INTEGER,
    );
  });

  it('arbitrary strings parse or fail with TlogError', () => {
    const pathish = fc
      .array(
        fc.constantFrom('tile', '/', '0', '1', '9', 'x', '.p', 'entries', '00', '63', '64', '256'),
        {
          maxLength: 12,
        },
      )
      .map((p) => p.join(''));
    fc.assert(
      fc.property(fc.oneof(fc.string(), pathish), (s) => {
        try {
          const ref = parseTilePath(s);
          assert.equal(tilePath(ref), s, 'only canonical paths parse');
        } catch (e) {
          assert.ok(e instanceof TlogError, String(e));
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('tilePath refuses refs that are not tiles', () => {
    for (const r of [
      { kind: 'hash', level: 64, index: 0, width: 256 },
      { kind: 'hash', level: 0, index: -1, width: 256 },
      { kind: 'hash', level: 0, index: 0.5, width: 256 },
      { kind: 'hash', level: 0, index: 0, width: 0 },
      { kind: 'hash', level: 0, index: 0, width: 257 },
      { kind: 'entries', index: 2 ** 53, width: 1 },
    ] as TileRef[]) {
      expectCustodyError(() => tilePath(r), TlogError, 'TLOG_TILE_INVALID');
    }
  });
});

describe('tilesForSize / newTiles', () => {
  it('the spec’s tree of 70,000: 273 full + one of 112 at level 0, one full + one of 17 at level 1, one of 1 at level 2', () => {
    const tiles = tilesForSize(70_000);
    const at = (level: number) => tiles.filter((t) => t.kind === 'hash' && t.level === level);
    assert.equal(at(0).length, 274);
    assert.equal(at(0).filter((t) => t.width === 256).length, 273);
    assert.deepEqual(at(0)[273], { kind: 'hash', level: 0, index: 273, width: 112 });
    assert.deepEqual(at(1), [
      { kind: 'hash', level: 1, index: 0, width: 256 },
      { kind: 'hash', level: 1, index: 1, width: 17 },
    ]);
    assert.deepEqual(at(2), [{ kind: 'hash', level: 2, index: 0, width: 1 }]);
    assert.equal(tiles.length, 277);
  });

  it('the spec’s tree of 256: a full level 0 tile and a level 1 tile of width 1', () => {
    assert.deepEqual(tilesForSize(256), [
      { kind: 'hash', level: 0, index: 0, width: 256 },
      { kind: 'hash', level: 1, index: 0, width: 1 },
    ]);
  });

  it('an empty tree has no tiles', () => {
    assert.deepEqual(tilesForSize(0), []);
  });

  it('newTiles is what tilesForSize(new) has and tilesForSize(old) had not', () => {
    fc.assert(
      fc.property(fc.nat({ max: 200_000 }), fc.nat({ max: 200_000 }), (a, b) => {
        const [oldSize, newSize] = a <= b ? [a, b] : [b, a];
        const before = new Set(tilesForSize(oldSize).map(key));
        const expected = tilesForSize(newSize)
          .map(key)
          .filter((p) => !before.has(p));
        assert.deepEqual(newTiles(oldSize, newSize).map(key), expected);
      }),
      { numRuns: 200 },
    );
  });

  it('works above 2^32 without listing the whole tree', () => {
    const size = 2 ** 45;
    const refs = newTiles(size, size + 1);
    assert.deepEqual(refs[0], { kind: 'hash', level: 0, index: 2 ** 37, width: 1 });
    assert.equal(refs.length, 1);
    // 2^45 = 32 · 256^5: the last full tile of levels 0..4 completes, level 5 grows to 32 hashes.
    const grown = newTiles(size - 1, size);
    assert.deepEqual(grown.at(-1), { kind: 'hash', level: 5, index: 0, width: 32 });
    assert.ok(
      grown
        .slice(0, 5)
        .every((r, level) => r.kind === 'hash' && r.level === level && r.width === 256),
    );
    assert.equal(grown.length, 6);
  });

  it('entryTilesBetween lists the entry bundles that changed', () => {
    assert.deepEqual(entryTilesBetween(250, 600), [
      { kind: 'entries', index: 0, width: 256 },
      { kind: 'entries', index: 1, width: 256 },
      { kind: 'entries', index: 2, width: 88 },
    ]);
    assert.deepEqual(entryTilesBetween(512, 512), []);
    assert.deepEqual(entryTilesBetween(511, 512), [{ kind: 'entries', index: 1, width: 256 }]);
  });

  it('refuses sizes that go backwards or are not sizes', () => {
    for (const [a, b] of [
      [2, 1],
      [-1, 1],
      [0, 1.5],
      [0, 2 ** 53],
    ] as const) {
      expectCustodyError(() => newTiles(a, b), TlogError, 'TLOG_RANGE_INVALID');
      expectCustodyError(() => entryTilesBetween(a, b), TlogError, 'TLOG_RANGE_INVALID');
    }
    expectCustodyError(() => tilesForSize(-1), TlogError, 'TLOG_RANGE_INVALID');
  });
});

describe('hashTile', () => {
  it('level 0 holds leaf hashes; level 1 holds the MTH of each full level 0 tile', () => {
    const t0 = hashTile(tree, 0, 1, 256);
    assert.equal(t0.length, 256 * 32);
    assert.equal(hex(t0.subarray(0, 32)), hex(leafHash(entries[256] as Uint8Array)));
    const t1 = hashTile(tree, 1, 0, 3);
    assert.equal(t1.length, 3 * 32);
    const full = new MerkleTree();
    for (let i = 512; i < 768; i++) full.append(leafHash(entries[i] as Uint8Array));
    assert.equal(hex(t1.subarray(64, 96)), hex(full.root()));
  });

  it('refuses impossible tiles', () => {
    expectCustodyError(() => hashTile(tree, 0, 0, 0), TlogError, 'TLOG_TILE_INVALID');
    expectCustodyError(() => hashTile(tree, 64, 0, 1), TlogError, 'TLOG_TILE_INVALID');
  });
});

describe('TileHashReader agrees with MerkleTree', () => {
  function readerFor(size: number, fetched: string[] = []): TileHashReader {
    return new TileHashReader(size, (level, index, width) => {
      fetched.push(tilePath({ kind: 'hash', level, index, width }));
      return hashTile(tree, level, index, width);
    });
  }

  it('roots, inclusion and consistency proofs for random sizes, from the tiles of that size only', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: LEAVES }), fc.nat(), fc.nat(), (size, i, j) => {
        const fetched: string[] = [];
        const reader = readerFor(size, fetched);
        assert.equal(hex(rootAt(reader, size)), hex(tree.root(size)));
        const index = i % size;
        assert.deepEqual(
          hexes(proofOf(reader, index, size, 'inclusion')),
          hexes(tree.inclusionProof(index, size)),
        );
        const old = (j % size) + 1;
        assert.deepEqual(
          hexes(proofOf(reader, old, size, 'consistency')),
          hexes(tree.consistencyProof(old, size)),
        );
        const served = new Set(tilesForSize(size).map(key));
        for (const p of fetched)
          assert.ok(served.has(p), `${p} is not a tile of a tree of ${size}`);
      }),
      { numRuns: 150 },
    );
  });

  it('every complete subtree’s hash, for a few sizes around tile edges', () => {
    for (const size of [1, 255, 256, 257, 65535, 65536, 65537, LEAVES]) {
      const reader = readerFor(size);
      for (let level = 0; 2 ** level <= size; level++) {
        const count = Math.floor(size / 2 ** level);
        for (const index of new Set([0, Math.floor(count / 2), count - 1])) {
          assert.equal(
            hex(reader.hashAt(level, index)),
            hex(tree.hashAt(level, index)),
            `${size} ${level} ${index}`,
          );
        }
      }
    }
  });

  it('refuses subtrees the tree does not hold complete', () => {
    const reader = readerFor(300);
    expectCustodyError(() => reader.hashAt(0, 300), TlogError, 'TLOG_RANGE_INVALID');
    expectCustodyError(() => reader.hashAt(8, 1), TlogError, 'TLOG_RANGE_INVALID');
    expectCustodyError(() => reader.hashAt(-1, 0), TlogError, 'TLOG_RANGE_INVALID');
    expectCustodyError(
      () => new TileHashReader(-1, () => undefined),
      TlogError,
      'TLOG_RANGE_INVALID',
    );
  });

  it('a missing tile or one of the wrong length is TLOG_TILE_INVALID', () => {
    expectCustodyError(
      () => new TileHashReader(10, () => undefined).hashAt(0, 0),
      TlogError,
      'TLOG_TILE_INVALID',
    );
    const short = new TileHashReader(10, () => new Uint8Array(9 * 32));
    expectCustodyError(() => short.hashAt(0, 0), TlogError, 'TLOG_TILE_INVALID');
  });

  it('fetches each tile once', () => {
    const fetched: string[] = [];
    const reader = readerFor(LEAVES, fetched);
    rootAt(reader, LEAVES);
    rootAt(reader, LEAVES);
    assert.equal(new Set(fetched).size, fetched.length);
  });
});

describe('entry bundles', () => {
  it('are uint16 big-endian length-prefixed entries', () => {
    const bundle = encodeEntryBundle([
      Uint8Array.of(1, 2, 3),
      new Uint8Array(0),
      new Uint8Array(300),
    ]);
    assert.deepEqual(bundle.subarray(0, 5), Uint8Array.of(0, 3, 1, 2, 3));
    assert.deepEqual(bundle.subarray(5, 9), Uint8Array.of(0, 0, 1, 44));
    assert.equal(bundle.length, 5 + 2 + 302);
    assert.equal(decodeEntryBundle(bundle, 3).length, 3);
  });

  it('entries hash to the level 0 tile', () => {
    const bundle = encodeEntryBundle(entries.slice(256, 512));
    const hashes = decodeEntryBundle(bundle, 256).map((e) => leafHash(e));
    assert.deepEqual(Buffer.concat(hashes), Buffer.from(hashTile(tree, 0, 1, 256)));
  });

  it('round-trip', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 256 }), (list) => {
        assert.deepEqual(decodeEntryBundle(encodeEntryBundle(list)), list);
      }),
      { numRuns: 100 },
    );
  });

  it('an entry of 65535 bytes fits; 65536 is TLOG_ENTRY_TOO_LARGE', () => {
    assert.equal(decodeEntryBundle(encodeEntryBundle([new Uint8Array(65535)]))[0]?.length, 65535);
    expectCustodyError(
      () => encodeEntryBundle([new Uint8Array(65536)]),
      TlogError,
      'TLOG_ENTRY_TOO_LARGE',
    );
  });

  it('truncated bundles, wrong counts and over-full bundles are TLOG_TILE_INVALID', () => {
    expectCustodyError(() => decodeEntryBundle(Uint8Array.of(0)), TlogError, 'TLOG_TILE_INVALID');
    expectCustodyError(
      () => decodeEntryBundle(Uint8Array.of(0, 2, 1)),
      TlogError,
      'TLOG_TILE_INVALID',
    );
    expectCustodyError(
      () => decodeEntryBundle(Uint8Array.of(0, 0), 2),
      TlogError,
      'TLOG_TILE_INVALID',
    );
    const overfull = new Uint8Array(257 * 2);
    expectCustodyError(() => decodeEntryBundle(overfull), TlogError, 'TLOG_TILE_INVALID');
  });

  it('arbitrary bytes decode or fail with TlogError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          decodeEntryBundle(bytes);
        } catch (e) {
          assert.ok(e instanceof TlogError, String(e));
        }
      }),
    );
  });
});

/** Proofs computed through the reader, the way a tile-fetching client computes them. */
function proofOf(
  reader: TileHashReader,
  a: number,
  size: number,
  kind: 'inclusion' | 'consistency',
) {
  return kind === 'inclusion' ? inclusionProof(reader, a, size) : consistencyProof(reader, a, size);
}
