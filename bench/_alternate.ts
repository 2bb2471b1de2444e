import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { median } from './_harness.js';

/** One process to time: what runs, where, and a check of its output (a message when wrong). */
export interface ProcessCase {
  name: string;
  cmd: string;
  args: string[];
  cwd: string;
  check?: (stdout: string) => string | undefined;
}

export interface CaseResult {
  name: string;
  medianMs: number;
  runs: number[];
  /** Peak resident set of one more run, in KiB (GNU time's %M); undefined without /usr/bin/time. */
  peakRssKiB: number | undefined;
}

/**
 * Whole-process wall times of several commands, run in turns (A B C A B C …) after one warm-up
 * each, so that a busy moment of the machine lands on all of them alike. A failed run or a failed
 * check throws: a fast wrong answer is not a result.
 */
export function alternate(cases: readonly ProcessCase[], runs: number): CaseResult[] {
  const times = cases.map(() => [] as number[]);
  for (let i = 0; i <= runs; i++) {
    cases.forEach((c, k) => {
      const t0 = process.hrtime.bigint();
      const r = spawnSync(c.cmd, c.args, { cwd: c.cwd, encoding: 'utf8', maxBuffer: 1 << 30 });
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (r.status !== 0) {
        throw new Error(
          `${c.name} exited ${r.status ?? r.signal}: ${(r.stderr ?? '').slice(0, 300)}`,
        );
      }
      if (i === 0) {
        const wrong = c.check?.(r.stdout);
        if (wrong) throw new Error(`${c.name}: ${wrong}`);
        return; // warm-up: file cache
      }
      times[k]?.push(ms);
    });
  }
  return cases.map((c, k) => ({
    name: c.name,
    medianMs: median(times[k] ?? []),
    runs: times[k] ?? [],
    peakRssKiB: peakRssKiB(c),
  }));
}

const GNU_TIME = '/usr/bin/time';

function peakRssKiB(c: ProcessCase): number | undefined {
  if (!existsSync(GNU_TIME)) return undefined;
  const r = spawnSync(GNU_TIME, ['-f', '%M', c.cmd, ...c.args], {
    cwd: c.cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const last = (r.stderr ?? '').trim().split('\n').pop() ?? '';
  return /^\d+$/.test(last) ? Number(last) : undefined;
}

export function fmtRss(kib: number | undefined): string {
  return kib === undefined ? 'n/a' : `${(kib / 1024).toFixed(0)} MiB`;
}
