import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HttpClient } from '../../src/net/http.js';
import {
  appendCosignLayer,
  cosignTag,
  fallbackIndex,
  listReferrers,
  MEDIA,
  OciError,
  pushOciLayout,
  pushReferrer,
  RegistryClient,
  readCosignTag,
  readOciLayout,
  sha256,
  writeOciLayout,
} from '../../src/oci/index.js';
import { expectCustodyErrorAsync } from '../helpers/expect-error.js';
import { buildImageBlobs } from '../helpers/image-builder.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';

/**
 * The registry client against Debian's real docker-registry (distribution 2.8), anonymous: an
 * image built here as an OCI layout is pushed, resolved and pulled back digest-checked; the
 * registry has no referrers API, so referrers go through the fallback tag schema.
 */
describe('RegistryClient against docker-registry (anonymous)', () => {
  let reg: TestRegistry;
  let dir: string;
  let client: RegistryClient;
  const sent: string[] = [];
  const repo = () => ({ registry: reg.host, repository: 'acme/app' });
  let image: Awaited<ReturnType<typeof buildImageBlobs>>;

  before(async () => {
    reg = await startRegistry();
    dir = mkdtempSync(join(tmpdir(), 'custody-oci-'));
    client = new RegistryClient({
      http: new HttpClient({ retries: 0, breaker: false }),
      allowed: (r) => r === reg.host,
      onRequest: (m, u) => sent.push(`${m} ${u}`),
    });
    image = await buildImageBlobs({
      layers: [{ files: [{ path: 'app/hello.txt', content: 'hello\n' }], gzip: true }],
    });
    const manifest = image.blobs.get(image.manifestDigest) as Uint8Array;
    writeOciLayout(join(dir, 'layout'), image.blobs.values(), [
      {
        mediaType: MEDIA.ociManifest,
        digest: image.manifestDigest,
        size: manifest.byteLength,
        annotations: { 'org.opencontainers.image.ref.name': 'v1' },
      },
    ]);
  });

  after(async () => {
    await reg.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pushes an OCI layout written here and resolves the tag to the digest', async () => {
    const layout = readOciLayout(join(dir, 'layout'));
    const d = await pushOciLayout(client, layout, repo(), 'v1', 'v1');
    assert.equal(d.digest, image.manifestDigest);
    const m = await client.resolve({ ...repo(), tag: 'v1' });
    assert.equal(m.digest, image.manifestDigest);
    assert.equal(m.parsed.kind, 'manifest');
    assert.equal(sha256(m.bytes), image.manifestDigest);
  });

  it('pulls every blob back, each checked against its digest', async () => {
    for (const digest of [image.configDigest, ...image.layerDigests]) {
      const bytes = await client.getBlob(repo(), digest);
      assert.deepEqual(Buffer.from(bytes), Buffer.from(image.blobs.get(digest) as Uint8Array));
    }
    assert.equal(await client.hasBlob(repo(), image.configDigest), true);
    assert.equal(await client.hasBlob(repo(), `sha256:${'0'.repeat(64)}`), false);
  });

  it('says OCI_MANIFEST_NOT_FOUND for a tag that does not exist', async () => {
    await expectCustodyErrorAsync(
      () => client.resolve({ ...repo(), tag: 'nope' }),
      OciError,
      'OCI_MANIFEST_NOT_FOUND',
    );
  });

  it('finds no referrers API and keeps referrers under the sha256-<hex> fallback tag', async () => {
    const subject = {
      mediaType: MEDIA.ociManifest,
      digest: image.manifestDigest,
      size: (image.blobs.get(image.manifestDigest) as Uint8Array).byteLength,
    };
    assert.equal(await client.referrersApi(repo(), image.manifestDigest), undefined);
    const a = await pushReferrer(client, repo(), subject, 'application/vnd.example.a', [
      { bytes: Buffer.from('first'), mediaType: 'text/plain' },
    ]);
    const b = await pushReferrer(client, repo(), subject, 'application/vnd.example.b', [
      { bytes: Buffer.from('second'), mediaType: 'text/plain' },
    ]);
    const index = await fallbackIndex(client, repo(), image.manifestDigest);
    assert.deepEqual(
      index?.manifests.map((m) => m.digest),
      [a.digest, b.digest],
    );
    const all = await listReferrers(client, repo(), image.manifestDigest);
    assert.equal(all.via, 'tag');
    assert.equal(all.descriptors.length, 2);
    const onlyB = await listReferrers(
      client,
      repo(),
      image.manifestDigest,
      'application/vnd.example.b',
    );
    assert.deepEqual(
      onlyB.descriptors.map((d) => d.digest),
      [b.digest],
    );
    // Pushing the same referrer again does not list it twice (read-modify-write is idempotent).
    await pushReferrer(client, repo(), subject, 'application/vnd.example.b', [
      { bytes: Buffer.from('second'), mediaType: 'text/plain' },
    ]);
    assert.equal((await fallbackIndex(client, repo(), image.manifestDigest))?.manifests.length, 2);
    const referrer = await client.getManifest(repo(), a.digest);
    assert.equal(
      referrer.parsed.kind === 'manifest' && referrer.parsed.manifest.subject?.digest,
      image.manifestDigest,
    );
  });

  it('writes and reads cosign tags: layers accumulate under sha256-<hex>.sig', async () => {
    const one = await appendCosignLayer(client, repo(), image.manifestDigest, 'sig', {
      bytes: Buffer.from('{"critical":{}}'),
      mediaType: MEDIA.cosignSimpleSigning,
      annotations: { 'dev.cosignproject.cosign/signature': 'c2ln' },
    });
    assert.equal(one.tag, cosignTag(image.manifestDigest, 'sig'));
    assert.match(one.tag, /^sha256-[0-9a-f]{64}\.sig$/);
    await appendCosignLayer(client, repo(), image.manifestDigest, 'sig', {
      bytes: Buffer.from('{"critical":{"x":1}}'),
      mediaType: MEDIA.cosignSimpleSigning,
      annotations: { 'dev.cosignproject.cosign/signature': 'b3RoZXI=' },
    });
    const tagged = await readCosignTag(client, repo(), image.manifestDigest, 'sig');
    assert.equal(tagged?.parsed.kind === 'manifest' && tagged.parsed.manifest.layers.length, 2);
    assert.equal(await readCosignTag(client, repo(), image.manifestDigest, 'att'), undefined);
  });

  it('mounts a blob from another repository of the registry (no bytes sent)', async () => {
    const other = { registry: reg.host, repository: 'acme/other' };
    const layer = image.layerDigests[0] as string;
    assert.equal(await client.hasBlob(other, layer), false);
    assert.equal(await client.mountBlob(other, layer, 'acme/app'), true);
    assert.equal(await client.hasBlob(other, layer), true);
    // A blob the source does not have: the registry opens an upload instead.
    assert.equal(await client.mountBlob(other, `sha256:${'e'.repeat(64)}`, 'acme/app'), false);
  });

  it('sent every request to the registry and nowhere else', () => {
    assert.ok(sent.length > 0);
    for (const s of sent) assert.ok(s.includes(`//${reg.host}/v2/`), s);
  });
});
