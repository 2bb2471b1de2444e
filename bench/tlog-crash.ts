/**
 * npm run bench -- tlog-crash [--rounds N] [--clients N] [--max-run-ms N] [--db postgres]
 *
 * The log's crash drill at length: `custody serve` killed with SIGKILL at a random moment during
 * concurrent appends, N times (default 100; the test suite runs 20). After every restart, every
 * acknowledged entry must be in the tree under the newest checkpoint and every checkpoint ever
 * returned must be consistent with it. Prints what was acknowledged, lost (must be 0) and checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkLog, crashRound, type DrillState, serve } from '../test/helpers/tlog-crash.js';
import { freshPgSchema } from './_pg-schema.js';

const args = process.argv.slice(2);
const flag = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? (args[i + 1] ?? fallback) : fallback;
};
const rounds = Number(flag('rounds', '100'));
const clients = Number(flag('clients', '32'));
const maxRunMs = Number(flag('max-run-ms', '1500'));
const env: Record<string, string> = {};
if (flag('db', 'sqlite') === 'postgres') {
  env['CUSTODY_DATABASE_URL'] = await freshPgSchema(`crash_${process.pid}`);
}

const dataDir = mkdtempSync(join(tmpdir(), 'custody-crash-bench-'));
const state: DrillState = { acked: new Map(), checkpoints: new Set() };
const started = performance.now();
try {
  let acked = 0;
  for (let round = 0; round < rounds; round++) {
    const r = await crashRound(dataDir, state, round, { clients, maxRunMs, env });
    acked += r.acked;
    if (process.stderr.isTTY)
      process.stderr.write(
        `\rround ${round + 1}/${rounds}: ${acked} acknowledged, log holds ${r.size} before this round`,
      );
  }
  const s = await serve(dataDir, env);
  try {
    const final = await checkLog(s.url, state);
    process.stderr.write(
      `\n${rounds} SIGKILLs in ${((performance.now() - started) / 1000).toFixed(0)} s: ${acked} appends acknowledged, 0 lost; ` +
        `the log holds ${final.size} entries (${final.size - acked} sequenced but unacknowledged when killed); ` +
        `${final.checkpoints} returned checkpoints all consistent with the newest.\n`,
    );
  } finally {
    s.child.kill('SIGKILL');
    await s.exit;
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
