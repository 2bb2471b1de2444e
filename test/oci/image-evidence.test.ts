import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/cli/main.js';
import { MEDIA, writeOciLayout } from '../../src/oci/index.js';
import { buildImageBlobs } from '../helpers/image-builder.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * End to end through the CLI against docker-registry: an image built here as an OCI layout is
 * pushed; `custody sign <image>` and `custody attest <image>` store their signatures next to it
 * (cosign's tags and OCI referrers through the fallback tag); an SBOM is attached; `custody oci
 * verify` accepts the signer and refuses another key and a re-pushed (tampered) tag;
 * `pull-evidence` writes everything.
 */
describe('custody sign/attest/oci on an image in docker-registry', () => {
  let reg: TestRegistry;
  let dir: string;
  let env: Record<string, string>;
  let image: string;
  let digest: string;

  const cli = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const io = {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env,
      cwd: dir,
    };
    const code = await run(argv, io);
    return { code, out, err };
  };

  before(async () => {
    reg = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), 'custody-oci-e2e-'));
    env = { CUSTODY_OCI_REGISTRIES: reg.host };
    const built = await buildImageBlobs({
      layers: [{ files: [{ path: 'srv/app', content: 'v1\n' }], gzip: true }],
    });
    digest = built.manifestDigest;
    writeOciLayout(join(dir, 'layout'), built.blobs.values(), [
      {
        mediaType: MEDIA.ociManifest,
        digest,
        size: (built.blobs.get(digest) as Uint8Array).byteLength,
      },
    ]);
    image = `${reg.host}/acme/service:1.0`;
    const pushed = await cli('oci', 'push', 'layout', image);
    assert.equal(pushed.code, 0, pushed.err);
    for (const name of ['signer', 'other']) {
      const k = await cli('keys', 'generate', '-o', `${name}.key`);
      assert.equal(k.code, 0, k.err);
    }
    writeFileSync(
      join(dir, 'sbom.cdx.json'),
      JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [] }),
    );
    writeFileSync(
      join(dir, 'predicate.json'),
      JSON.stringify({ buildType: 'https://example.com/build/v1' }),
    );
  });

  after(async () => {
    await reg.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('custody sign <image> --key: cosign .sig tag and a Sigstore-bundle referrer', async () => {
    const s = await cli('sign', image, '--key', 'signer.key', '-o', 'image.sigstore.json');
    assert.equal(s.code, 0, s.err);
    assert.match(s.err, new RegExp(`Signed ${reg.host}/acme/service@${digest}`));
    assert.match(s.err, new RegExp(`sha256-${digest.slice(7)}\\.sig`));
    // What cosign reads: the simple-signing payload names the digest, the signature annotation is set.
    const sigTag = (await (
      await fetch(`${reg.url}/v2/acme/service/manifests/sha256-${digest.slice(7)}.sig`, {
        headers: { accept: MEDIA.ociManifest },
      })
    ).json()) as {
      layers: Array<{ mediaType: string; digest: string; annotations: Record<string, string> }>;
    };
    const layer = sigTag.layers[0] as (typeof sigTag.layers)[number];
    assert.equal(layer.mediaType, 'application/vnd.dev.cosign.simplesigning.v1+json');
    assert.ok((layer.annotations['dev.cosignproject.cosign/signature'] ?? '').length > 0);
    const payload = (await (
      await fetch(`${reg.url}/v2/acme/service/blobs/${layer.digest}`)
    ).json()) as {
      critical: { image: Record<string, string>; type: string };
    };
    assert.equal(payload.critical.image['docker-manifest-digest'], digest);
    assert.equal(payload.critical.type, 'cosign container image signature');
    // The referrer, kept under the fallback tag (docker-registry has no referrers API).
    const index = (await (
      await fetch(`${reg.url}/v2/acme/service/manifests/sha256-${digest.slice(7)}`, {
        headers: { accept: MEDIA.ociIndex },
      })
    ).json()) as { manifests: Array<{ artifactType: string }> };
    assert.equal(index.manifests[0]?.artifactType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  });

  it('custody attest <image> and oci attach sbom', async () => {
    const a = await cli(
      'attest',
      image,
      '--key',
      'signer.key',
      '--predicate',
      'predicate.json',
      '--type',
      'slsaprovenance1',
      '-o',
      'att.json',
    );
    assert.equal(a.code, 0, a.err);
    assert.match(a.err, /\.att/);
    const s = await cli('oci', 'attach', 'sbom', image, 'sbom.cdx.json');
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /\.sbom/);
  });

  it('custody oci verify --key accepts the signer and reports every piece', async () => {
    const v = await cli('oci', 'verify', image, '--key', 'signer.pub', '--json');
    assert.equal(v.code, 0, v.err + v.out);
    const r = JSON.parse(v.out);
    assert.equal(r.digest, digest);
    assert.equal(r.referrersVia, 'tag');
    const verified = r.pieces.filter(
      (p: { verdict: { status: string } }) => p.verdict.status === 'verified',
    );
    const summary = r.pieces
      .map(
        (p: { kind: string; source: string; verdict: { status: string } }) =>
          `${p.kind}/${p.source}/${p.verdict.status}`,
      )
      .sort();
    assert.deepEqual(summary, [
      'attestation/cosign-tag/verified',
      'attestation/referrer/verified',
      'sbom/cosign-tag/present',
      'sbom/referrer/present',
      'signature/cosign-tag/verified',
      'signature/referrer/verified',
    ]);
    assert.ok(
      verified.every(
        (p: { verdict: { signer: { key?: string } } }) => p.verdict.signer.key !== undefined,
      ),
    );
    const human = await cli('oci', 'verify', image, '--key', 'signer.pub');
    assert.equal(human.code, 0);
    assert.match(human.out, /Verified OK/);
  });

  it('refuses another key (exit 1), and a tag re-pointed at another image (exit 1)', async () => {
    const other = await cli('oci', 'verify', image, '--key', 'other.pub');
    assert.equal(other.code, 1, other.out);
    assert.match(other.out, /NOT verified: SIGN_SIGNATURE_INVALID/);
    // Tampering: the tag now names other bytes; the signatures are about the old digest.
    const built = await buildImageBlobs({
      layers: [{ files: [{ path: 'srv/app', content: 'evil\n' }], gzip: true }],
    });
    writeOciLayout(join(dir, 'evil'), built.blobs.values(), [
      {
        mediaType: MEDIA.ociManifest,
        digest: built.manifestDigest,
        size: (built.blobs.get(built.manifestDigest) as Uint8Array).byteLength,
      },
    ]);
    assert.equal((await cli('oci', 'push', 'evil', `${reg.host}/acme/service:tampered`)).code, 0);
    const tampered = await cli(
      'oci',
      'verify',
      `${reg.host}/acme/service:tampered`,
      '--key',
      'signer.pub',
    );
    assert.equal(tampered.code, 1, tampered.out);
    // The old digest, named explicitly, still verifies.
    assert.equal(
      (await cli('oci', 'verify', `${reg.host}/acme/service@${digest}`, '--key', 'signer.pub'))
        .code,
      0,
    );
  });

  it('pull-evidence writes the manifest, signatures, attestations and SBOMs with evidence.json', async () => {
    const p = await cli('oci', 'pull-evidence', image, '-o', 'evidence');
    assert.equal(p.code, 0, p.err);
    const listing = JSON.parse(readFileSync(join(dir, 'evidence', 'evidence.json'), 'utf8'));
    assert.equal(listing.digest, digest);
    const kinds = listing.files.map((f: { kind: string }) => f.kind).sort();
    assert.deepEqual(kinds, [
      'attestation',
      'attestation',
      'manifest',
      'sbom',
      'sbom',
      'signature',
      'signature',
    ]);
    for (const f of listing.files) {
      const bytes = readFileSync(join(dir, 'evidence', f.path));
      const { createHash } = await import('node:crypto');
      assert.equal(`sha256:${createHash('sha256').update(bytes).digest('hex')}`, f.digest, f.path);
    }
  });

  it('oci attach signature|attestation: bundles made elsewhere about the image; others refused', async () => {
    // A detached signature over the manifest's exact bytes (pull-evidence wrote them).
    const signed = await cli(
      'sign',
      'evidence/manifest.json',
      '--key',
      'signer.key',
      '-o',
      'manifest.sigstore.json',
    );
    assert.equal(signed.code, 0, signed.err);
    const a = await cli('oci', 'attach', 'signature', image, 'manifest.sigstore.json', '--json');
    assert.equal(a.code, 0, a.err);
    assert.equal(JSON.parse(a.out).digest, digest);
    const att = await cli(
      'attest',
      digest,
      '--key',
      'signer.key',
      '--predicate',
      'predicate.json',
      '--type',
      'https://example.com/review/v1',
      '-o',
      'review.json',
    );
    assert.equal(att.code, 0, att.err);
    const b = await cli('oci', 'attach', 'attestation', image, 'review.json');
    assert.equal(b.code, 0, b.err);
    assert.match(b.out, /\.att/);
    const v = await cli(
      'oci',
      'verify',
      `${reg.host}/acme/service@${digest}`,
      '--key',
      'signer.pub',
      '--json',
    );
    assert.equal(v.code, 0, v.err);
    const pieces = JSON.parse(v.out).pieces as Array<{
      kind: string;
      source: string;
      verdict: { status: string; predicateType?: string };
    }>;
    assert.ok(
      pieces.some(
        (p) =>
          p.source === 'referrer' &&
          p.kind === 'signature' &&
          p.verdict.status === 'verified' &&
          p.verdict.predicateType === undefined,
      ),
    );
    assert.ok(
      pieces.some(
        (p) =>
          p.verdict.predicateType === 'https://example.com/review/v1' && p.source === 'cosign-tag',
      ),
    );
    // About another artifact: refused before anything is stored.
    const elsewhere = await cli(
      'attest',
      `sha256:${'c'.repeat(64)}`,
      '--key',
      'signer.key',
      '--predicate',
      'predicate.json',
      '--type',
      'spdx',
      '-o',
      'elsewhere.json',
    );
    assert.equal(elsewhere.code, 0, elsewhere.err);
    const tags = async () =>
      (await (await fetch(`${reg.url}/v2/acme/service/tags/list`)).json()) as { tags: string[] };
    const attBefore = await (
      await fetch(`${reg.url}/v2/acme/service/manifests/sha256-${digest.slice(7)}.att`, {
        headers: { accept: MEDIA.ociManifest },
      })
    ).text();
    const tagsBefore = await tags();
    const refused = await cli('oci', 'attach', 'attestation', image, 'elsewhere.json');
    assert.equal(refused.code, 2);
    assert.match(refused.err, /SIGN_ATTESTATION_MISMATCH/);
    // Nothing stored: the same tags, the same .att manifest.
    assert.deepEqual(await tags(), tagsBefore);
    assert.equal(
      await (
        await fetch(`${reg.url}/v2/acme/service/manifests/sha256-${digest.slice(7)}.att`, {
          headers: { accept: MEDIA.ociManifest },
        })
      ).text(),
      attBefore,
    );
    const notSbom = await cli('oci', 'attach', 'sbom', image, 'predicate.json');
    assert.equal(notSbom.code, 2);
    assert.match(notSbom.err, /USAGE/);
  });

  it('an image outside CUSTODY_OCI_REGISTRIES: OCI_REGISTRY_FORBIDDEN (exit 2), a missing file stays a file error', async () => {
    const v = await cli('oci', 'verify', 'ghcr.io/acme/service:1.0', '--key', 'signer.pub');
    assert.equal(v.code, 2);
    assert.match(v.err, /OCI_REGISTRY_FORBIDDEN/);
    const s = await cli('sign', 'ghcr.io/acme/service:1.0', '--key', 'signer.key');
    assert.equal(s.code, 2);
    assert.match(s.err, /FILE_NOT_FOUND/);
  });
});
