import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Sqlite from 'better-sqlite3';
import pg from 'pg';
import { computeAuditHash } from '../../src/access/audit-chain.js';
import { anchorAuditHead } from '../../src/app/audit/anchor.js';
import { verifyAuditTrail } from '../../src/app/audit/verify.js';
import { createTeam } from '../../src/app/inventory/manage-teams.js';
import { CLI_CALLER, createToken } from '../../src/app/tokens.js';
import {
  type AuditEvent,
  insertAuditEvent,
  insertAuditEvents,
  recordAudit,
} from '../../src/store/audit.js';
import { listChainedAudit, readChainHead } from '../../src/store/audit-chain.js';
import { BACKENDS, type Backend, freshServices, type TestServices } from '../helpers/store.js';

const ev = (action: string, i = 0): AuditEvent => ({
  actor: 'cli',
  person: 'cli',
  role: 'admin',
  action,
  target: `t:${i}`,
  source: 'test',
  details: { i, note: 'ünïcode' },
});

/** Raw SQL on the database file or server, past the application, as an intruder would. */
async function tamper(s: TestServices, ...statements: [string, unknown[]][]): Promise<void> {
  if (s.backend === 'sqlite') {
    const db = new Sqlite(join(s.dataDir, 'custody.db'));
    try {
      for (const [q, args] of statements) db.prepare(q).run(...args);
    } finally {
      db.close();
    }
    return;
  }
  const c = new pg.Client({ connectionString: s.databaseUrl });
  await c.connect();
  try {
    // $1, $2… on PostgreSQL; the statements are written with ? for both.
    for (const [q, args] of statements) {
      let n = 0;
      await c.query(
        q.replace(/\?/g, () => `$${++n}`),
        args,
      );
    }
  } finally {
    await c.end();
  }
}

type Row = Awaited<ReturnType<typeof listChainedAudit>>[number];
const rowsOf = async (s: TestServices): Promise<Row[]> =>
  listChainedAudit(s.db.kysely, { after: 0, limit: 10_000 });

/** Put a row back as it was (every column). */
const restore = (r: Row): [string, unknown[]] => [
  'UPDATE audit_events SET at = ?, actor = ?, person = ?, role = ?, action = ?, target = ?, source = ?, team = ?, details = ?, prev_hash = ?, hash = ? WHERE id = ?',
  [
    r.at,
    r.actor,
    r.person,
    r.role,
    r.action,
    r.target,
    r.source,
    r.team,
    r.details,
    r.prevHash,
    r.hash,
    r.id,
  ],
];
const reinsert = (r: Row): [string, unknown[]] => [
  'INSERT INTO audit_events (id, at, actor, person, role, action, target, source, team, details, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  [
    r.id,
    r.at,
    r.actor,
    r.person,
    r.role,
    r.action,
    r.target,
    r.source,
    r.team,
    r.details,
    r.prevHash,
    r.hash,
  ],
];

const codesAt = (r: Awaited<ReturnType<typeof verifyAuditTrail>>) =>
  r.problems.map((p) => `${p.id}:${p.code}`);

