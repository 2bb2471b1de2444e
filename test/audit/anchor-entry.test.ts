import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  auditAnchorEntry,
  MAX_ENTRY_SIZE,
  parseAuditAnchorEntry,
  parseProposedEntry,
} from '../../src/tlog/index.js';

const hash = `sha256:${'ab'.repeat(32)}`;

describe('audit-anchor log entries', () => {
  it('read back what was written; the same head is the same leaf', () => {
    const e = auditAnchorEntry({ auditId: 42, hash });
    assert.equal(e.kind, 'audit-anchor');
    assert.equal(e.subjectDigest, hash);
    assert.deepEqual(parseAuditAnchorEntry(e.body), { auditId: 42, hash });
    assert.deepEqual(auditAnchorEntry({ auditId: 42, hash }).leafHash, e.leafHash);
    assert.notDeepEqual(auditAnchorEntry({ auditId: 43, hash }).leafHash, e.leafHash);
  });

  it('refuse other leaves', () => {
    const leaf = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));
    const good = { apiVersion: 'custody/v1', kind: 'audit-anchor', spec: { auditId: 1, hash } };
    for (const bad of [
      { ...good, kind: 'dsse' },
      { ...good, apiVersion: '0.0.1' },
      { ...good, spec: { auditId: -1, hash } },
      { ...good, spec: { auditId: 1, hash: 'sha256:xyz' } },
    ])
      assert.throws(() => parseAuditAnchorEntry(leaf(bad)), { code: 'TLOG_ENTRY_MALFORMED' });
    assert.throws(() => parseAuditAnchorEntry(new Uint8Array([1, 2])), {
      code: 'TLOG_ENTRY_MALFORMED',
    });
  });

  it('cannot be proposed through the public append routes', () => {
    assert.throws(
      () =>
        parseProposedEntry(
          { kind: 'audit-anchor', spec: { auditId: 1, hash } },
          { maxBytes: MAX_ENTRY_SIZE },
        ),
      { code: 'TLOG_ENTRY_MALFORMED' },
    );
  });
});
