import { TlogError } from './errors.js';
import { checkSize, EMPTY_ROOT, isPowerOfTwo, nodeHash, splitPoint } from './hashing.js';

/**
 * Building proofs over stored hashes: tree heads, inclusion and consistency proofs of RFC 6962
 * §2.1.1–2.1.2, and the subtree proofs of C2SP/MTC. Their verification is proof-verify.ts.
 */

/**
 * Where proofs read stored hashes from. `hashAt(level, index)` is the hash of the complete subtree
 * of leaves [index·2^level, (index+1)·2^level); callers ask only for subtrees inside the tree.
 */
export interface HashReader {
  hashAt(level: number, index: number): Uint8Array;
  /** Optional: MTH(D[start:end]) for an incomplete range, when the reader can cache it. */
  rangeHash?(start: number, end: number): Uint8Array;
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
