/**
 * npm run bench -- tlog [--seconds N] [--connections N] [--runs N] [--db sqlite|postgres]
 *                        [--check-workers N] [--json]
 *
 * The transparency log's speed, each figure beside the physical limit of this machine:
 * - appends: sustained acknowledged entries/s from 64 concurrent HTTP clients on loopback
 *   against `custody serve` (a child process), with p50/p99 acknowledgement latency. Every entry
 *   is a distinct ECDSA P-256 hashedrekord that the log must verify before accepting;
 * - proofs: inclusion proofs generated in-process over a tree of 1,000,000 entries;
 * - the limits: raw SHA-256 node hashes/s and ECDSA P-256 verifications/s on one core.
 * No Rekor runs here to compare with, so each figure is printed as a ratio to its limit.
 *
 * Appends run --runs times (a fresh server and database each) and the median run is reported.
 * Beside the rates each run prints the CPU time the server and the load generator spent per
 * acknowledged append (from /proc, all threads): on a shared machine the rate moves with the
 * neighbours, the CPU time per append much less, so compare builds by that.
 */
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { leafHash, MerkleTree, nodeHash, verifyInclusion } from '../src/tlog/index.js';
import { serve } from '../test/helpers/tlog-crash.js';
import { freshPgSchema } from './_pg-schema.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const seconds = Number(flag('seconds', '15'));
const runs = Math.max(1, Number(flag('runs', '3')));
const connections = Number(flag('connections', '64'));
const dbKind = flag('db', 'sqlite');
// A variant, not the headline: the default service checks entries on its main thread.
const checkWorkers = flag('check-workers', '0');
const asJson = args.includes('--json');
const log = (s: string) => {
  if (!asJson) process.stderr.write(`${s}\n`);
};

function rate(n: number, ms: number): number {
  return (n * 1000) / ms;
}

/** SHA-256 of RFC 6962 interior nodes (65 bytes), one core. */
function sha256Limit(): number {
  const a = createHash('sha256').update('a').digest();
  const b = createHash('sha256').update('b').digest();
  let h: Uint8Array = a;
  const n = 400_000;
  const t = performance.now();
  for (let i = 0; i < n; i++) h = nodeHash(h, b);
  return rate(n, performance.now() - t);
}

function ecdsaVerifyLimit(): number {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.from('artifact');
  const sig = sign('sha256', data, privateKey);
  const n = 20_000;
  const t = performance.now();
  for (let i = 0; i < n; i++) verify('sha256', data, publicKey, sig);
  return rate(n, performance.now() - t);
}

function proofRate(): { build: number; proofs: number; verify: number; size: number } {
  const size = 1_000_000;
  const tree = new MerkleTree();
  const t0 = performance.now();
  const leaves: Uint8Array[] = [];
  for (let i = 0; i < size; i++) {
    const l = leafHash(Buffer.from(`entry ${i}`));
    if (i % 1000 === 0) leaves.push(l);
    tree.append(l);
  }
  const build = rate(size, performance.now() - t0);
  const n = 200_000;
  let x = 12345;
  const t1 = performance.now();
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    tree.inclusionProof(x % size, size);
  }
  const proofs = rate(n, performance.now() - t1);
  const root = tree.root();
  const m = 20_000;
  const t2 = performance.now();
  for (let i = 0; i < m; i++) {
    const idx = (i % leaves.length) * 1000;
    verifyInclusion(
      idx,
      size,
      leaves[i % leaves.length] as Uint8Array,
      tree.inclusionProof(idx, size),
      root,
    );
  }
  const verifyRate = rate(m, performance.now() - t2);
  return { build, proofs, verify: verifyRate, size };
}

