import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyAuditTrail } from '../../src/app/audit/verify.js';
import { openServices, type Services } from '../../src/app/services.js';
import { type AuditEvent, insertAuditEvents, recordAudit } from '../../src/store/audit.js';
import { readChainHead } from '../../src/store/audit-chain.js';
import { freshServices, type TestServices } from '../helpers/store.js';

const ev = (replica: string, i: number): AuditEvent => ({
  actor: replica,
  person: replica,
  role: 'admin',
  action: 'concurrent',
  target: `t:${i}`,
  source: 'test',
  details: { i },
});

describe('audit chain: concurrent writers on PostgreSQL (two replicas, pooled connections)', () => {
  let a: TestServices;
  let b: Services & { close(): Promise<void> };
  let bDir: string;
  before(async () => {
    a = await freshServices('postgres');
    bDir = mkdtempSync(join(tmpdir(), 'custody-replica-'));
    // A second replica: its own pool on the same database.
    b = await openServices({ dataDir: bDir, databaseUrl: a.databaseUrl, tlog: false });
  });
  after(async () => {
    await b?.close();
    await a?.close();
    rmSync(bDir, { recursive: true, force: true });
  });

  it('extends one linear chain', async () => {
    const at = new Date().toISOString();
    const writes = Array.from({ length: 60 }, (_, i) => {
      const s = i % 2 === 0 ? a : b;
      const name = i % 2 === 0 ? 'a' : 'b';
      return s.db.kysely.transaction().execute(async (trx) => {
        if (i % 3 === 0) {
          await insertAuditEvents(trx, [ev(name, i), ev(name, i + 1000)], at);
        } else {
          await recordAudit(trx, ev(name, i), at);
          // Work between the lock and the commit widens the window for a lost update.
          await trx.selectFrom('audit_events').select('id').limit(1).execute();
          await recordAudit(trx, ev(name, i + 2000), at);
        }
      });
    });
    await Promise.all(writes);
    const report = await verifyAuditTrail(a);
    assert.deepEqual(report.problems, []);
    assert.equal(report.rows, 120);
    assert.equal((await readChainHead(a.db.kysely))?.lastId, 120);
  });
});
