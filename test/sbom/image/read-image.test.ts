import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { isCustodyError } from '../../../src/core/errors.js';
import {
  apkInstalledCataloger,
  dpkgStatusCataloger,
} from '../../../src/sbom/catalogers/os/index.js';
import { SbomError } from '../../../src/sbom/errors.js';
import {
  type ContainerImage,
  isImageArchive,
  isOciLayout,
  readImageFromLayout,
  readImageFromTar,
} from '../../../src/sbom/image/index.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';
import {
  alpineBaseLayer,
  buildDockerSave,
  buildOciLayout,
  buildTar,
  debianBaseLayer,
  distrolessLayer,
  type ImageSpec,
  type LayerFile,
  nodeAppLayer,
  sha256,
  tarOfFiles,
  writeLayoutDir,
} from '../../helpers/image-builder.js';

const text = (img: ContainerImage, p: string) => {
  const b = img.tree.read(p);
  return b ? Buffer.from(b).toString() : undefined;
};

async function ociTar(
  images: ImageSpec[],
  opts: Parameters<typeof buildOciLayout>[1] = {},
): Promise<Uint8Array> {
  return tarOfFiles((await buildOciLayout(images, opts)).files);
}

async function imageOf(layers: LayerFile[][], gzip = false): Promise<ContainerImage> {
  return readImageFromTar(await ociTar([{ layers: layers.map((files) => ({ files, gzip })) }]));
}

const debianApp: ImageSpec = {
  layers: [{ files: debianBaseLayer(), gzip: true }, { files: nodeAppLayer() }],
  repoTags: ['registry.example/shop/currency:1.4.2'],
  entrypoint: ['node', 'server.js'],
  labels: { 'org.opencontainers.image.source': 'https://example.test/currency' },
};

describe('readImageFromTar with an OCI layout', () => {
  it('reads the final filesystem, digest, config and layers', async () => {
    const { files, built } = await buildOciLayout([debianApp]);
    const img = await readImageFromTar(await tarOfFiles(files));
    const b = built[0];
    assert.ok(b);
    assert.equal(img.format, 'oci-layout');
    assert.equal(img.digest, b.manifestDigest);
    assert.equal(img.configDigest, b.configDigest);
    assert.deepEqual(img.repoTags, ['registry.example/shop/currency:1.4.2']);
    assert.equal(img.config.architecture, 'amd64');
    assert.equal(img.config.os, 'linux');
    assert.deepEqual(img.config.entrypoint, ['node', 'server.js']);
    assert.equal(img.config.workingDir, '/app');
    assert.equal(
      img.config.labels['org.opencontainers.image.source'],
      'https://example.test/currency',
    );
    assert.ok(img.config.env[0]?.startsWith('PATH='));
    assert.deepEqual(
      img.layers.map((l) => l.digest),
      b.layerDigests,
    );
    assert.deepEqual(
      img.layers.map((l) => l.diffId),
      b.diffIds,
    );
    assert.equal(img.layers[0]?.mediaType, 'application/vnd.oci.image.layer.v1.tar+gzip');
    const list = [...img.tree.list()];
    assert.ok(list.includes('var/lib/dpkg/status'));
    assert.ok(list.includes('app/package-lock.json'));
    assert.ok(!list.includes('etc/os-release'), 'symlinks are not listed');
    assert.match(text(img, 'etc/os-release') ?? '', /ID=debian/);
    assert.equal(text(img, 'bin/sh'), '#!binary');
  });

  it('gives the catalogers a tree they can read, os-release through its symlink', async () => {
    const img = await readImageFromTar(await ociTar([debianApp]));
    const r = dpkgStatusCataloger.catalog('var/lib/dpkg/status', img.tree);
    assert.ok(r.components.length > 50);
    assert.ok(r.components.every((c) => c.purl?.includes('distro=debian-12')));
    assert.deepEqual(r.components.find((c) => c.name === 'adduser')?.licenses, [
      'GPL-2.0-or-later',
    ]);
    const alpine = await imageOf([alpineBaseLayer()]);
    const a = apkInstalledCataloger.catalog('lib/apk/db/installed', alpine.tree);
    assert.ok(a.components.every((c) => c.purl?.includes('distro=3.18.0')));
    const distroless = await imageOf([distrolessLayer()]);
    assert.deepEqual(
      [...distroless.tree.list()].filter((p) => dpkgStatusCataloger.matches(p)),
      ['var/lib/dpkg/status.d/multiple'],
    );
  });

  it('reads a gzip-compressed archive and uncompressed layers alike', async () => {
    const plain = await ociTar([{ layers: [{ files: alpineBaseLayer() }] }]);
    const img = await readImageFromTar(gzipSync(plain));
    assert.ok(img.tree.read('lib/apk/db/installed'));
    assert.equal(img.layers[0]?.mediaType, 'application/vnd.oci.image.layer.v1.tar');
  });
});

