import { createHash } from 'node:crypto';
import { TlogError } from './errors.js';

/**
 * The Merkle tree of RFC 6962 §2.1 (RFC 9162 §2.1): leaf and node hashing, tree heads, inclusion
 * and consistency proofs, and the subtree proofs of C2SP/MTC. Sizes and indices are JavaScript
 * numbers, exact up to 2^53, which no log reaches; bit operations are therefore written as
 * arithmetic, since JavaScript's bitwise operators stop at 32 bits.
 */

export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0]);
const NODE_PREFIX = Buffer.from([1]);

/** MTH({}) = SHA-256 of the empty string. */
export const EMPTY_ROOT: Uint8Array = createHash('sha256').digest();

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(entry: Uint8Array): Uint8Array {
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/**
 * Where proofs read stored hashes from. `hashAt(level, index)` is the hash of the complete subtree
 * of leaves [index·2^level, (index+1)·2^level); callers ask only for subtrees inside the tree.
 */
export interface HashReader {
  hashAt(level: number, index: number): Uint8Array;
  /** Optional: MTH(D[start:end]) for an incomplete range, when the reader can cache it. */
  rangeHash?(start: number, end: number): Uint8Array;
}

/** The largest power of two strictly below n (n ≥ 2), RFC 6962's k. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isPowerOfTwo(n: number): boolean {
  return n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}

/** MTH(D[start:end]) for any range that is a subtree of some tree (start aligned to the split). */
function rangeHash(reader: HashReader, start: number, end: number): Uint8Array {
  if (reader.rangeHash !== undefined) return reader.rangeHash(start, end);
  const n = end - start;
  if (n === 0) return EMPTY_ROOT;
  if (isPowerOfTwo(n) && start % n === 0) return reader.hashAt(Math.log2(n), start / n);
  const k = splitPoint(n);
  return nodeHash(rangeHash(reader, start, start + k), rangeHash(reader, start + k, end));
}

function checkSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new TlogError('TLOG_RANGE_INVALID', `${name} must be a non-negative integer, not ${n}.`);
}

/** MTH(D[0:size]), the tree head of the first `size` leaves. */
export function rootAt(reader: HashReader, size: number): Uint8Array {
  checkSize('tree size', size);
  return rangeHash(reader, 0, size);
}

/** PATH(index, D[0:size]) of RFC 6962 §2.1.1, leaf-side first. */
export function inclusionProof(reader: HashReader, index: number, size: number): Uint8Array[] {
  checkSize('leaf index', index);
  checkSize('tree size', size);
  if (index >= size)
    throw new TlogError(
      'TLOG_RANGE_INVALID',
      `Leaf ${index} is not in a tree of ${size} leaves; ask for an index below the tree size.`,
      { details: { index, size } },
    );
  return subtreeInclusionProof(reader, index, 0, size);
}

/** The inclusion path of leaf `index` inside the subtree [start, end). */
export function subtreeInclusionProof(
  reader: HashReader,
  index: number,
  start: number,
  end: number,
): Uint8Array[] {
  const path: Uint8Array[] = [];
  let lo = start;
  let hi = end;
  // Walk down from the root, recording each sibling; the proof lists them leaf-side first.
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      path.push(rangeHash(reader, lo + k, hi));
      hi = lo + k;
    } else {
      path.push(rangeHash(reader, lo, lo + k));
      lo += k;
    }
  }
  return path.reverse();
}

/** PROOF(size1, D[0:size2]) of RFC 6962 §2.1.2. */
export function consistencyProof(reader: HashReader, size1: number, size2: number): Uint8Array[] {
  checkSize('size1', size1);
  checkSize('size2', size2);
  if (size1 > size2)
    throw new TlogError(
      'TLOG_RANGE_INVALID',
      `A tree of ${size1} leaves cannot be a prefix of one of ${size2}; give the older size first.`,
      { details: { size1, size2 } },
    );
  if (size1 === 0 || size1 === size2) return [];
  const proof: Uint8Array[] = [];
  // SUBPROOF(m, D[lo:hi], b), unrolled: siblings are collected root-side first, then reversed.
  let m = size1;
  let lo = 0;
  let hi = size2;
  let complete = true;
  while (true) {
    const n = hi - lo;
    if (m === n) {
      if (!complete) proof.push(rangeHash(reader, lo, hi));
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      proof.push(rangeHash(reader, lo + k, hi));
      hi = lo + k;
    } else {
      proof.push(rangeHash(reader, lo, lo + k));
      lo += k;
      m -= k;
      complete = false;
    }
  }
  return proof.reverse();
}

