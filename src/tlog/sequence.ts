import { signCheckpoint } from './checkpoint.js';
import type { NoteSigner } from './note-keys.js';
import type {
  EntryPosition,
  StoredCheckpoint,
  StoredEntry,
  TlogBatchWriter,
  TlogEntryStore,
  TlogReader,
} from './ports.js';
import type { MerkleTree } from './tree.js';

/**
 * The sequencer's one step, as Tessera's Integrate: given a batch of checked entries, the
 * in-memory tree and the store (as a port), give each entry an index, sign the new tree head and
 * commit entries, head and checkpoint in one transaction. All I/O goes through the port.
 */

/** What the sequencer needs of an entry that has been checked. */
export interface SequencedEntryInput {
  kind: string;
  /** The leaf data: what the tree hashes (H(0x00 || body)) and the entry bundle carries. */
  body: Uint8Array;
  leafHash: Uint8Array;
  /** `sha256:…` of what the entry is about. */
  subject: string;
  /**
   * Leaf hashes of other bodies that log the same signature (an ECDSA signature's twin): when one
   * of them is stored, or earlier in the batch, the entry is a duplicate of that one.
   */
  aliases?: readonly Uint8Array[];
}

/** Where one entry of the batch ended up. */
export interface IntegratedEntry extends EntryPosition {
  /** True when the leaf was in the log before, or earlier in the same batch. */
  duplicate: boolean;
}

export interface IntegrateResult {
  /** One per entry of the batch, in the batch's order (undefined: a bug lost it). */
  entries: (IntegratedEntry | undefined)[];
  /** The checkpoint signed for this batch; undefined when every entry was already in the log. */
  checkpoint: StoredCheckpoint | undefined;
}

export interface IntegrateOptions {
  origin: string;
  signer: NoteSigner;
  /** The batch's time: its entries' integrated time and its checkpoint's. */
  now: Date;
}

// A view, not a copy: the sequencer spells every leaf hash of a batch several times.
const hex = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/**
 * Integrate `batch` into `tree` and the store. The same leaf twice (or a leaf and one of its
 * aliases) answers its first index and time. Inside the transaction the state row is locked and the tree first catches up with what
 * other sequencers (replicas) committed. If the transaction fails, the tree is put back as it
 * was and the error is thrown: nothing of the batch is stored or served.
 */
export async function integrateBatch(
  store: Pick<TlogEntryStore, 'inBatch'>,
  tree: MerkleTree,
  batch: readonly SequencedEntryInput[],
  o: IntegrateOptions,
): Promise<IntegrateResult> {
  const integratedTime = Math.floor(o.now.getTime() / 1000);
  const fresh = firstOfEachIdentity(batch);
  let base = tree.size;
  let existing = new Map<string, EntryPosition>();
  const rows: StoredEntry[] = [];
  let checkpoint: StoredCheckpoint | undefined;
  try {
    await store.inBatch(async (w: TlogBatchWriter) => {
      const state = await w.lockState();
      if (state === undefined) throw new Error('the transparency log state is missing');
      if (state.size < tree.size) tree.truncate(state.size);
      await catchUp(tree, w, state.size);
      base = tree.size;
      existing = await w.findLeafHashes(fresh.flatMap((e) => [e.leafHash, ...(e.aliases ?? [])]));
      for (const e of fresh) {
        if (storedAs(e, existing) !== undefined) continue;
        const idx = tree.append(e.leafHash);
        rows.push({
          idx,
          leafHash: e.leafHash,
          kind: e.kind,
          body: e.body,
          integratedTime,
          subject: e.subject,
        });
      }
      if (rows.length === 0) return;
      const size = tree.size;
      const rootHash = tree.root();
      const note = signCheckpoint({ origin: o.origin, size, rootHash, extensions: [] }, [o.signer]);
      checkpoint = { size, rootHash, note, cosignatures: '', createdAt: o.now.toISOString() };
      await w.commitBatch(rows, checkpoint);
    });
  } catch (e) {
    tree.truncate(base);
    throw e;
  }
  return { entries: positions(batch, existing, rows, integratedTime), checkpoint };
}

