import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadAuditSettings } from '../../src/config/index.js';
import { type Served, serveProcess } from '../helpers/serve-process.js';

describe('CUSTODY_AUDIT_ANCHOR_INTERVAL', () => {
  it('takes seconds, units and 0 (off); defaults to an hour', () => {
    const ms = (v?: string) =>
      loadAuditSettings({ CUSTODY_AUDIT_ANCHOR_INTERVAL: v }).anchorIntervalMs;
    assert.equal(ms(), 3_600_000);
    assert.equal(ms('90'), 90_000);
    assert.equal(ms('90s'), 90_000);
    assert.equal(ms('15m'), 900_000);
    assert.equal(ms('2h'), 7_200_000);
    assert.equal(ms('1d'), 86_400_000);
    assert.equal(ms('0'), 0);
    for (const bad of ['-1', '1.5h', 'hourly', '30d', '1w'])
      assert.throws(() => ms(bad), { code: 'USAGE' }, bad);
  });
});

describe('custody serve anchors the audit trail periodically', () => {
  let dir: string;
  let served: Served;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-anchor-serve-'));
    served = await serveProcess(dir, { CUSTODY_AUDIT_ANCHOR_INTERVAL: '1s' });
  });
  after(async () => {
    served?.child.kill('SIGTERM');
    await served?.exit;
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs the head once it has moved', async () => {
    // The first start prints an admin token on stdout, just after the listening line on stderr.
    const deadline = Date.now() + 15_000;
    while (!/CUSTODY_TOKEN=/.test(served.stdout()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    const token = /CUSTODY_TOKEN=(\S+)/.exec(served.stdout())?.[1];
    assert.ok(token, served.stdout());
    const verify = async () => {
      const r = await fetch(`${served.url}/api/v1/audit/verify`, {
        headers: { authorization: `Bearer ${token}` },
      });
      return (await r.json()) as {
        ok: boolean;
        lastId: number;
        anchors: { checked: number; newest: { auditId: number } | null };
      };
    };
    // The first admin token is the first audited write; the anchor follows within a second or two.
    let report = await verify();
    while (report.anchors.checked === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      report = await verify();
    }
    assert.equal(report.ok, true, JSON.stringify(report));
    assert.equal(report.anchors.checked, 1);
    assert.equal(report.anchors.newest?.auditId, report.lastId);
  });
});
