import {
  appendHistoryLine,
  readLastHistoryLine,
  readMirrorFile,
  writeMirrorFile,
} from '../../fs/tile-directory.js';
import type { LogFetcher } from '../../tlog/index.js';
import {
  consistencyProof,
  decodeEntryBundle,
  encodeBase64,
  entryTilesBetween,
  leafHash,
  newTiles,
  rootAt,
  TileHashReader,
  type TileRef,
  TlogError,
  tilePath,
  verifyConsistency,
} from '../../tlog/index.js';
import {
  describe,
  equalBytes,
  fetchCheckpoint,
  inconsistency,
  type LogIdentity,
  openSeen,
  runPool,
  type SeenCheckpoint,
  tilesMismatch,
  withFetchedTiles,
} from './follow.js';

/**
 * A verified static copy of a tlog-tiles log in a folder laid out as the log serves it
 * (`checkpoint`, `tile/<L>/<N>[.p/<W>]`, `tile/entries/<N>[.p/<W>]`), so the folder can be served
 * as it is, plus `checkpoints.jsonl`: every checkpoint accepted, one JSON line each, append-only.
 */

/** One line of the history (and of an archive): what was seen, when, and the exact signed note. */
export interface HistoryLine {
  seenAt: string;
  size: number;
  rootHash: string;
  note: string;
}