/** Distinct signed hashedrekord entries, made before the clock starts. */
function entries(n: number): string[] {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const out: string[] = [];
  const run = `${process.pid}-${Date.now()}`;
  for (let i = 0; i < n; i++) {
    const artifact = `bench ${run} ${i}`;
    out.push(
      JSON.stringify({
        kind: 'hashedrekord',
        digest: `sha256:${createHash('sha256').update(artifact).digest('hex')}`,
        signature: sign('sha256', Buffer.from(artifact), privateKey).toString('base64'),
        publicKey: pem,
      }),
    );
  }
  return out;
}

interface AppendFigures {
  acknowledged: number;
  perS: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
  errorKinds: string;
  /** CPU time (user + system, all threads) of the server per acknowledged append. */
  serverCpuUsPerAppend: number;
  /** Of which in the kernel (system time: loopback TCP, fsync). */
  serverSysUsPerAppend: number;
  /** The same for this process, the load generator. */
  loadCpuUsPerAppend: number;
  loadSysUsPerAppend: number;
  /** Peak resident set of the server (VmHWM). */
  serverPeakRssMiB: number;
}

const CLOCK_TICKS_PER_S = 100;

/** utime and stime of a process, all its threads, in microseconds (/proc/<pid>/stat). */
function processCpuUs(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces) start at state (field 3).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const us = (ticks: string | undefined) => (Number(ticks) * 1e6) / CLOCK_TICKS_PER_S;
  return { user: us(fields[11]), system: us(fields[12]) };
}

function peakRssMiB(pid: number): number {
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return kb / 1024;
}

