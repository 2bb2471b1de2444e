import { existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './durable-write.js';

/** The file `custody log monitor --state` keeps between runs (its contents are checked by app/). */

export function monitorStateExists(path: string): boolean {
  return existsSync(path);
}

export function readMonitorStateText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Replace the file atomically (temp file, fsync, rename). */
export function writeMonitorStateText(path: string, text: string): void {
  writeFileAtomic(path, text);
}
