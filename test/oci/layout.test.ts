import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MEDIA, OciError, readOciLayout, sha256, writeOciLayout } from '../../src/oci/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';

describe('OCI image layouts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custody-layout-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a layout and reads it back, every blob checked', () => {
    const blob = Buffer.from('{"hello":"layout"}');
    writeOciLayout(
      join(dir, 'ok'),
      [blob],
      [{ mediaType: MEDIA.ociManifest, digest: sha256(blob), size: blob.length }],
    );
    const l = readOciLayout(join(dir, 'ok'));
    assert.equal(l.index.manifests[0]?.digest, sha256(blob));
    assert.deepEqual(Buffer.from(l.blob(sha256(blob))), blob);
    assert.equal(l.has(`sha256:${'0'.repeat(64)}`), false);
  });

  it('refuses what is not a layout: no oci-layout, bad version, no index.json, missing or altered blob', () => {
    mkdirSync(join(dir, 'none'));
    expectCustodyError(() => readOciLayout(join(dir, 'none')), OciError, 'OCI_LAYOUT_INVALID');
    mkdirSync(join(dir, 'v2'));
    writeFileSync(join(dir, 'v2', 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}');
    expectCustodyError(() => readOciLayout(join(dir, 'v2')), OciError, 'OCI_LAYOUT_INVALID');
    mkdirSync(join(dir, 'noindex'));
    writeFileSync(join(dir, 'noindex', 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
    expectCustodyError(() => readOciLayout(join(dir, 'noindex')), OciError, 'OCI_LAYOUT_INVALID');
    const l = readOciLayout(join(dir, 'ok'));
    expectCustodyError(() => l.blob(`sha256:${'1'.repeat(64)}`), OciError, 'OCI_LAYOUT_INVALID');
    expectCustodyError(() => l.blob('sha256:../../etc/passwd'), OciError, 'OCI_LAYOUT_INVALID');
    const d = l.index.manifests[0]?.digest as string;
    writeFileSync(join(dir, 'ok', 'blobs', 'sha256', d.slice(7)), 'tampered');
    expectCustodyError(() => l.blob(d), OciError, 'OCI_DIGEST_MISMATCH');
  });
});
