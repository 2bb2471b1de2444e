import { createHash } from 'node:crypto';
import { TlogError } from './errors.js';

/**
 * The hashes of RFC 6962 §2.1 (RFC 9162 §2.1) and the index arithmetic the proofs and the tree
 * share. Sizes and indices are JavaScript numbers, exact up to 2^53, which no log reaches; bit
 * operations are therefore written as arithmetic, since JavaScript's bitwise operators stop at
 * 32 bits.
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

/** The largest power of two strictly below n (n ≥ 2), RFC 6962's k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export function isPowerOfTwo(n: number): boolean {
  return n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}

export function checkSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0)
    throw new TlogError('TLOG_RANGE_INVALID', `${name} must be a non-negative integer, not ${n}.`);
}