export interface MirrorOptions extends LogIdentity {
  fetcher: LogFetcher;
  dir: string;
  now: () => Date;
  /** Fetches at once. Default 8. */
  concurrency?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface MirrorResult {
  /** grown: new tiles stored; unchanged: same tree; stale: the log served an older, consistent checkpoint. */
  kind: 'grown' | 'unchanged' | 'stale';
  origin: string;
  previousSize: number;
  size: number;
  rootHash: string;
  tiles: number;
  bundles: number;
}

/**
 * Bring the mirror up to the log's current checkpoint: verify its signature, fetch the tiles and
 * entry bundles that are new since the mirror's own checkpoint, check every bundle against its
 * level-0 tile, recompute the root, prove consistency with the mirror's checkpoint, then store the
 * files and, last, the checkpoint (the commit point: a crash before it leaves the old mirror valid).
 * @throws TlogError TLOG_CHECKPOINT_INCONSISTENT (details: both signed checkpoints),
 *   TLOG_TILE_INVALID, TLOG_FETCH_*, TLOG_NOTE_*, TLOG_CHECKPOINT_*
 */
export async function mirrorOnce(o: MirrorOptions): Promise<MirrorResult> {
  const next = await fetchCheckpoint(o.fetcher, o);
  const prev = readMirrorCheckpoint(o.dir, o);
  const prevSize = prev?.checkpoint.size ?? 0;
  const result = (kind: MirrorResult['kind'], tiles = 0, bundles = 0): MirrorResult => ({
    kind,
    origin: o.origin,
    previousSize: prevSize,
    size: next.checkpoint.size,
    rootHash: encodeBase64(next.checkpoint.rootHash),
    tiles,
    bundles,
  });

  if (prev !== undefined && next.checkpoint.size <= prevSize) {
    checkPrefixOfMirror(o, prev, next);
    if (next.note !== prev.note) recordHistory(o, next);
    if (next.checkpoint.size < prevSize) return result('stale');
    // Same tree, maybe more cosignatures: serve the newer note.
    if (next.note !== prev.note) writeMirrorFile(o.dir, 'checkpoint', next.note);
    return result('unchanged');
  }

  const tileRefs = newTiles(prevSize, next.checkpoint.size);
  const bundleRefs = entryTilesBetween(prevSize, next.checkpoint.size);
  const fetched = await fetchAll(o, [...tileRefs, ...bundleRefs]);
  checkBundles(bundleRefs, fetched);

  const reader = new TileHashReader(next.checkpoint.size, (level, index, width) => {
    const path = tilePath({ kind: 'hash', level, index, width });
    return fetched.get(path) ?? readMirrorFile(o.dir, path);
  });
  const root = rootAt(reader, next.checkpoint.size);
  if (!equalBytes(root, next.checkpoint.rootHash)) {
    throw await explainMismatch(o, prev, next, root);
  }
  if (prev !== undefined && prevSize > 0) {
    const proof = consistencyProof(reader, prevSize, next.checkpoint.size);
    try {
      verifyConsistency(prevSize, next.checkpoint.size, proof, prev.checkpoint.rootHash, root);
    } catch (e) {
      throw inconsistency(o.origin, prev, next, 'the new tree does not extend the mirrored one', e);
    }
  }

  for (const [path, body] of fetched) writeMirrorFile(o.dir, path, body);
  recordHistory(o, next);
  writeMirrorFile(o.dir, 'checkpoint', next.note);
  return result('grown', tileRefs.length, bundleRefs.length);
}

/**
 * The mirror's current checkpoint, verified again (a folder is not trusted more than the network).
 * @throws TlogError TLOG_NOTE_*, TLOG_CHECKPOINT_*
 */
export function readMirrorCheckpoint(dir: string, log: LogIdentity): SeenCheckpoint | undefined {
  const bytes = readMirrorFile(dir, 'checkpoint');
  return bytes === undefined ? undefined : openSeen(Buffer.from(bytes).toString('utf8'), log);
}

/** The last line of the history file, or undefined (reads only the file's tail). */
export function lastHistoryLine(dir: string): HistoryLine | undefined {
  const last = readLastHistoryLine(dir);
  return last ? (JSON.parse(last) as HistoryLine) : undefined;
}

// A checkpoint no larger than the mirror's must be a prefix of what the mirror holds; the mirror's
// own tiles (verified when stored) compute its root without asking the log anything.
function checkPrefixOfMirror(o: MirrorOptions, prev: SeenCheckpoint, next: SeenCheckpoint): void {
  const reader = new TileHashReader(prev.checkpoint.size, (level, index, width) =>
    readMirrorFile(o.dir, tilePath({ kind: 'hash', level, index, width })),
  );
  const root = rootAt(reader, next.checkpoint.size);
  if (!equalBytes(root, next.checkpoint.rootHash)) {
    throw inconsistency(
      o.origin,
      prev,
      next,
      next.checkpoint.size === prev.checkpoint.size
        ? 'same size, different roots'
        : 'the smaller tree is not a prefix of the mirrored one',
    );
  }
}

// The mirror's own tiles plus the new ones do not give the new root. Either the log served bad
// tiles, or its tree no longer contains the one mirrored: ask the log for every tile the new root
// needs; if those give the signed root, the log's new tree is real and differs from the mirror's.
async function explainMismatch(
  o: MirrorOptions,
  prev: SeenCheckpoint | undefined,
  next: SeenCheckpoint,
  computed: Uint8Array,
): Promise<TlogError> {
  if (prev === undefined || prev.checkpoint.size === 0) return tilesMismatch(next, computed);
  const fromLog = await withFetchedTiles(o.fetcher, next.checkpoint.size, (reader) =>
    rootAt(reader, next.checkpoint.size),
  );
  return equalBytes(fromLog, next.checkpoint.rootHash)
    ? inconsistency(o.origin, prev, next, 'the new tree does not extend the mirrored one')
    : tilesMismatch(next, computed);
}

async function fetchAll(o: MirrorOptions, refs: TileRef[]): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  let done = 0;
  o.onProgress?.(0, refs.length);
  await runPool(refs, o.concurrency ?? 8, async (ref) => {
    const body =
      ref.kind === 'hash'
        ? await o.fetcher.readTile(ref.level, ref.index, ref.width)
        : await o.fetcher.readEntryBundle(ref.index, ref.width);
    out.set(tilePath(ref), body);
    o.onProgress?.(++done, refs.length);
  });
  return out;
}

// Every entry must hash to its leaf in the level-0 tile (which the root check then covers).
function checkBundles(refs: TileRef[], fetched: Map<string, Uint8Array>): void {
  for (const ref of refs) {
    const bundle = fetched.get(tilePath(ref)) as Uint8Array;
    const tile = fetched.get(
      tilePath({ kind: 'hash', level: 0, index: ref.index, width: ref.width }),
    );
    const entries = decodeEntryBundle(bundle, ref.width);
    entries.forEach((entry, i) => {
      if (tile === undefined || !equalBytes(leafHash(entry), tile.subarray(i * 32, i * 32 + 32))) {
        throw new TlogError(
          'TLOG_TILE_INVALID',
          `entry ${ref.index * 256 + i} does not hash to its leaf in tile 0/${ref.index}`,
          { details: { index: ref.index * 256 + i, bundle: tilePath(ref) } },
        );
      }
    });
  }
}

function recordHistory(o: MirrorOptions, seen: SeenCheckpoint): void {
  const line: HistoryLine = { seenAt: o.now().toISOString(), ...describe(seen) };
  appendHistoryLine(o.dir, JSON.stringify(line));
}
