import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { generateSbom } from '../../src/app/generate-sbom.js';
import { CustodyError } from '../../src/core/errors.js';
import { prepareSbom } from '../../src/inventory/prepare-sbom.js';
import { DEFAULT_GATE_POLICY } from '../../src/sbom/quality/index.js';
import { PreparePool } from '../../src/workers/prepare-pool.js';

describe('PreparePool (worker threads)', () => {
  const pool = new PreparePool(2);
  after(() => pool.close());
  const now = '2026-11-28T12:00:00.000Z';

  it('prepares a document exactly as the in-process path does', async () => {
    const { text } = await generateSbom('examples/demo-app', { deterministic: true });
    const bytes = new TextEncoder().encode(text);
    const [inWorker, inProcess] = await Promise.all([
      pool.prepare(bytes, now, DEFAULT_GATE_POLICY),
      prepareSbom(bytes, now, DEFAULT_GATE_POLICY),
    ]);
    assert.deepEqual(inWorker, inProcess);
    assert.equal(inWorker.rows.length, 75);
  });

  it('sends back a user error with its code, and keeps working afterwards', async () => {
    const bad = new TextEncoder().encode('{"bomFormat": "CycloneDX", ');
    await assert.rejects(pool.prepare(bad, now, DEFAULT_GATE_POLICY), (e: unknown) => {
      assert.ok(e instanceof CustodyError);
      assert.equal(e.code, 'SBOM_PARSE');
      return true;
    });
    const notSbom = new TextEncoder().encode('{"hello": "world"}');
    await assert.rejects(pool.prepare(notSbom, now, DEFAULT_GATE_POLICY), {
      code: 'SBOM_FORMAT_UNKNOWN',
    });
    const { text } = await generateSbom('examples/demo-app-1.1', { deterministic: true });
    const ok = await pool.prepare(new TextEncoder().encode(text), now, DEFAULT_GATE_POLICY);
    assert.equal(ok.gate.passed, true);
  });

  it('spreads concurrent documents over its workers', async () => {
    const { text } = await generateSbom('examples/demo-app', { deterministic: true });
    const bytes = new TextEncoder().encode(text);
    const all = await Promise.all(
      Array.from({ length: 8 }, () => pool.prepare(bytes, now, DEFAULT_GATE_POLICY)),
    );
    assert.equal(new Set(all.map((r) => JSON.stringify(r.rows))).size, 1);
  });
});
