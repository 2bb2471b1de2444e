import {
  close as closeFd,
  constants,
  fdatasync as fdatasyncFd,
  fsync as fsyncFd,
  open as openFd,
} from 'node:fs';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import type SqliteDatabase from 'better-sqlite3';

/**
 * Commits on SQLite whose fsync does not stop the event loop. With `synchronous = FULL` SQLite
 * fsyncs the WAL inside COMMIT, on the thread that runs it: the main thread, where HTTP parsing
 * and everything else waits for the whole fsync. Instead a commit runs under
 * `synchronous = NORMAL` (the WAL written, not synced; the connection's setting is put back
 * before anyone else may use it) and then the WAL is fdatasynced on libuv's thread pool (and its
 * directory, whenever the WAL file is new). The caller acknowledges what it wrote only after
 * that sync, so an acknowledged write is on disk, as under FULL.
 *
 * The WAL holds commits in order and SQLite recovers it up to the last whole commit, so a crash
 * before a sync loses at most the commits not yet synced, never one acknowledged before them; a
 * sync started after a commit covers every commit before it. Other readers of the database file
 * may see such a commit for the length of the sync. Checkpointing the WAL into the database
 * file syncs both files under NORMAL too.
 */
export class WalSync {
  /**
   * The WAL, open from the first sync on. SQLite deletes the WAL only when the database's last
   * connection closes, and this process holds two until it stops: the file stays the same.
   */
  private walFd: number | undefined;
  private readonly walPath: string;
  private readonly syncWal: (walPath: string) => Promise<void>;

  /** Only in WAL mode (a file database): there one sync of one file makes every commit durable. */
  static of(
    sqlite: SqliteDatabase.Database,
    syncWal?: (walPath: string) => Promise<void>,
  ): WalSync | undefined {
    return sqlite.pragma('journal_mode', { simple: true }) === 'wal'
      ? new WalSync(sqlite, syncWal)
      : undefined;
  }

  private constructor(
    private readonly sqlite: SqliteDatabase.Database,
    syncWal: ((walPath: string) => Promise<void>) | undefined,
  ) {
    this.walPath = `${sqlite.name}-wal`;
    this.syncWal = syncWal ?? ((p) => this.fdatasync(p));
  }

  /**
   * Run `commit` (which issues COMMIT on this connection) without syncing the WAL. The caller
   * must hold the connection throughout, so that no other transaction commits under NORMAL.
   */
  async unsynced<T>(commit: () => Promise<T>): Promise<T> {
    const setting = this.sqlite.pragma('synchronous', { simple: true }) as number;
    this.sqlite.pragma('synchronous = NORMAL');
    try {
      return await commit();
    } finally {
      this.sqlite.pragma(`synchronous = ${setting}`);
    }
  }

  /** Make every commit so far durable. */
  sync(): Promise<void> {
    return this.syncWal(this.walPath);
  }

  async close(): Promise<void> {
    const fd = this.walFd;
    this.walFd = undefined;
    if (fd !== undefined) await promisify(closeFd)(fd);
  }

  private async fdatasync(walPath: string): Promise<void> {
    if (this.walFd === undefined) {
      const fd = await promisify(openFd)(walPath, constants.O_RDONLY);
      // The WAL may be new (SQLite creates it at the first write after a clean start, and syncs
      // its directory only when it syncs the WAL itself): make its name durable too.
      const dir = await promisify(openFd)(dirname(walPath), constants.O_RDONLY);
      try {
        await promisify(fsyncFd)(dir);
      } finally {
        await promisify(closeFd)(dir);
      }
      // Two syncs may have raced to open it: keep one descriptor.
      if (this.walFd === undefined) this.walFd = fd;
      else await promisify(closeFd)(fd);
    }
    // The callback API: a promise FileHandle costs the event loop twice as much per call.
    await promisify(fdatasyncFd)(this.walFd);
  }
}
