import {
  monitorStateExists,
  readMonitorStateText,
  writeMonitorStateText,
} from '../../fs/monitor-state-file.js';
import type { LogFetcher } from '../../tlog/index.js';
import {
  consistencyProof,
  EMPTY_ROOT,
  rootAt,
  TlogError,
  verifyConsistency,
} from '../../tlog/index.js';
import {
  describe,
  equalBytes,
  fetchCheckpoint,
  inconsistency,
  type LogIdentity,
  openSeen,
  type SeenCheckpoint,
  tilesMismatch,
  withFetchedTiles,
} from './follow.js';

/**
 * A monitor's check of a log: each new checkpoint must be consistent with the largest one seen
 * before. Unlike a mirror it keeps no tiles, only the last checkpoint, and fetches just the
 * O(log n) tiles one consistency proof needs.
 */

export interface MonitorCheck {
  /**
   * first: nothing seen before; grown; unchanged; stale: an older checkpoint, proven a prefix of
   * the one remembered; rollback: an older checkpoint while the log no longer serves the tiles of
   * the larger tree it signed, so it cannot show it still holds it (both notes are the evidence).
   */
  kind: 'first' | 'grown' | 'unchanged' | 'stale' | 'rollback';
  /** For a rollback: the remembered checkpoint and the one served now. */
  evidence?: { old: ReturnType<typeof describe>; new: ReturnType<typeof describe> };
  origin: string;
  previousSize: number | undefined;
  size: number;
  rootHash: string;
  /** The checkpoint to remember: the larger of the two (a stale one does not replace it). */
  latest: SeenCheckpoint;
}

export interface MonitorOptions extends LogIdentity {
  fetcher: LogFetcher;
}

/**
 * Fetch the log's checkpoint and check it against `last`.
 * @throws TlogError TLOG_CHECKPOINT_INCONSISTENT (details.old and details.new: both signed notes),
 *   TLOG_TILE_INVALID (the log's tiles do not match its own checkpoint), TLOG_FETCH_*, TLOG_NOTE_*
 */
export async function checkLog(
  o: MonitorOptions,
  last: SeenCheckpoint | undefined,
): Promise<MonitorCheck> {
  const next = await fetchCheckpoint(o.fetcher, o);
  const out = (kind: MonitorCheck['kind'], latest: SeenCheckpoint): MonitorCheck => ({
    kind,
    origin: o.origin,
    previousSize: last?.checkpoint.size,
    size: next.checkpoint.size,
    rootHash: describe(next).rootHash,
    latest,
  });
  if (last === undefined) return out('first', next);
  const [small, large] = next.checkpoint.size >= last.checkpoint.size ? [last, next] : [next, last];
  if (small.checkpoint.size === large.checkpoint.size) {
    if (!equalBytes(small.checkpoint.rootHash, large.checkpoint.rootHash)) {
      throw inconsistency(o.origin, last, next, 'same size, different roots');
    }
    return out('unchanged', last);
  }
  try {
    await proveConsistent(o, small, large, last, next);
  } catch (e) {
    const missing =
      e instanceof TlogError && e.code === 'TLOG_FETCH_FAILED' && e.details?.['status'] === 404;
    if (!missing || next === large) throw e;
    return { ...out('rollback', last), evidence: { old: describe(last), new: describe(next) } };
  }
  return next === large ? out('grown', next) : out('stale', last);
}

// Fetch the tiles of the larger tree that its root and the proof need; check they hash to the
// signed root (else the log's tiles are wrong, which proves nothing about its checkpoints), then
// that the proof joins both signed roots (else the two checkpoints are a split view).
async function proveConsistent(
  o: MonitorOptions,
  small: SeenCheckpoint,
  large: SeenCheckpoint,
  last: SeenCheckpoint,
  next: SeenCheckpoint,
): Promise<void> {
  const s1 = small.checkpoint.size;
  const s2 = large.checkpoint.size;
  const { root, proof } = await withFetchedTiles(o.fetcher, s2, (reader) => ({
    root: rootAt(reader, s2),
    proof: s1 === 0 ? [] : consistencyProof(reader, s1, s2),
  }));
  if (!equalBytes(root, large.checkpoint.rootHash)) throw tilesMismatch(large, root);
  if (s1 === 0) {
    if (!equalBytes(EMPTY_ROOT, small.checkpoint.rootHash)) {
      throw inconsistency(
        o.origin,
        last,
        next,
        'an empty tree with a root that is not the empty hash',
      );
    }
    return;
  }
  try {
    verifyConsistency(s1, s2, proof, small.checkpoint.rootHash, large.checkpoint.rootHash);
  } catch (e) {
    throw inconsistency(o.origin, last, next, 'no consistency proof joins them', e);
  }
}

/** What `custody log monitor --state` keeps: the largest consistent checkpoint seen. */
export interface MonitorStateFile {
  origin: string;
  size: number;
  rootHash: string;
  note: string;
  checkedAt: string;
}

/**
 * The monitor's state, verified again with the log's keys.
 * @throws TlogError TLOG_ARCHIVE_INVALID for a file that is not a state file
 */
export function readMonitorState(path: string, log: LogIdentity): SeenCheckpoint | undefined {
  if (!monitorStateExists(path)) return undefined;
  let parsed: Partial<MonitorStateFile>;
  try {
    parsed = JSON.parse(readMonitorStateText(path)) as Partial<MonitorStateFile>;
  } catch (e) {
    throw new TlogError('TLOG_ARCHIVE_INVALID', `${path} is not a monitor state file`, {
      cause: e,
    });
  }
  if (typeof parsed.note !== 'string') {
    throw new TlogError('TLOG_ARCHIVE_INVALID', `${path} holds no checkpoint note`);
  }
  return openSeen(parsed.note, log);
}

/** Save the state atomically (temp file, fsync, rename). */
export function writeMonitorState(path: string, latest: SeenCheckpoint, now: Date): void {
  const state: MonitorStateFile = {
    origin: latest.checkpoint.origin,
    ...describe(latest),
    checkedAt: now.toISOString(),
  };
  writeMonitorStateText(path, `${JSON.stringify(state, null, 2)}\n`);
}
