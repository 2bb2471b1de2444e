import { TlogError } from './errors.js';
import { checkSize, EMPTY_ROOT, HASH_SIZE, isPowerOfTwo, nodeHash, splitPoint } from './hashing.js';
import { consistencyProof, type HashReader, inclusionProof } from './proofs.js';

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