/** A subtree [start, end) in the sense of C2SP/MTC: start is a multiple of the next power of two ≥ end − start. */
export function isValidSubtree(start: number, end: number): boolean {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start)
    return false;
  if (start === end) return true;
  let p = 1;
  while (p < end - start) p *= 2;
  return start % p === 0;
}

/** SUBTREE_PROOF(start, end, D_size): the subtree's hash is consistent with the tree's root. */
export function subtreeConsistencyProof(
  reader: HashReader,
  start: number,
  end: number,
  size: number,
): Uint8Array[] {
  if (!isValidSubtree(start, end) || end > size || start === end)
    throw new TlogError(
      'TLOG_RANGE_INVALID',
      `[${start}, ${end}) is not a subtree of a tree of ${size}.`,
    );
  const proof: Uint8Array[] = [];
  const walk = (lo: number, hi: number, base: number, n: number, known: boolean): void => {
    // lo/hi are the subtree's bounds relative to base; n the size of the current node's range.
    if (lo === 0 && hi === n) {
      if (!known) proof.push(rangeHash(reader, base, base + n));
      return;
    }
    const k = splitPoint(n);
    if (hi <= k) {
      walk(lo, hi, base, k, known);
      proof.push(rangeHash(reader, base + k, base + n));
    } else if (k <= lo) {
      walk(lo - k, hi - k, base + k, n - k, known);
      proof.push(rangeHash(reader, base, base + k));
    } else {
      walk(0, hi - k, base + k, n - k, false);
      proof.push(rangeHash(reader, base, base + k));
    }
  };
  walk(start, end, 0, size, true);
  return proof;
}

// --- Verification (RFC 9162 §2.1.3.2, §2.1.4.2; MTC for subtrees) --------------------------

const odd = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

function checkHashes(what: string, hashes: readonly Uint8Array[]): void {
  for (const h of hashes)
    if (h.length !== HASH_SIZE)
      throw new TlogError(
        'TLOG_PROOF_INVALID',
        `${what} holds a hash of ${h.length} bytes; every hash must be ${HASH_SIZE} bytes of SHA-256.`,
      );
}

function mismatch(what: string, details: Record<string, unknown>): TlogError {
  return new TlogError(
    'TLOG_PROOF_INVALID',
    `The ${what} does not lead to the root it claims: the proof, the root or the entry was altered, or they belong to different trees.`,
    { details },
  );
}

/** The root that an inclusion proof leads to; throws when the proof cannot be one for (index, size). */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
): Uint8Array {
  checkSize('leaf index', index);
  checkSize('tree size', size);
  if (index >= size)
    throw new TlogError('TLOG_RANGE_INVALID', `Leaf ${index} is not in a tree of ${size} leaves.`, {
      details: { index, size },
    });
  checkHashes('The leaf hash', [leaf]);
  checkHashes('The inclusion proof', proof);
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) throw mismatch('inclusion proof (too long)', { index, size });
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!odd(fn))
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw mismatch('inclusion proof (too short)', { index, size });
  return r;
}

export function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  if (!equal(rootFromInclusionProof(index, size, leaf, proof), root))
    throw mismatch('inclusion proof', { index, size });
}

/** Inclusion of leaf `index` (absolute) in the subtree [start, end) whose hash is `subtreeRoot`. */
export function verifySubtreeInclusion(
  index: number,
  start: number,
  end: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  subtreeRoot: Uint8Array,
): void {
  if (!isValidSubtree(start, end))
    throw new TlogError('TLOG_RANGE_INVALID', `[${start}, ${end}) is not a valid subtree.`);
  if (index < start || index >= end)
    throw new TlogError(
      'TLOG_RANGE_INVALID',
      `Leaf ${index} is outside the subtree [${start}, ${end}).`,
    );
  verifyInclusion(index - start, end - start, leaf, proof, subtreeRoot);
}

