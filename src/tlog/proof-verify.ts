import { TlogError } from './errors.js';
import { checkSize, EMPTY_ROOT, HASH_SIZE, isPowerOfTwo, nodeHash } from './hashing.js';
import { isValidSubtree } from './proofs.js';

/**
 * Verifying inclusion and consistency proofs (RFC 9162 §2.1.3.2, §2.1.4.2) and the subtree proofs
 * of C2SP/MTC. Proofs are untrusted input: every failure is a TlogError with the evidence.
 */

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
