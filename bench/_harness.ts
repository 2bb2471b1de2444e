import { spawnSync } from 'node:child_process';

export interface Measured {
  name: string;
  medianMs: number;
  runs: number[];
  ok: boolean;
  note?: string;
}

/** Run a whole process `runs` times (after one warm-up) and take the median wall time. */
export function timeProcess(
  name: string,
  cmd: string,
  args: string[],
  opts: {
    cwd: string;
    runs: number;
    /** Skip the warm-up run (for peers that take minutes). */
    noWarmup?: boolean;
    /** Give up on a run after this long. */
    timeoutMs?: number;
    env?: NodeJS.ProcessEnv;
    check?: (stdout: string) => string | undefined;
  },
): Measured {
  const times: number[] = [];
  let note: string | undefined;
  let ok = true;
  for (let i = opts.noWarmup ? 1 : 0; i <= opts.runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      encoding: 'utf8',
      maxBuffer: 1 << 30,
      ...(opts.timeoutMs ? { timeout: opts.timeoutMs } : {}),
    });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) {
      ok = false;
      note =
        r.signal === 'SIGTERM' && opts.timeoutMs
          ? `did not finish within ${opts.timeoutMs / 1000} s`
          : (r.stderr || r.stdout || '')
              .split('\n')
              .filter((l) => !l.includes('Unknown') && l.trim() !== '')
              .slice(0, 2)
              .join(' ')
              .slice(0, 200);
      break;
    }
    if (i === 0 || (opts.noWarmup && i === 1)) note = opts.check?.(r.stdout);
    if (i === 0) continue; // warm-up: file cache, npm's own caches
    times.push(ms);
  }
  return { name, medianMs: median(times), runs: times, ok, ...(note ? { note } : {}) };
}

export function median(xs: number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

export function fmtMs(ms: number): string {
  return Number.isNaN(ms)
    ? 'n/a'
    : ms >= 1000
      ? `${(ms / 1000).toFixed(2)} s`
      : `${ms.toFixed(0)} ms`;
}
