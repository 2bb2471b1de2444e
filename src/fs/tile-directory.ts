import { closeSync, existsSync, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { appendLineDurable, writeFileAtomic } from './durable-write.js';

/**
 * A log mirror's folder, laid out as the log serves it (`checkpoint`, `tile/<L>/<N>[.p/<W>]`,
 * `tile/entries/<N>[.p/<W>]`) plus its append-only `checkpoints.jsonl` history. Paths are the
 * tiles' relative paths; nothing here checks contents (the mirror verifies what it reads).
 */

/** The mirror's history file, next to the tiles. */
export const HISTORY_FILE = 'checkpoints.jsonl';

/** The history file's path in `dir`. */
export function historyPath(dir: string): string {
  return join(dir, HISTORY_FILE);
}

/** A file of the mirror by its relative path, or undefined when it is not there. */
export function readMirrorFile(dir: string, path: string): Uint8Array | undefined {
  try {
    return new Uint8Array(readFileSync(join(dir, path)));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

/** Replace a file of the mirror atomically (readers see the old or the new one, never a torn one). */
export function writeMirrorFile(dir: string, path: string, data: Uint8Array | string): void {
  writeFileAtomic(join(dir, path), data);
}

/** Append one line to the history, durably. */
export function appendHistoryLine(dir: string, line: string): void {
  appendLineDurable(historyPath(dir), line);
}

/** The whole history, or undefined when the folder has none. */
export function readHistoryText(dir: string): string | undefined {
  const path = historyPath(dir);
  if (!existsSync(path)) return undefined;
  return readFileSync(path, 'utf8');
}

/** The history's last line ('' when empty), reading only the file's tail; undefined without one. */
export function readLastHistoryLine(dir: string): string | undefined {
  const path = historyPath(dir);
  if (!existsSync(path)) return undefined;
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const length = Math.min(size, 1 << 20);
    const buf = Buffer.alloc(length);
    readSync(fd, buf, 0, length, size - length);
    const lines = buf.toString('utf8').trimEnd().split('\n');
    return lines[lines.length - 1];
  } finally {
    closeSync(fd);
  }
}
