import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { StoreError } from './errors.js';
import { privateDir } from './private-paths.js';

/**
 * A content-addressed store: each blob lives at `sha256/ab/cdef…` under its root and is never
 * rewritten. Writes go to a temporary file first and are renamed into place, so a reader never sees
 * half a blob and a crash leaves at worst a stray temporary file. Folders are 0700 and blobs 0600:
 * SBOMs are readable by the service's user alone.
 */
export class BlobStore {
  constructor(readonly root: string) {
    privateDir(root);
    privateDir(join(root, 'tmp'));
  }

  static digestOf(bytes: Uint8Array): string {
    return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  }

  /** Store `bytes`; returns its digest and whether this call created the blob. */
  put(bytes: Uint8Array): { digest: string; created: boolean } {
    const digest = BlobStore.digestOf(bytes);
    const path = this.pathOf(digest);
    if (existsSync(path)) return { digest, created: false };
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    const tmp = join(this.root, 'tmp', `${randomBytes(8).toString('hex')}.part`);
    writeFileSync(tmp, bytes, { mode: 0o600 });
    renameSync(tmp, path);
    return { digest, created: true };
  }

  /**
   * The blob's bytes, checked against its digest.
   * @throws StoreError BLOB_MISSING, BLOB_CORRUPT
   */
  get(digest: string): Buffer {
    const path = this.pathOf(digest);
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch {
      // The answer goes to API callers: it names the digest, not where the store lives.
      throw new StoreError(
        'BLOB_MISSING',
        `Blob ${digest} is missing from the blob store; restore it from a backup`,
        { details: { digest } },
      );
    }
    if (BlobStore.digestOf(bytes) !== digest) {
      throw new StoreError(
        'BLOB_CORRUPT',
        `Blob ${digest} does not match its digest; restore it from a backup`,
        { details: { digest } },
      );
    }
    return bytes;
  }

  has(digest: string): boolean {
    return existsSync(this.pathOf(digest));
  }

  /** Only for undoing a write whose transaction failed; stored evidence is never deleted. */
  discard(digest: string): void {
    rmSync(this.pathOf(digest), { force: true });
  }

  private pathOf(digest: string): string {
    const m = /^sha256:([0-9a-f]{64})$/.exec(digest);
    if (!m) throw new StoreError('BLOB_MISSING', `${digest} is not a sha256:<hex> digest`);
    const hex = m[1] as string;
    return join(this.root, 'sha256', hex.slice(0, 2), hex.slice(2));
  }
}
