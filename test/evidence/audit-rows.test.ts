import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUDIT_CHAIN_GENESIS, computeAuditHash } from '../../src/access/audit-chain.js';
import { checkAuditRows } from '../../src/evidence/check-audit.js';
import { AUDIT_ANCHORS_PATH, AUDIT_PATH, type AuditRowFile } from '../../src/evidence/index.js';

/** A chain of audit rows as migration 0019 and the audit writer link them. */
function chain(n: number, firstId = 1): AuditRowFile[] {
  const rows: AuditRowFile[] = [];
  let prev = AUDIT_CHAIN_GENESIS;
  for (let i = 0; i < n; i++) {
    const row = {
      id: firstId + i,
      at: `2026-12-04T10:00:0${i}.000Z`,
      actor: 'token:1:ada',
      person: 'ada',
      role: 'admin',
      action: 'sbom.ingest',
      target: `sbom:${i}`,
      source: '127.0.0.1',
      team: 'web',
      details: JSON.stringify({ n: i }),
    };
    const hash = computeAuditHash(prev, row);
    rows.push({ ...row, prevHash: prev, hash });
    prev = hash;
  }
  return rows;
}

const files = (rows: unknown) =>
  new Map([[AUDIT_PATH, new TextEncoder().encode(JSON.stringify(rows))]]);

describe('the audit rows of an evidence archive', () => {
  it('pass when every row recomputes and consecutive rows link', () => {
    const c = checkAuditRows(files(chain(4)));
    assert.ok(c.ok, c.detail);
    assert.match(c.detail, /^4 audit rows recompute/);
  });

  it('fail when a row was changed after it was written', () => {
    const rows = chain(4);
    (rows[2] as AuditRowFile).details = JSON.stringify({ n: 99 });
    const c = checkAuditRows(files(rows));
    assert.equal(c.ok, false);
    assert.match(c.detail, /row 3 does not match its hash/);
    assert.ok(c.remedy);
  });

  it('fail when a row between two consecutive ones was replaced by a re-hashed one', () => {
    const rows = chain(3);
    const forged = { ...(rows[1] as AuditRowFile), target: 'sbom:forged' };
    forged.hash = computeAuditHash(forged.prevHash as string, forged);
    rows[1] = forged;
    const c = checkAuditRows(files(rows));
    assert.equal(c.ok, false);
    assert.match(c.detail, /row 3 does not follow the row before it/);
  });

  it('counts rows that predate the chain without failing on them', () => {
    const rows = [...chain(2), { ...(chain(1, 9)[0] as AuditRowFile), prevHash: null, hash: null }];
    const c = checkAuditRows(files(rows));
    assert.ok(c.ok, c.detail);
    assert.match(c.detail, /1 rows were written before the chain/);
  });

  it('fail when the rows are missing or not a list', () => {
    assert.equal(checkAuditRows(new Map()).ok, false);
    assert.equal(checkAuditRows(files({ rows: [] })).ok, false);
  });
});

describe('audit rows against the heads anchored in the log', () => {
  it('pass when an anchored head matches its row, fail when it does not', () => {
    const rows = chain(3);
    const anchored = (hash: string) =>
      new Map([
        [AUDIT_PATH, new TextEncoder().encode(JSON.stringify(rows))],
        [AUDIT_ANCHORS_PATH, new TextEncoder().encode(JSON.stringify([{ auditId: 2, hash }]))],
      ]);
    const good = checkAuditRows(anchored((rows[1] as AuditRowFile).hash as string));
    assert.ok(good.ok, good.detail);
    assert.match(good.detail, /1 match heads anchored in the transparency log/);
    const bad = checkAuditRows(anchored(`sha256:${'1'.repeat(64)}`));
    assert.equal(bad.ok, false);
    assert.match(bad.detail, /row 2 differs from the head anchored in the transparency log/);
  });
});