export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
): void {
  checkSize('size1', size1);
  checkSize('size2', size2);
  checkHashes('The consistency proof', proof);
  if (size2 < size1)
    throw new TlogError(
      'TLOG_RANGE_INVALID',
      `The new tree (${size2}) is smaller than the old one (${size1}); the log went backwards.`,
      { details: { size1, size2 } },
    );
  if (size1 === 0)
    throw new TlogError(
      'TLOG_RANGE_INVALID',
      'A consistency proof from the empty tree proves nothing; any tree extends it.',
    );
  if (size1 === size2) {
    if (proof.length > 0)
      throw mismatch('consistency proof (not empty for equal sizes)', { size1, size2 });
    if (!equal(root1, root2))
      throw mismatch('consistency proof (equal sizes, different roots)', { size1, size2 });
    return;
  }
  if (proof.length === 0) throw mismatch('consistency proof (empty)', { size1, size2 });
  checkHashes('The old root', [root1]);
  checkHashes('The new root', [root2]);
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr = path[0] as Uint8Array;
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) throw mismatch('consistency proof (too long)', { size1, size2 });
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!odd(fn))
        while (!odd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw mismatch('consistency proof (too short)', { size1, size2 });
  if (!equal(fr, root1)) throw mismatch('consistency proof (old root)', { size1, size2 });
  if (!equal(sr, root2)) throw mismatch('consistency proof (new root)', { size1, size2 });
}

/** The subtree [start, end) with hash `subtreeRoot` sits at those leaves of the tree (size, root). */
export function verifySubtreeConsistency(
  start: number,
  end: number,
  size: number,
  proof: readonly Uint8Array[],
  subtreeRoot: Uint8Array,
  root: Uint8Array,
): void {
  checkHashes('The subtree consistency proof', proof);
  if (isValidSubtree(start, end) && start === end && end <= size) {
    // The empty subtree is part of every tree; it has no proof and the empty hash.
    if (proof.length > 0)
      throw mismatch('subtree consistency proof (not empty for an empty subtree)', {
        start,
        end,
        size,
      });
    if (!equal(subtreeRoot, EMPTY_ROOT))
      throw mismatch('subtree consistency proof (empty subtree hash)', { start, end, size });
    return;
  }
  if (!isValidSubtree(start, end) || start === end || end > size)
    throw new TlogError(
      'TLOG_RANGE_INVALID',
      `[${start}, ${end}) is not a subtree of a tree of ${size}.`,
    );
  let fn = start;
  let sn = end - 1;
  let tn = size - 1;
  const up = (): void => {
    fn = half(fn);
    sn = half(sn);
    tn = half(tn);
  };
  if (sn === tn) while (fn !== sn) up();
  else while (fn !== sn && odd(sn)) up();
  let fr: Uint8Array;
  let sr: Uint8Array;
  let rest: readonly Uint8Array[];
  if (fn === sn) {
    fr = subtreeRoot;
    sr = subtreeRoot;
    rest = proof;
  } else {
    if (proof.length === 0)
      throw mismatch('subtree consistency proof (empty)', { start, end, size });
    fr = proof[0] as Uint8Array;
    sr = fr;
    rest = proof.slice(1);
  }
  for (const c of rest) {
    if (tn === 0) throw mismatch('subtree consistency proof (too long)', { start, end, size });
    if (odd(sn) || sn === tn) {
      if (fn < sn) fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(sn)) up();
    } else {
      sr = nodeHash(sr, c);
    }
    up();
  }
  if (tn !== 0) throw mismatch('subtree consistency proof (too short)', { start, end, size });
  if (!equal(fr, subtreeRoot))
    throw mismatch('subtree consistency proof (subtree hash)', { start, end, size });
  if (!equal(sr, root)) throw mismatch('subtree consistency proof (root)', { start, end, size });
}

