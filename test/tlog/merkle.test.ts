import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { TlogError } from '../../src/tlog/errors.js';
import {
  EMPTY_ROOT,
  leafHash,
  MerkleTree,
  nodeHash,
  subtreeConsistencyProof,
  subtreeInclusionProof,
  verifyConsistency,
  verifyInclusion,
  verifySubtreeConsistency,
  verifySubtreeInclusion,
} from '../../src/tlog/index.js';
import { conformancePath } from '../helpers/conformance.js';

const MERKLE = conformancePath('merkle');

function cases(dir: string): string[] {
  const root = join(MERKLE, dir);
  const walk = (d: string): string[] =>
    readdirSync(d).flatMap((n) => {
      const p = join(d, n);
      return statSync(p).isDirectory() ? walk(p) : n.endsWith('.json') ? [p] : [];
    });
  return walk(root).sort();
}

interface Vector {
  desc: string;
  wantErr: boolean;
  proof: string[] | null;
  leafIdx?: number;
  treeSize?: number;
  leafHash?: string;
  root?: string;
  size1?: number;
  size2?: number;
  root1?: string;
  root2?: string;
  start?: number;
  end?: number;
  size?: number;
}
const b64 = (s: unknown): Uint8Array => Buffer.from(String(s ?? ''), 'base64');
const proofOf = (v: Vector): Uint8Array[] => ((v.proof as string[] | null) ?? []).map(b64);

/** Runs one suite directory; every file is a case and none is skipped. */
function suite(dir: string, expected: number, check: (v: Vector) => void): void {
  const files = cases(dir);
  it(`${dir}: the suite holds ${expected} cases`, () => assert.equal(files.length, expected));
  for (const file of files) {
    const v = JSON.parse(readFileSync(file, 'utf8')) as Vector;
    it(`${file.slice(MERKLE.length + 1)}: ${v.desc}`, () => {
      let error: unknown;
      try {
        check(v);
      } catch (e) {
        error = e;
      }
      if (v.wantErr) {
        assert.ok(error instanceof TlogError, `expected a TlogError, got ${String(error)}`);
      } else {
        assert.equal(error, undefined, String(error));
      }
    });
  }
}

describe('RFC 6962 conformance (transparency-dev/merkle vectors)', () => {
  suite('inclusion', 98, (v) =>
    verifyInclusion(
      Number(v.leafIdx),
      Number(v.treeSize),
      b64(v.leafHash),
      proofOf(v),
      b64(v.root),
    ),
  );
  suite('consistency', 98, (v) =>
    verifyConsistency(Number(v.size1), Number(v.size2), proofOf(v), b64(v.root1), b64(v.root2)),
  );
  suite('subtreeinclusion', 204, (v) =>
    verifySubtreeInclusion(
      Number(v.leafIdx),
      Number(v.start),
      Number(v.end),
      b64(v.leafHash),
      proofOf(v),
      b64(v.root),
    ),
  );
  suite('subtreeconsistency', 118, (v) =>
    verifySubtreeConsistency(
      Number(v.start),
      Number(v.end),
      Number(v.size),
      proofOf(v),
      b64(v.root1),
      b64(v.root2),
    ),
  );

  it('builds the reference tree: every root from size 0 to 8', () => {
    const ref = JSON.parse(readFileSync(join(MERKLE, 'reference-tree.json'), 'utf8')) as {
      leafInputsHex: string[];
      leafHashesHex: string[];
      rootHashesHexBySize: string[];
    };
    const tree = new MerkleTree();
    assert.equal(Buffer.from(tree.root()).toString('hex'), ref.rootHashesHexBySize[0]);
    ref.leafInputsHex.forEach((hex, i) => {
      const lh = leafHash(Buffer.from(hex, 'hex'));
      assert.equal(Buffer.from(lh).toString('hex'), ref.leafHashesHex[i]);
      tree.append(lh);
      assert.equal(Buffer.from(tree.root()).toString('hex'), ref.rootHashesHexBySize[i + 1]);
    });
    for (const [size, hex] of ref.rootHashesHexBySize.entries())
      assert.equal(Buffer.from(tree.root(size)).toString('hex'), hex);
  });

  it('proves what the suite proves: generated proofs equal the happy-path vectors', () => {
    const ref = JSON.parse(readFileSync(join(MERKLE, 'reference-tree.json'), 'utf8')) as {
      leafHashesHex: string[];
    };
    const tree = new MerkleTree();
    for (const hex of ref.leafHashesHex) tree.append(Buffer.from(hex, 'hex'));
    let compared = 0;
    for (const file of cases('inclusion').filter((f) => f.endsWith('happy-path.json'))) {
      const v = JSON.parse(readFileSync(file, 'utf8')) as Vector;
      if (Number(v.treeSize) > 8) continue;
      const got = tree.inclusionProof(Number(v.leafIdx), Number(v.treeSize));
      assert.deepEqual(
        got.map((h) => Buffer.from(h).toString('base64')),
        (v.proof as string[] | null) ?? [],
      );
      compared += 1;
    }
    for (const file of cases('consistency').filter((f) => f.endsWith('happy-path.json'))) {
      const v = JSON.parse(readFileSync(file, 'utf8')) as Vector;
      if (Number(v.size2) > 8) continue;
      const got = tree.consistencyProof(Number(v.size1), Number(v.size2));
      assert.deepEqual(
        got.map((h) => Buffer.from(h).toString('base64')),
        (v.proof as string[] | null) ?? [],
      );
      compared += 1;
    }
    assert.ok(compared >= 8, `compared ${compared}`);
  });
});