describe('readImageFromLayout on a directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'custody-oci-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads through the reader function (sync or async)', async () => {
    const { files, built } = await buildOciLayout([debianApp]);
    writeLayoutDir(dir, files);
    const read = (p: string) => {
      try {
        return readFileSync(join(dir, p));
      } catch {
        return undefined;
      }
    };
    assert.ok(isOciLayout(read('oci-layout')));
    const img = await readImageFromLayout(read);
    assert.equal(img.digest, built[0]?.manifestDigest);
    const viaAsync = await readImageFromLayout(async (p) => read(p));
    assert.equal(viaAsync.digest, img.digest);
  });

  it('refuses a directory that is not a layout', async () => {
    await expectCustodyErrorAsync(
      () => readImageFromLayout(() => undefined),
      SbomError,
      'IMAGE_INVALID',
    );
  });
});

describe('readImageFromTar with docker save archives', () => {
  it('reads a legacy archive (gzip layers): config digest as digest, RepoTags', async () => {
    const { tar, built } = await buildDockerSave(debianApp, 'legacy');
    const img = await readImageFromTar(tar);
    assert.equal(img.format, 'docker-archive');
    assert.equal(img.digest, built.configDigest);
    assert.equal(img.configDigest, built.configDigest);
    assert.deepEqual(img.repoTags, ['registry.example/shop/currency:1.4.2']);
    assert.deepEqual(
      img.layers.map((l) => l.diffId),
      built.diffIds,
    );
    assert.ok(img.tree.read('app/package-lock.json'));
  });

  it('reads a Docker 25+ archive (OCI layout + manifest.json, layer symlinks)', async () => {
    const { tar, built } = await buildDockerSave(
      { ...debianApp, repoTags: ['currency:latest'] },
      'oci',
    );
    const img = await readImageFromTar(tar);
    assert.equal(img.format, 'oci-layout');
    assert.equal(img.digest, built.manifestDigest);
    // the index annotations name it, and manifest.json's RepoTags are merged in
    assert.deepEqual(img.repoTags, ['currency:latest']);
    assert.ok(img.tree.read('app/package-lock.json'));
  });

  it('refuses an archive with several images unless one is chosen', async () => {
    const one = await buildDockerSave({
      layers: [{ files: alpineBaseLayer() }],
      repoTags: ['a:1'],
    });
    const two = await buildDockerSave({ layers: [{ files: nodeAppLayer() }], repoTags: ['b:2'] });
    // merge: both archives' files, manifest.json listing both
    const { extract } = await import('tar-stream');
    const members = new Map<string, Uint8Array>();
    const manifests: unknown[] = [];
    for (const t of [one.tar, two.tar]) {
      const x = extract();
      const done = new Promise<void>((res) => x.on('finish', () => res()));
      x.on('entry', (h, s, next) => {
        const chunks: Buffer[] = [];
        s.on('data', (c: unknown) => {
          chunks.push(c as Buffer);
        });
        s.on('end', () => {
          if (h.name === 'manifest.json')
            manifests.push(...JSON.parse(Buffer.concat(chunks).toString()));
          else members.set(h.name, Buffer.concat(chunks));
          next();
        });
      });
      x.end(Buffer.from(t));
      await done;
    }
    members.set('manifest.json', Buffer.from(JSON.stringify(manifests)));
    const tar = await tarOfFiles(members);
    const e = await expectCustodyErrorAsync(
      () => readImageFromTar(tar),
      SbomError,
      'IMAGE_INVALID',
    );
    assert.match(e.message, /a:1, b:2/);
    const b = await readImageFromTar(tar, { ref: 'b:2' });
    assert.ok(b.tree.read('app/package.json'));
  });
});

