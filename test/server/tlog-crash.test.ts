import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { checkLog, crashRound, type DrillState, serve } from '../helpers/tlog-crash.js';

const ROUNDS = Number(process.env['CUSTODY_CRASH_ROUNDS'] ?? 20);

describe('transparency log crash drill (SIGKILL during concurrent appends)', () => {
  it(`keeps every acknowledged entry and every returned checkpoint over ${ROUNDS} kills`, {
    timeout: 600_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'custody-crash-'));
    const state: DrillState = { acked: new Map(), checkpoints: new Set() };
    try {
      let acked = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const r = await crashRound(dataDir, state, round, { clients: 16, maxRunMs: 600 });
        acked += r.acked;
      }
      const s = await serve(dataDir);
      try {
        const final = await checkLog(s.url, state);
        assert.ok(acked > 0, 'some appends were acknowledged');
        assert.equal(state.acked.size, acked);
        assert.ok(final.size >= acked);
        assert.ok(final.checkpoints > ROUNDS);
      } finally {
        s.child.kill('SIGKILL');
        await s.exit;
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