function treeOf(n: number): MerkleTree {
  const t = new MerkleTree();
  for (let i = 0; i < n; i++) t.append(leafHash(Buffer.from(`leaf ${i}`)));
  return t;
}

/** A root computed the slow, obvious way, straight from RFC 6962's definition. */
function naiveRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) return EMPTY_ROOT;
  if (leaves.length === 1) return leaves[0] as Uint8Array;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(naiveRoot(leaves.slice(0, k)), naiveRoot(leaves.slice(k)));
}

const flip = (h: Uint8Array, bit: number): Uint8Array => {
  const c = Buffer.from(h);
  const at = Math.floor(bit / 8) % c.length;
  c[at] = (c[at] as number) ^ (1 << (bit % 8));
  return c;
};

describe('Merkle tree properties', () => {
  const big = treeOf(1100);
  const leaves = Array.from({ length: 1100 }, (_, i) => leafHash(Buffer.from(`leaf ${i}`)));

  it('every root equals the definition', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
        assert.deepEqual(Buffer.from(big.root(n)), Buffer.from(naiveRoot(leaves.slice(0, n))));
      }),
      { numRuns: 60 },
    );
  });

  it('every generated inclusion proof verifies; every altered one fails', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 1100 })
          .chain((size) =>
            fc.tuple(fc.constant(size), fc.integer({ min: 0, max: size - 1 }), fc.nat(), fc.nat()),
          ),
        ([size, index, bit, which]) => {
          const root = big.root(size);
          const proof = big.inclusionProof(index, size);
          const leaf = leaves[index] as Uint8Array;
          verifyInclusion(index, size, leaf, proof, root);
          assert.throws(
            () => verifyInclusion(index, size, leaf, proof, flip(root, bit)),
            TlogError,
          );
          assert.throws(
            () => verifyInclusion(index, size, flip(leaf, bit), proof, root),
            TlogError,
          );
          if (proof.length > 0) {
            const bad = [...proof];
            const j = which % bad.length;
            bad[j] = flip(bad[j] as Uint8Array, bit);
            assert.throws(() => verifyInclusion(index, size, leaf, bad, root), TlogError);
            assert.throws(
              () => verifyInclusion(index, size, leaf, proof.slice(1), root),
              TlogError,
            );
          }
          assert.throws(
            () => verifyInclusion(index, size, leaf, [...proof, root], root),
            TlogError,
          );
          if (size > 1) {
            const other = (index + 1 + (which % (size - 1))) % size;
            assert.throws(() => verifyInclusion(other, size, leaf, proof, root), TlogError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('every generated consistency proof verifies; every altered one fails', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 1100 })
          .chain((size2) =>
            fc.tuple(fc.integer({ min: 1, max: size2 }), fc.constant(size2), fc.nat(), fc.nat()),
          ),
        ([size1, size2, bit, which]) => {
          const r1 = big.root(size1);
          const r2 = big.root(size2);
          const proof = big.consistencyProof(size1, size2);
          verifyConsistency(size1, size2, proof, r1, r2);
          if (size1 < size2) {
            assert.throws(
              () => verifyConsistency(size1, size2, proof, flip(r1, bit), r2),
              TlogError,
            );
            assert.throws(
              () => verifyConsistency(size1, size2, proof, r1, flip(r2, bit)),
              TlogError,
            );
            const bad = [...proof];
            const j = which % bad.length;
            bad[j] = flip(bad[j] as Uint8Array, bit);
            assert.throws(() => verifyConsistency(size1, size2, bad, r1, r2), TlogError);
            assert.throws(() => verifyConsistency(size2, size1, proof, r2, r1), TlogError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('subtree proofs verify for random valid subtrees', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1100 }), fc.nat(), fc.nat(), (size, a, b) => {
        const width = 2 ** (a % 11);
        const n = 1 + (b % width);
        const start = width * Math.floor((a * 7919) % Math.max(1, Math.floor(size / width)));
        const end = Math.min(start + n, size);
        if (end <= start) return;
        let p = 1;
        while (p < end - start) p *= 2;
        if (start % p !== 0) return;
        const sub = big.rangeHash(start, end);
        const proof = subtreeConsistencyProof(big, start, end, size);
        verifySubtreeConsistency(start, end, size, proof, sub, big.root(size));
        const index = start + (a % (end - start));
        const ip = subtreeInclusionProof(big, index, start, end);
        verifySubtreeInclusion(index, start, end, leaves[index] as Uint8Array, ip, sub);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses proofs for impossible ranges with a coded error', () => {
    const t = treeOf(5);
    assert.throws(() => t.inclusionProof(5, 5), { code: 'TLOG_RANGE_INVALID' });
    assert.throws(() => t.inclusionProof(0, 6), { code: 'TLOG_RANGE_INVALID' });
    assert.throws(() => t.consistencyProof(4, 3), { code: 'TLOG_RANGE_INVALID' });
    assert.throws(() => t.root(-1), { code: 'TLOG_RANGE_INVALID' });
  });
});

describe('MerkleTree.truncate', () => {
  it('undoes appends exactly: the tree regrows to the same roots', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), fc.integer({ min: 0, max: 300 }), (a, b) => {
        const t = treeOf(a + b);
        const want = t.root();
        t.truncate(a);
        assert.deepEqual(Buffer.from(t.root()), Buffer.from(treeOf(a).root()));
        for (let i = a; i < a + b; i++) t.append(leafHash(Buffer.from(`leaf ${i}`)));
        assert.deepEqual(Buffer.from(t.root()), Buffer.from(want));
      }),
      { numRuns: 50 },
    );
  });
});
