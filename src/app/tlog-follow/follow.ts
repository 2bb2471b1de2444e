import type { LogFetcher } from '../../tlog/index.js';
import {
  type Checkpoint,
  encodeBase64,
  type HashReader,
  type NoteVerifier,
  openCheckpoint,
  TileHashReader,
  TlogError,
} from '../../tlog/index.js';

/** A checkpoint whose signature verified, with the exact note it came in. */
export interface SeenCheckpoint {
  checkpoint: Checkpoint;
  note: string;
}

/** The log a follower trusts: its origin line and its keys. */
export interface LogIdentity {
  origin: string;
  verifiers: readonly NoteVerifier[];
}

/**
 * Fetch the log's checkpoint and verify it.
 * @throws TlogError TLOG_FETCH_*, TLOG_NOTE_*, TLOG_CHECKPOINT_MALFORMED, TLOG_CHECKPOINT_ORIGIN_MISMATCH
 */
export async function fetchCheckpoint(
  fetcher: LogFetcher,
  log: LogIdentity,
): Promise<SeenCheckpoint> {
  return openSeen(decodeNote(await fetcher.readCheckpoint()), log);
}

/** Verify a note already at hand (a stored checkpoint, an archive line). */
export function openSeen(note: string, log: LogIdentity): SeenCheckpoint {
  return { checkpoint: openCheckpoint(note, log.origin, log.verifiers).checkpoint, note };
}

/** Notes are UTF-8; an invalid sequence is a malformed note, not a replacement character. */
export function decodeNote(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new TlogError('TLOG_NOTE_MALFORMED', 'the checkpoint is not valid UTF-8', { cause: e });
  }
}

/**
 * The evidence of a split view: two checkpoints, both signed by the log, that no consistency proof
 * can join. Both notes go in `details` so whoever catches it can publish them.
 */
export function inconsistency(
  origin: string,
  a: SeenCheckpoint,
  b: SeenCheckpoint,
  why: string,
  cause?: unknown,
): TlogError {
  return new TlogError(
    'TLOG_CHECKPOINT_INCONSISTENT',
    `the log ${origin} signed two inconsistent checkpoints (sizes ${a.checkpoint.size} and ${b.checkpoint.size}): ${why}`,
    {
      ...(cause === undefined ? {} : { cause }),
      details: { origin, old: describe(a), new: describe(b) },
    },
  );
}

/** A checkpoint as JSON evidence and history lines carry it. */
export function describe(s: SeenCheckpoint): { size: number; rootHash: string; note: string } {
  return { size: s.checkpoint.size, rootHash: encodeBase64(s.checkpoint.rootHash), note: s.note };
}

/** The log's tiles do not hash to the root its own checkpoint signs: broken, or lying. */
export function tilesMismatch(seen: SeenCheckpoint, computed: Uint8Array): TlogError {
  return new TlogError(
    'TLOG_TILE_INVALID',
    `the log's tiles do not hash to the root of its checkpoint of size ${seen.checkpoint.size}`,
    {
      details: {
        size: seen.checkpoint.size,
        expected: encodeBase64(seen.checkpoint.rootHash),
        computed: encodeBase64(computed),
      },
    },
  );
}

/**
 * Run `compute` over the tiles of a tree of `size`, fetching only the tiles it reads. Which tiles
 * a root or proof reads depends on the sizes alone, not on hash values, so a first run over
 * placeholder tiles finds them; the second run uses the fetched ones.
 */
export async function withFetchedTiles<T>(
  fetcher: LogFetcher,
  size: number,
  compute: (reader: HashReader) => T,
  concurrency = 8,
): Promise<T> {
  const wanted = new Map<string, [number, number, number]>();
  compute(
    new TileHashReader(size, (level, index, width) => {
      wanted.set(`${level}/${index}`, [level, index, width]);
      return new Uint8Array(width * 32);
    }),
  );
  const bodies = new Map<string, Uint8Array>();
  await runPool([...wanted], concurrency, async ([key, [level, index, width]]) => {
    bodies.set(key, await fetcher.readTile(level, index, width));
  });
  return compute(new TileHashReader(size, (level, index) => bodies.get(`${level}/${index}`)));
}

/** Run `task` on every item with at most `limit` at once; the first failure wins. */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** A checkpoint as split-view evidence carries it. */
export interface CheckpointEvidence {
  size: number;
  rootHash: string;
  note: string;
}

/** The evidence of a split view when `e` is one (TLOG_CHECKPOINT_INCONSISTENT), else undefined. */
export function splitViewOf(e: unknown):
  | {
      origin: string | undefined;
      old: CheckpointEvidence;
      new: CheckpointEvidence;
      message: string;
    }
  | undefined {
  if (!(e instanceof TlogError) || e.code !== 'TLOG_CHECKPOINT_INCONSISTENT') return undefined;
  const d = e.details as { origin?: string; old: CheckpointEvidence; new: CheckpointEvidence };
  return { origin: d.origin, old: d.old, new: d.new, message: e.message };
}