/**
 * Append to `tree` the stored leaves up to `size`.
 * @throws Error when fewer are stored than the state says: the database is damaged
 */
export async function catchUp(
  tree: MerkleTree,
  source: Pick<TlogReader, 'leafHashesFrom'>,
  size: number,
): Promise<void> {
  if (size <= tree.size) return;
  for await (const page of source.leafHashesFrom(tree.size)) {
    for (const h of page) {
      if (tree.size >= size) return;
      tree.append(h);
    }
  }
  if (tree.size < size)
    throw new Error(`The log's state says ${size} entries, but only ${tree.size} are stored.`);
}

/** Fail loudly if the stored entries do not produce the stored checkpoint: damage, not input. */
export function assertTreeMatches(
  tree: MerkleTree,
  cp: Pick<StoredCheckpoint, 'size' | 'rootHash'>,
): void {
  const root = tree.root(cp.size);
  if (Buffer.compare(root, cp.rootHash) !== 0)
    throw new Error(
      `The log's entries do not produce its checkpoint at size ${cp.size}: the database is damaged. Restore it from a backup; do not sign anything with it.`,
    );
}

// The leaf hashes under which an entry may be stored: its own, then its aliases'. Asked for
// several times per entry and batch, so kept with the entry object.
const spelled = new WeakMap<SequencedEntryInput, string[]>();
function spellings(e: SequencedEntryInput): string[] {
  let s = spelled.get(e);
  if (s === undefined) {
    s = [hex(e.leafHash), ...(e.aliases ?? []).map(hex)];
    spelled.set(e, s);
  }
  return s;
}

// One key for an entry and its aliases alike (the twin's alias is the entry's own leaf hash, so
// both name the same set): the smallest of them.
function identity(e: SequencedEntryInput): string {
  return spellings(e).reduce((a, b) => (b < a ? b : a));
}

// The stored position of an entry under any of its spellings.
function storedAs(
  e: SequencedEntryInput,
  existing: ReadonlyMap<string, EntryPosition>,
): EntryPosition | undefined {
  for (const k of spellings(e)) {
    const at = existing.get(k);
    if (at !== undefined) return at;
  }
  return undefined;
}

// A batch may hold the same entry twice; only its first occurrence is sequenced.
function firstOfEachIdentity(batch: readonly SequencedEntryInput[]): SequencedEntryInput[] {
  const seen = new Set<string>();
  const fresh: SequencedEntryInput[] = [];
  for (const e of batch) {
    const k = identity(e);
    if (!seen.has(k)) {
      seen.add(k);
      fresh.push(e);
    }
  }
  return fresh;
}

// Each entry's answer: the index it got now, or the one it had; only the first occurrence of an
// entry sequenced now is not a duplicate.
function positions(
  batch: readonly SequencedEntryInput[],
  existing: ReadonlyMap<string, EntryPosition>,
  rows: readonly StoredEntry[],
  integratedTime: number,
): (IntegratedEntry | undefined)[] {
  const created = new Set(rows.map((r) => hex(r.leafHash)));
  const byIdentity = new Map<string, EntryPosition & { created: boolean }>();
  for (const e of batch) {
    if (byIdentity.has(identity(e))) continue;
    const stored = storedAs(e, existing);
    if (stored !== undefined) byIdentity.set(identity(e), { ...stored, created: false });
  }
  const rowByLeaf = new Map(rows.map((r) => [hex(r.leafHash), r.idx]));
  for (const e of batch) {
    const idx = rowByLeaf.get(hex(e.leafHash));
    if (idx !== undefined && created.has(hex(e.leafHash)) && !byIdentity.has(identity(e)))
      byIdentity.set(identity(e), { idx, integratedTime, created: true });
  }
  const answered = new Set<string>();
  return batch.map((e) => {
    const k = identity(e);
    const at = byIdentity.get(k);
    if (at === undefined) return undefined;
    const duplicate = !at.created || answered.has(k);
    answered.add(k);
    return { idx: at.idx, integratedTime: at.integratedTime, duplicate };
  });
}