async function appends(bodies: string[], perConnection: number): Promise<AppendFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'custody-bench-tlog-'));
  const env: Record<string, string> = {
    CUSTODY_LOG_LEVEL: 'error',
    CUSTODY_TLOG_CHECK_WORKERS: checkWorkers,
  };
  // CUSTODY_BENCH_PROFILE=<dir>: a CPU profile of the server, written when it stops.
  const profile = process.env['CUSTODY_BENCH_PROFILE'];
  const nodeArgs = profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : [];
  if (dbKind === 'postgres') {
    env['CUSTODY_DATABASE_URL'] = await freshPgSchema(`bench_tlog_${process.pid}`);
  }
  const s = await serve(dataDir, env, nodeArgs);
  const pid = s.child.pid as number;
  try {
    const serverCpu0 = processCpuUs(pid);
    const loadCpu0 = process.cpuUsage();
    const times: number[] = [];
    let acknowledged = 0;
    let next = 0;
    const kinds = new Map<string, number>();
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const inst = autocannon(
        {
          url: s.url,
          connections,
          duration: seconds,
          setupClient: (client) => {
            const start = next++ * perConnection;
            client.setRequests(
              bodies.slice(start, start + perConnection).map((body) => ({
                method: 'POST',
                path: '/api/v1/tlog/entries',
                headers: { 'content-type': 'application/json' },
                body,
              })),
            );
          },
          requests: [{ method: 'GET', path: '/tlog/checkpoint' }],
        },
        (err, r) => (err ? reject(err) : resolve(r)),
      );
      inst.on('response', (_c, status, _b, ms) => {
        if (status === 201) {
          acknowledged += 1;
          times.push(ms);
        } else kinds.set(String(status), (kinds.get(String(status)) ?? 0) + 1);
      });
    });
    const serverCpu1 = processCpuUs(pid);
    const serverSys = serverCpu1.system - serverCpu0.system;
    const serverCpu = serverCpu1.user - serverCpu0.user + serverSys;
    const loadCpu = process.cpuUsage(loadCpu0);
    const sorted = Float64Array.from(times).sort();
    const pct = (p: number) =>
      sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
    // The log must hold exactly what it acknowledged.
    const info = (await (await fetch(`${s.url}/api/v1/tlog`)).json()) as { size: number };
    if (info.size !== acknowledged)
      log(`note: log size ${info.size}, acknowledged ${acknowledged}`);
    return {
      acknowledged,
      perS: acknowledged / (result.duration || seconds),
      p50Ms: pct(50),
      p99Ms: pct(99),
      errors: result.non2xx + result.errors,
      errorKinds: [...kinds].map(([k, n]) => `${k}: ${n}`).join(', '),
      serverCpuUsPerAppend: serverCpu / acknowledged,
      serverSysUsPerAppend: serverSys / acknowledged,
      loadCpuUsPerAppend: (loadCpu.user + loadCpu.system) / acknowledged,
      loadSysUsPerAppend: loadCpu.system / acknowledged,
      serverPeakRssMiB: peakRssMiB(pid),
    };
  } finally {
    s.child.kill('SIGTERM');
    await s.exit;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// Enough distinct entries that no connection runs out (a repeat would be a cheap duplicate); each
// run has a fresh database, so the runs can share them.
const perConnection = Math.ceil((12_000 * seconds) / connections);
log(`signing ${perConnection * connections} distinct entries…`);
const bodies = entries(perConnection * connections);
const describe = (r: AppendFigures) =>
  `${Math.round(r.perS).toLocaleString()} acknowledged entries/s, p50 ${r.p50Ms.toFixed(1)} ms, p99 ${r.p99Ms.toFixed(1)} ms; ` +
  `CPU per append: server ${Math.round(r.serverCpuUsPerAppend)} µs (kernel ${Math.round(r.serverSysUsPerAppend)}), ` +
  `load generator ${Math.round(r.loadCpuUsPerAppend)} µs (kernel ${Math.round(r.loadSysUsPerAppend)}); ` +
  `server peak RSS ${Math.round(r.serverPeakRssMiB)} MiB` +
  (r.errors ? `; ${r.errors} other answers (${r.errorKinds})` : '');
const all: AppendFigures[] = [];
for (let i = 0; i < runs; i++) {
  const r = await appends(bodies, perConnection);
  all.push(r);
  if (runs > 1) log(`  run ${i + 1}/${runs}: ${describe(r)}`);
}
const a = [...all].sort((x, y) => x.perS - y.perS)[
  Math.floor((all.length - 1) / 2)
] as AppendFigures;
log(
  `appends (${dbKind}, ${connections} HTTP clients, ${seconds} s, median of ${runs}` +
    `${checkWorkers !== '0' ? `, ${checkWorkers} entry check worker(s)` : ''}): ${describe(a)} ` +
    `(target ≥ 5,000/s, p99 < 250 ms)`,
);
// The in-process figures run after the appends, so that their million-entry tree is not in the
// load generator's heap (its garbage collection would take CPU from the server).
const sha = sha256Limit();
const ecdsa = ecdsaVerifyLimit();
log(
  `limits: SHA-256 ${Math.round(sha).toLocaleString()} node hashes/s, ECDSA P-256 ${Math.round(ecdsa).toLocaleString()} verifications/s (one core)`,
);
const proofs = proofRate();
log(
  `proofs: built a ${proofs.size.toLocaleString()}-entry tree at ${Math.round(proofs.build).toLocaleString()} leaves/s; ` +
    `${Math.round(proofs.proofs).toLocaleString()} inclusion proofs/s generated in-process (target 50,000; ${(proofs.proofs / 50_000).toFixed(1)}x the target); ` +
    `${Math.round(proofs.verify).toLocaleString()} generated+verified/s`,
);
log(
  `        a proof of a 1M tree needs ~20 node hashes to verify: the SHA-256 limit is ${Math.round(sha / 20).toLocaleString()} verifications/s; generation reads stored hashes (${(proofs.proofs / (sha / 20)).toFixed(1)}x that).`,
);
log(
  `        ratio to the limits: ${(a.perS / ecdsa).toFixed(2)} of one core's ECDSA verifications, ${((a.perS * 3) / sha).toFixed(3)} of its SHA-256 rate (~3 hashes per entry)`,
);
if (asJson)
  process.stdout.write(
    `${JSON.stringify({ limits: { sha256PerS: sha, ecdsaVerifyPerS: ecdsa }, proofs, appends: { db: dbKind, connections, seconds, runs, ...a, all } }, null, 2)}\n`,
  );
