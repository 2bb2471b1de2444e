import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { BlobStore } from '../../src/store/blobs.js';
import { StoreError } from '../../src/store/errors.js';
import { expectCustodyError } from '../helpers/expect-error.js';

describe('BlobStore', () => {
  let root: string;
  let store: BlobStore;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'custody-blobs-'));
    store = new BlobStore(join(root, 'blobs'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const bytes = new TextEncoder().encode('{"bomFormat":"CycloneDX"}');
  const hex = createHash('sha256').update(bytes).digest('hex');

  it('put stores under sha256/ab/cdef… and get returns the same bytes', () => {
    assert.equal(BlobStore.digestOf(bytes), `sha256:${hex}`);
    const r = store.put(bytes);
    assert.deepEqual(r, { digest: `sha256:${hex}`, created: true });
    const path = join(root, 'blobs', 'sha256', hex.slice(0, 2), hex.slice(2));
    assert.deepEqual(readFileSync(path), Buffer.from(bytes));
    assert.deepEqual(store.get(r.digest), Buffer.from(bytes));
    assert.equal(store.has(r.digest), true);
    // No temporary file is left behind.
    assert.deepEqual(readdirSync(join(root, 'blobs', 'tmp')), []);
  });

  it('put is idempotent and never rewrites a blob', () => {
    store.put(bytes);
    assert.deepEqual(store.put(bytes), { digest: `sha256:${hex}`, created: false });
    assert.equal(store.put(new Uint8Array()).created, true);
    assert.deepEqual(store.get(BlobStore.digestOf(new Uint8Array())), Buffer.alloc(0));
  });

  it('get checks the digest: a changed file is BLOB_CORRUPT', () => {
    const { digest } = store.put(bytes);
    writeFileSync(
      join(root, 'blobs', 'sha256', hex.slice(0, 2), hex.slice(2)),
      '{"tampered":true}',
    );
    const e = expectCustodyError(() => store.get(digest), StoreError, 'BLOB_CORRUPT');
    assert.match(e.message, /restore it from a backup/);
  });

  it('get of an absent or malformed digest is BLOB_MISSING', () => {
    expectCustodyError(() => store.get(`sha256:${'0'.repeat(64)}`), StoreError, 'BLOB_MISSING');
    for (const bad of [
      'sha256:XYZ',
      `sha512:${hex}`,
      hex,
      `sha256:${hex.toUpperCase()}`,
      `sha256:../../${hex.slice(6)}`,
    ]) {
      expectCustodyError(() => store.get(bad), StoreError, 'BLOB_MISSING');
    }
    assert.equal(store.has(`sha256:${'0'.repeat(64)}`), false);
  });

  it('discard removes a blob (undoing a failed write) and tolerates an absent one', () => {
    const { digest } = store.put(bytes);
    store.discard(digest);
    assert.equal(store.has(digest), false);
    assert.equal(existsSync(join(root, 'blobs', 'sha256', hex.slice(0, 2), hex.slice(2))), false);
    store.discard(digest);
  });

  it('a second store on the same root sees the same blobs (shared storage)', () => {
    const { digest } = store.put(bytes);
    assert.deepEqual(new BlobStore(join(root, 'blobs')).get(digest), Buffer.from(bytes));
  });
});