describe('layers', () => {
  it('apply in order: a later layer replaces a file', async () => {
    const img = await imageOf([
      [{ path: 'etc/motd', content: 'one' }],
      [{ path: 'etc/motd', content: 'two' }],
    ]);
    assert.equal(text(img, 'etc/motd'), 'two');
  });

  it('a whiteout deletes a file or a directory from lower layers', async () => {
    const img = await imageOf([
      [
        { path: 'etc/keep', content: 'k' },
        { path: 'etc/gone', content: 'g' },
        { path: 'opt/tool/bin/x', content: 'x' },
      ],
      [
        { path: 'etc/gone', type: 'whiteout' },
        { path: 'opt/tool', type: 'whiteout' },
      ],
    ]);
    assert.deepEqual([...img.tree.list()], ['etc/keep']);
  });

  it('a whiteout does not hide a file of its own layer', async () => {
    const img = await imageOf([
      [{ path: 'a/x', content: 'old' }],
      [
        { path: 'a/x', content: 'new' },
        { path: 'a/x', type: 'whiteout' },
      ],
    ]);
    assert.equal(text(img, 'a/x'), 'new');
  });

  it('an opaque directory hides lower contents but keeps its own layer', async () => {
    const img = await imageOf([
      [
        { path: 'srv/old1', content: '1' },
        { path: 'srv/sub/old2', content: '2' },
        { path: 'other', content: 'o' },
      ],
      [
        { path: 'srv/new', content: 'n' },
        { path: 'srv', type: 'opaque' },
      ],
    ]);
    assert.deepEqual([...img.tree.list()], ['other', 'srv/new']);
  });

  it('follows a lower-layer directory symlink when a later layer writes through it (usr-merge)', async () => {
    const img = await imageOf([
      [
        { path: 'usr/lib/', type: 'directory' },
        { path: 'lib', type: 'symlink', target: 'usr/lib' },
      ],
      [{ path: 'lib/libz.so.1', content: 'z' }],
    ]);
    assert.deepEqual([...img.tree.list()], ['usr/lib/libz.so.1']);
    assert.equal(text(img, 'lib/libz.so.1'), 'z');
  });

  it('hard links share their target contents; a link to nothing is refused', async () => {
    const img = await imageOf([
      [
        { path: 'bin/busybox', content: 'bb' },
        { path: 'bin/sh', type: 'link', target: 'bin/busybox' },
      ],
    ]);
    assert.equal(text(img, 'bin/sh'), 'bb');
    const e = await expectCustodyErrorAsync(
      () => imageOf([[{ path: 'bin/sh', type: 'link', target: 'bin/missing' }]]),
      SbomError,
      'IMAGE_INVALID',
    );
    assert.match(e.message, /bin\/sh.*bin\/missing/);
  });

  it('keeps devices and fifos out of the file list', async () => {
    const img = await imageOf([
      [
        { path: 'run/fifo', type: 'fifo' },
        { path: 'run/file', content: 'f' },
      ],
    ]);
    assert.deepEqual([...img.tree.list()], ['run/file']);
  });
});

