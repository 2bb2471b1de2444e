import { renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { CliIO } from './io.js';

/**
 * Write `text` to `path` atomically (temp file in the same folder, then rename), or to stdout when
 * no path is given. A failed run never leaves a half-written SBOM behind.
 */
export function writeOutput(io: CliIO, text: string, path?: string): void {
  if (path === undefined || path === '-') {
    io.stdout.write(text);
    return;
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/** A progress reporter on stderr when it is a terminal; silent otherwise (CI logs, pipes). */
export function progress(io: CliIO, label: string): (done: number, total: number) => void {
  if (!io.stderr.isTTY) return () => {};
  let last = -1;
  return (done, total) => {
    if (total < 2) return;
    const pct = Math.floor((done / total) * 100);
    if (pct === last) return;
    last = pct;
    const width = 30;
    const filled = Math.round((pct / 100) * width);
    io.stderr.write(
      `\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total}${done === total ? '\n' : ''}`,
    );
  };
}