// --- An in-memory tree ------------------------------------------------------------------------

const INITIAL_CAPACITY = 1024;

/**
 * An append-only tree that keeps the hash of every complete subtree, level by level, in flat
 * buffers (32 bytes per node, about 64 bytes per leaf in all). Proofs then cost only reads plus
 * the few hashes of the incomplete right border, which are memoised: a range's hash never changes
 * in an append-only tree, so the memo needs no invalidation.
 */
export class MerkleTree implements HashReader {
  private readonly levels: Buffer[] = [];
  private readonly counts: number[] = [];
  private readonly memo = new Map<string, Uint8Array>();

  get size(): number {
    return this.counts[0] ?? 0;
  }

  /** Append one leaf hash; returns its index. */
  append(leaf: Uint8Array): number {
    if (leaf.length !== HASH_SIZE)
      throw new TlogError(
        'TLOG_PROOF_INVALID',
        `A leaf hash has ${HASH_SIZE} bytes, not ${leaf.length}.`,
      );
    const index = this.size;
    let h = leaf;
    let level = 0;
    while (true) {
      const i = this.push(level, h);
      if (i % 2 === 0) break;
      h = nodeHash(this.hashAt(level, i - 1), h);
      level += 1;
    }
    return index;
  }

  /**
   * Forget every leaf from `size` on: the sequencer's undo when a batch it already added here
   * fails to commit. Range hashes that reached past `size` are dropped from the memo.
   */
  truncate(size: number): void {
    this.checkWithin(size);
    for (let level = 0; level < this.counts.length; level++)
      this.counts[level] = Math.floor(size / 2 ** level);
    this.memo.clear();
  }

  private push(level: number, h: Uint8Array): number {
    let buf = this.levels[level];
    const count = this.counts[level] ?? 0;
    if (buf === undefined || (count + 1) * HASH_SIZE > buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(INITIAL_CAPACITY, count * 2) * HASH_SIZE);
      if (buf !== undefined) buf.copy(grown, 0, 0, count * HASH_SIZE);
      buf = grown;
      this.levels[level] = buf;
    }
    buf.set(h, count * HASH_SIZE);
    this.counts[level] = count + 1;
    return count;
  }

  hashAt(level: number, index: number): Uint8Array {
    const count = this.counts[level] ?? 0;
    if (!(index >= 0 && index < count))
      throw new TlogError(
        'TLOG_RANGE_INVALID',
        `No complete subtree at level ${level}, index ${index} in a tree of ${this.size}.`,
      );
    const buf = this.levels[level] as Buffer;
    return buf.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);
  }

  root(size = this.size): Uint8Array {
    this.checkWithin(size);
    return this.memoRange(0, size);
  }

  private memoRange(start: number, end: number): Uint8Array {
    const n = end - start;
    if (n === 0) return EMPTY_ROOT;
    if (isPowerOfTwo(n) && start % n === 0) return this.hashAt(Math.log2(n), start / n);
    const key = `${start}:${end}`;
    let h = this.memo.get(key);
    if (h === undefined) {
      const k = splitPoint(n);
      h = nodeHash(this.memoRange(start, start + k), this.memoRange(start + k, end));
      if (this.memo.size >= 65536) this.memo.clear();
      this.memo.set(key, h);
    }
    return h;
  }

  private checkWithin(size: number): void {
    checkSize('tree size', size);
    if (size > this.size)
      throw new TlogError(
        'TLOG_RANGE_INVALID',
        `The tree has ${this.size} leaves; there is no tree of ${size} yet.`,
        { details: { size, current: this.size } },
      );
  }

  inclusionProof(index: number, size = this.size): Uint8Array[] {
    this.checkWithin(size);
    return inclusionProof(this, index, size);
  }

  consistencyProof(size1: number, size2 = this.size): Uint8Array[] {
    this.checkWithin(size2);
    return consistencyProof(this, size1, size2);
  }

  /** MTH(D[start:end]), memoised; proofs built over this tree read border hashes through it. */
  rangeHash(start: number, end: number): Uint8Array {
    this.checkWithin(end);
    return this.memoRange(start, end);
  }
}