describe('escape attempts', () => {
  const attempts: [string, LayerFile][] = [
    ['a ".." component', { path: '../etc/passwd', content: 'x' }],
    ['a ".." in the middle', { path: 'usr/../../etc/passwd', content: 'x' }],
    ['an absolute path', { path: '/etc/passwd', content: 'x' }],
    [
      'a symlink climbing out',
      { path: 'etc/evil', type: 'symlink', target: '../../../host/etc/shadow' },
    ],
    ['an absolute symlink climbing out', { path: 'evil', type: 'symlink', target: '/../host' }],
    ['a hard link climbing out', { path: 'evil', type: 'link', target: '../host/etc/shadow' }],
    ['an absolute hard link', { path: 'evil', type: 'link', target: '/etc/shadow' }],
    ['a whiteout with ".."', { path: '../x', type: 'whiteout' }],
    ['an opaque marker with ".."', { path: '../', type: 'opaque' }],
  ];
  for (const [desc, entry] of attempts) {
    it(`refuses ${desc}, naming the layer and the entry`, async () => {
      const tar = await ociTar([
        { layers: [{ files: [{ path: 'ok', content: 'fine' }] }, { files: [entry] }] },
      ]);
      const e = await expectCustodyErrorAsync(
        () => readImageFromTar(tar),
        SbomError,
        'IMAGE_PATH_ESCAPE',
      );
      assert.match(e.message, /^blobs\/sha256\/[0-9a-f]{64}: entry "/);
      assert.deepEqual(Object.keys(e.details ?? {}).sort(), ['entry', 'layer']);
    });
  }

  it('allows absolute symlinks that stay inside the root', async () => {
    const img = await imageOf([
      [
        { path: 'usr/lib/os-release', content: 'ID=x' },
        { path: 'etc/os-release', type: 'symlink', target: '/usr/lib/os-release' },
      ],
    ]);
    assert.equal(text(img, 'etc/os-release'), 'ID=x');
  });

  it('refuses an archive symlink that points outside the archive', async () => {
    const { files } = await buildOciLayout([
      { layers: [{ files: [{ path: 'a', content: 'a' }] }] },
    ]);
    files.delete('index.json');
    const tar = await tarOfFiles(files, { 'index.json': '../../etc/passwd' });
    await expectCustodyErrorAsync(() => readImageFromTar(tar), SbomError, 'IMAGE_PATH_ESCAPE');
  });
});

describe('image indexes with several platforms', () => {
  const platforms: ImageSpec[] = [
    {
      architecture: 'arm64',
      variant: 'v8',
      layers: [{ files: [{ path: 'arch', content: 'arm64' }] }],
    },
    { architecture: 'amd64', layers: [{ files: [{ path: 'arch', content: 'amd64' }] }] },
    {
      architecture: 'arm',
      variant: 'v7',
      layers: [{ files: [{ path: 'arch', content: 'armv7' }] }],
    },
  ];

  it('chooses linux/amd64 by default, ignoring attestation manifests', async () => {
    const tar = await ociTar(platforms, { attestation: true });
    const img = await readImageFromTar(tar);
    assert.equal(text(img, 'arch'), 'amd64');
  });

  it('chooses the requested platform, through a nested index', async () => {
    const tar = await ociTar(platforms, { nestedIndex: true });
    assert.equal(
      text(
        await readImageFromTar(tar, { platform: { os: 'linux', architecture: 'arm64' } }),
        'arch',
      ),
      'arm64',
    );
    assert.equal(
      text(
        await readImageFromTar(tar, {
          platform: { os: 'linux', architecture: 'arm', variant: 'v7' },
        }),
        'arch',
      ),
      'armv7',
    );
  });

  it('names the platforms on offer when none matches', async () => {
    const tar = await ociTar(platforms);
    const e = await expectCustodyErrorAsync(
      () => readImageFromTar(tar, { platform: { os: 'windows', architecture: 'amd64' } }),
      SbomError,
      'IMAGE_INVALID',
    );
    assert.match(e.message, /windows\/amd64.*linux\/arm64\/v8, linux\/amd64, linux\/arm\/v7/);
  });
});

describe('limits and corrupt images', () => {
  it('refuses a member over maxFileBytes and layers over maxTotalBytes', async () => {
    const tar = await ociTar([
      { layers: [{ files: [{ path: 'big', content: Buffer.alloc(4096) }] }] },
    ]);
    const e = await expectCustodyErrorAsync(
      () => readImageFromTar(tar, { maxFileBytes: 1024 }),
      SbomError,
      'IMAGE_INVALID',
    );
    assert.match(e.message, /"big" is 4096 bytes.*maxFileBytes/);
    const gz = await ociTar([
      { layers: [{ files: [{ path: 'big', content: Buffer.alloc(100_000) }], gzip: true }] },
    ]);
    const t = await expectCustodyErrorAsync(
      () => readImageFromTar(gz, { maxTotalBytes: 50_000 }),
      SbomError,
      'IMAGE_INVALID',
    );
    assert.match(t.message, /maxTotalBytes/);
    await expectCustodyErrorAsync(
      () => readImageFromTar(tar, { maxEntries: 1 }),
      SbomError,
      'IMAGE_INVALID',
    );
  });

  it('checks blob digests, sizes and diff_ids', async () => {
    const { files, built } = await buildOciLayout([
      { layers: [{ files: [{ path: 'a', content: 'a' }] }] },
    ]);
    const layerPath = `blobs/sha256/${built[0]?.layerDigests[0]?.slice(7)}`;
    const tampered = new Map(files);
    const layer = Buffer.from(files.get(layerPath) ?? []);
    layer[520] = 0x62; // 'a' → 'b' in the file's data block
    tampered.set(layerPath, layer);
    const e = await expectCustodyErrorAsync(
      async () => readImageFromTar(await tarOfFiles(tampered)),
      SbomError,
      'IMAGE_INVALID',
    );
    assert.match(e.message, /does not match its digest/);
    const missing = new Map(files);
    missing.delete(layerPath);
    await expectCustodyErrorAsync(
      async () => readImageFromTar(await tarOfFiles(missing)),
      SbomError,
      'IMAGE_INVALID',
    );
  });

  it('refuses a descriptor digest that is not a digest (no path traversal through blobs/)', async () => {
    const { files } = await buildOciLayout([{ layers: [] }]);
    files.set(
      'index.json',
      Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          manifests: [{ digest: 'sha256/../../../etc/passwd', size: 1 }],
        }),
      ),
    );
    const e = await expectCustodyErrorAsync(
      async () => readImageFromTar(await tarOfFiles(files)),
      SbomError,
      'IMAGE_INVALID',
    );
    assert.match(e.message, /not a sha256 or sha512 digest/);
  });

  it('refuses zstd layers, malformed JSON and archives that are no image', async () => {
    const zstd = Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0]);
    const { files } = await buildOciLayout([{ layers: [] }]);
    const layout = new Map(files);
    // a docker save with a zstd layer
    const docker = new Map<string, Uint8Array>([
      ['manifest.json', Buffer.from(JSON.stringify([{ Config: 'c.json', Layers: ['l.tar'] }]))],
      ['c.json', Buffer.from('{"architecture":"amd64","os":"linux"}')],
      ['l.tar', zstd],
    ]);
    const z = await expectCustodyErrorAsync(
      async () => readImageFromTar(await tarOfFiles(docker)),
      SbomError,
      'IMAGE_INVALID',
    );
    assert.match(z.message, /zstd/);
    layout.set('index.json', Buffer.from('{not json'));
    await expectCustodyErrorAsync(
      async () => readImageFromTar(await tarOfFiles(layout)),
      SbomError,
      'IMAGE_INVALID',
    );
    const none = await buildTar([{ path: 'package.json', content: '{}' }]);
    const n = await expectCustodyErrorAsync(
      () => readImageFromTar(none),
      SbomError,
      'IMAGE_INVALID',
    );
    assert.match(n.message, /neither a docker save archive/);
    await expectCustodyErrorAsync(
      () => readImageFromTar(Buffer.from('{"lockfileVersion":3}')),
      SbomError,
      'IMAGE_INVALID',
    );
  });
});

