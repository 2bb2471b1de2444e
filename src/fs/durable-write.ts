import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Replace `path` with `data` so a reader sees the old or the new file, never a torn one, and a crash
 * after return cannot lose it: write a temp file beside it, fsync, rename, fsync the folder.
 */
export function writeFileAtomic(path: string, data: Uint8Array | string): void {
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true });
  const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dir);
}

/** Append one line and fsync: the append-only history survives a crash right after. */
export function appendLineDurable(path: string, line: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'a', 0o644);
  try {
    writeSync(fd, Buffer.from(`${line}\n`, 'utf8'));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

// A rename is durable only once its folder is synced (POSIX); not all platforms allow it.
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open folders; the rename is as durable as the platform makes it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
