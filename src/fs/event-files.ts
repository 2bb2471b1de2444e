import { mkdirSync, readdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './durable-write.js';

/** Largest event file the poller reads; bigger ones are moved to failed/. */
export const MAX_EVENT_FILE_BYTES = 1024 * 1024;

/**
 * The event files waiting in `dir`: regular `*.json` files directly in it (not in done/ or
 * failed/, not hidden), oldest name first; `dir` is created when missing. Writers should write elsewhere (or to a hidden name)
 * and rename into `dir`, so the poller never reads half a file.
 */
export function pendingEventFiles(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json') && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort();
}

/** The file's bytes; undefined when it is over the size limit. */
export function readEventFile(dir: string, name: string): Uint8Array | undefined {
  const path = join(dir, name);
  if (statSync(path).size > MAX_EVENT_FILE_BYTES) return undefined;
  return readFileSync(path);
}

/**
 * Move a handled file to `done/` or `failed/` under `dir` (a later file of the same name gets a
 * suffix rather than replacing it); a failed one gets `<name>.error.json` beside it.
 */
export function settleEventFile(
  dir: string,
  name: string,
  outcome: 'done' | 'failed',
  note?: unknown,
): string {
  const to = join(dir, outcome);
  mkdirSync(to, { recursive: true });
  let target = name;
  for (let i = 1; exists(join(to, target)); i++)
    target = `${name.replace(/\.json$/, '')}.${i}.json`;
  renameSync(join(dir, name), join(to, target));
  if (note !== undefined) {
    writeFileAtomic(join(to, `${target}.error.json`), `${JSON.stringify(note, null, 2)}\n`);
  }
  return join(to, target);
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