for (const backend of BACKENDS) {
  describe(`audit chain (${backend})`, () => {
    let s: TestServices;
    before(async () => {
      s = await freshServices(backend as Backend);
    });
    after(async () => s?.close());

    it('extends one chain through every write path, from the genesis to the head', async () => {
      await createTeam(s, CLI_CALLER, 'alpha'); // app write: audit() → recordAudit
      await createToken(s, CLI_CALLER, { role: 'viewer', person: 'v', teams: ['alpha'] });
      await s.db.kysely.transaction().execute(async (trx) => {
        await recordAudit(trx, ev('one'), new Date().toISOString());
        await insertAuditEvent(trx, ev('two'), new Date().toISOString());
        // A batch of more than one statement's worth (500), under one head lock.
        await insertAuditEvents(
          trx,
          Array.from({ length: 620 }, (_, i) => ev('batch', i)),
          new Date().toISOString(),
        );
      });
      // The write queue: savepoint per write, one commit per batch.
      await Promise.all(
        [1, 2, 3].map((i) =>
          s.db.writes.run(async (trx) => insertAuditEvent(trx, ev('queued', i), 'x')),
        ),
      );
      const rows = await rowsOf(s);
      assert.ok(rows.length >= 626, `${rows.length}`);
      let prev = `sha256:${'0'.repeat(64)}`;
      for (const [i, r] of rows.entries()) {
        assert.equal(r.id, i + 1, 'ids follow the chain without gaps');
        assert.equal(r.prevHash, prev);
        assert.equal(r.hash, computeAuditHash(prev, r));
        prev = r.hash;
      }
      assert.deepEqual(await readChainHead(s.db.kysely), { lastId: rows.length, hash: prev });
      const report = await verifyAuditTrail(s);
      assert.deepEqual(report.problems, []);
      assert.equal(report.ok, true);
      assert.equal(report.rows, rows.length);
      assert.equal(report.head, prev);
    });

    it('a write that rolls back leaves the chain and its head as they were', async () => {
      const head = await readChainHead(s.db.kysely);
      await assert.rejects(
        s.db.kysely.transaction().execute(async (trx) => {
          await recordAudit(trx, ev('lost'), 'x');
          throw new Error('rolled back');
        }),
      );
      assert.deepEqual(await readChainHead(s.db.kysely), head);
      assert.equal((await verifyAuditTrail(s)).ok, true);
    });

    it('the write queue inserts a batch’s rows before its commit, without a failed write’s', async () => {
      const head = await readChainHead(s.db.kysely);
      const results = await Promise.allSettled(
        ['kept-1', 'dropped', 'kept-2'].map((action) =>
          s.db.writes.run(async (trx) => {
            await insertAuditEvent(trx, ev(action), 'x');
            if (action === 'dropped') throw new Error('this write fails alone');
          }),
        ),
      );
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      const added = (await rowsOf(s)).filter((r) => r.id > (head?.lastId ?? 0));
      assert.deepEqual(
        added.map((r) => r.action),
        ['kept-1', 'kept-2'],
      );
      assert.equal((await verifyAuditTrail(s)).ok, true);
    });

    it('names the row whose details were changed', async () => {
      const r = (await rowsOf(s))[4] as Row;
      await tamper(s, ['UPDATE audit_events SET details = ? WHERE id = ?', ['{"i":99}', r.id]]);
      const report = await verifyAuditTrail(s);
      assert.equal(report.ok, false);
      assert.deepEqual(codesAt(report), [`${r.id}:AUDIT_CHAIN_HASH_MISMATCH`]);
      await tamper(s, restore(r));
      assert.equal((await verifyAuditTrail(s)).ok, true);
    });

    it('names the row after a deleted one', async () => {
      const r = (await rowsOf(s))[9] as Row;
      await tamper(s, ['DELETE FROM audit_events WHERE id = ?', [r.id]]);
      const report = await verifyAuditTrail(s);
      assert.deepEqual(codesAt(report), [`${r.id + 1}:AUDIT_CHAIN_BROKEN_LINK`]);
      await tamper(s, reinsert(r));
      assert.equal((await verifyAuditTrail(s)).ok, true);
    });

    it('names reordered rows', async () => {
      const rows = await rowsOf(s);
      const a = rows[20] as Row;
      const b = rows[21] as Row;
      // Swap the two rows' contents (links and all), keeping the ids in place.
      await tamper(s, restore({ ...b, id: a.id }), restore({ ...a, id: b.id }));
      const report = await verifyAuditTrail(s);
      assert.equal(report.ok, false);
      const ids = new Set(report.problems.map((p) => p.id));
      assert.ok(ids.has(a.id) && ids.has(b.id), JSON.stringify(report.problems));
      await tamper(s, restore(a), restore(b));
      assert.equal((await verifyAuditTrail(s)).ok, true);
    });

    it('names the head when the newest rows were removed', async () => {
      const rows = await rowsOf(s);
      const last = rows[rows.length - 1] as Row;
      await tamper(s, ['DELETE FROM audit_events WHERE id = ?', [last.id]]);
      assert.deepEqual(codesAt(await verifyAuditTrail(s)), [
        `${last.id}:AUDIT_CHAIN_HEAD_MISMATCH`,
      ]);
      await tamper(s, reinsert(last));
    });

    it('anchors the head in the transparency log, once, with a proven inclusion', async () => {
      const head = await readChainHead(s.db.kysely);
      const a = await anchorAuditHead(s);
      assert.equal(a.anchored, true);
      assert.equal(a.anchor?.auditId, head?.lastId);
      assert.equal(a.anchor?.hash, head?.hash);
      const again = await anchorAuditHead(s);
      assert.equal(again.anchored, false, 'nothing new since the last anchor');
      const entry = await s.tlog?.log.entryAt(a.anchor?.logIndex as number);
      assert.equal(entry?.kind, 'audit-anchor');
      assert.deepEqual(JSON.parse(Buffer.from(entry?.body as Uint8Array).toString()).spec, {
        auditId: head?.lastId,
        hash: head?.hash,
      });
      const report = await verifyAuditTrail(s);
      assert.deepEqual(report.problems, []);
      assert.equal(report.anchors.checked, 1);
      assert.equal(report.anchors.newest?.logIndex, a.anchor?.logIndex);
    });

    it('catches a rewrite of the whole tail and head by the anchor', async () => {
      await recordAudit(s.db.kysely, ev('after-anchor'), 'x');
      const rows = await rowsOf(s);
      const anchoredId = (await verifyAuditTrail(s)).anchors.newest?.auditId as number;
      // Change a row before the anchor and re-hash everything after it, head included: the chain
      // alone is consistent again.
      const from = anchoredId - 3;
      const forged: Row[] = [];
      let prev = (rows[from - 2] as Row).hash;
      for (const r of rows.slice(from - 1)) {
        const f = { ...r, details: r.id === from ? '{"forged":true}' : r.details, prevHash: prev };
        f.hash = computeAuditHash(prev, f);
        forged.push(f);
        prev = f.hash;
      }
      await tamper(s, ...forged.map(restore), [
        'UPDATE audit_chain_head SET hash = ? WHERE id = 1',
        [prev],
      ]);
      const report = await verifyAuditTrail(s);
      assert.deepEqual(codesAt(report), [`${anchoredId}:AUDIT_CHAIN_ANCHOR_MISMATCH`]);
      // Rewriting the anchor row too does not help: the log holds the statement.
      await tamper(s, [
        'UPDATE audit_anchors SET hash = ? WHERE audit_id = ?',
        [(forged.find((f) => f.id === anchoredId) as Row).hash, anchoredId],
      ]);
      assert.deepEqual(codesAt(await verifyAuditTrail(s)), [
        `${anchoredId}:AUDIT_ANCHOR_MISMATCH`,
        `${anchoredId}:AUDIT_CHAIN_ANCHOR_MISMATCH`,
      ]);
      const original = rows.find((r) => r.id === anchoredId) as Row;
      await tamper(
        s,
        ...rows.slice(from - 1).map(restore),
        ['UPDATE audit_chain_head SET hash = ? WHERE id = 1', [rows[rows.length - 1]?.hash]],
        ['UPDATE audit_anchors SET hash = ? WHERE audit_id = ?', [original.hash, anchoredId]],
      );
      assert.equal((await verifyAuditTrail(s)).ok, true);
    });

    it('names an anchor whose log entry is not the one recorded', async () => {
      await tamper(s, ['UPDATE audit_anchors SET log_index = log_index + 1000', []]);
      const report = await verifyAuditTrail(s);
      assert.ok(
        report.problems.some((p) => p.code === 'AUDIT_ANCHOR_NOT_IN_LOG'),
        JSON.stringify(report.problems),
      );
      await tamper(s, ['UPDATE audit_anchors SET log_index = log_index - 1000', []]);
      assert.equal((await verifyAuditTrail(s)).ok, true);
    });
  });
}