describe('isImageArchive', () => {
  it('recognises docker save and OCI archives by their head', async () => {
    const oci = await ociTar([{ layers: [] }]);
    const legacy = (await buildDockerSave({ layers: [{ files: [{ path: 'a', content: 'a' }] }] }))
      .tar;
    const modern = (await buildDockerSave({ layers: [] }, 'oci')).tar;
    for (const t of [oci, legacy, modern]) assert.ok(isImageArchive(t.subarray(0, 512)));
    assert.ok(isImageArchive(gzipSync(oci).subarray(0, 512)));
  });

  it('rejects lockfiles, other tars and short heads', async () => {
    assert.ok(!isImageArchive(Buffer.from('{"name":"x","lockfileVersion":3}'.padEnd(600))));
    assert.ok(
      !isImageArchive(
        (await buildTar([{ path: 'src/main.c', content: 'int main;' }])).subarray(0, 512),
      ),
    );
    assert.ok(!isImageArchive(new Uint8Array(10)));
    const corrupt = Buffer.from((await ociTar([{ layers: [] }])).subarray(0, 512));
    corrupt[150] = 0x37;
    assert.ok(!isImageArchive(corrupt));
  });
});

describe('readImageFromTar (property)', () => {
  it('arbitrary bytes give an image or a CustodyError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (bytes) => {
        try {
          await readImageFromTar(bytes);
        } catch (e) {
          assert.ok(isCustodyError(e), String(e));
        }
      }),
      { numRuns: 200 },
    );
  });

  it('mutated real images give an image or a CustodyError', async () => {
    const base = await ociTar([
      {
        layers: [
          {
            files: [
              { path: 'etc/os-release', content: 'ID=x' },
              { path: 'l', type: 'symlink', target: 'etc' },
            ],
          },
        ],
      },
    ]);
    const docker = (
      await buildDockerSave({ layers: [{ files: [{ path: 'a', content: 'a' }], gzip: true }] })
    ).tar;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(base, docker),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.option(fc.nat(), { nil: undefined }),
        async (orig, edits, cut) => {
          let b = Buffer.from(orig);
          for (const [at, v] of edits) b[at % b.length] = v;
          if (cut !== undefined) b = b.subarray(0, cut % b.length);
          try {
            const img = await readImageFromTar(b);
            for (const p of img.tree.list()) img.tree.read(p);
          } catch (e) {
            assert.ok(isCustodyError(e), String(e));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('layer digests in the result are sha256 of the stored blobs', async () => {
    const { files, built } = await buildOciLayout([
      { layers: [{ files: [{ path: 'a', content: 'a' }], gzip: true }] },
    ]);
    const img = await readImageFromTar(await tarOfFiles(files));
    const d = built[0]?.layerDigests[0] ?? '';
    assert.equal(
      img.layers[0]?.digest,
      sha256(files.get(`blobs/sha256/${d.slice(7)}`) ?? new Uint8Array()),
    );
  });
});
