/**
 * Builds container images for tests, without a Docker engine: layer tars (tar-stream), OCI image
 * layouts (as files, a directory or a tar) and `docker save` archives, with real OS package
 * databases from the conformance data placed where the distributions keep them.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { readConformance } from './conformance.js';

/** One member of a layer. Paths are written verbatim (so tests can write hostile ones). */
export type LayerFile =
  | { path: string; type?: 'file'; content: string | Uint8Array }
  | { path: string; type: 'directory' }
  | { path: string; type: 'symlink'; target: string }
  | { path: string; type: 'link'; target: string }
  | { path: string; type: 'fifo' }
  /** Deletes `path` from lower layers: writes `<dir>/.wh.<name>`. */
  | { path: string; type: 'whiteout' }
  /** Hides everything lower layers hold in directory `path`: writes `<path>/.wh..wh..opq`. */
  | { path: string; type: 'opaque' };

export interface LayerSpec {
  files: LayerFile[];
  gzip?: boolean;
}

export interface ImageSpec {
  layers: LayerSpec[];
  os?: string;
  architecture?: string;
  variant?: string;
  env?: string[];
  entrypoint?: string[];
  cmd?: string[];
  labels?: Record<string, string>;
  /** `repo:tag` names (docker save RepoTags; OCI io.containerd.image.name annotations). */
  repoTags?: string[];
}

/** A built image blob set: digests computed as a registry would. */
export interface BuiltImage {
  blobs: Map<string, Uint8Array>;
  manifestDigest: string;
  manifestSize: number;
  configDigest: string;
  layerDigests: string[];
  diffIds: string[];
  spec: ImageSpec;
}

export function sha256(b: Uint8Array): string {
  return `sha256:${createHash('sha256').update(b).digest('hex')}`;
}

/** A tar of `files`, in order, names verbatim. */
export async function buildTar(files: readonly LayerFile[]): Promise<Uint8Array> {
  const p = pack();
  for (const f of files) {
    const slash = f.path.lastIndexOf('/');
    const dir = f.path.slice(0, slash + 1);
    const base = f.path.slice(slash + 1);
    switch (f.type) {
      case 'directory':
        p.entry({ name: f.path, type: 'directory', mode: 0o755 });
        break;
      case 'symlink':
        p.entry({ name: f.path, type: 'symlink', linkname: f.target });
        break;
      case 'link':
        p.entry({ name: f.path, type: 'link', linkname: f.target });
        break;
      case 'fifo':
        p.entry({ name: f.path, type: 'fifo' });
        break;
      case 'whiteout':
        p.entry({ name: `${dir}.wh.${base}`, type: 'file', size: 0 }, Buffer.alloc(0));
        break;
      case 'opaque':
        p.entry(
          { name: `${f.path.replace(/\/$/, '')}/.wh..wh..opq`, type: 'file', size: 0 },
          Buffer.alloc(0),
        );
        break;
      default: {
        const data =
          typeof f.content === 'string' ? Buffer.from(f.content) : Buffer.from(f.content);
        p.entry({ name: f.path, type: 'file', mode: 0o644, size: data.length }, data);
      }
    }
  }
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A tar of whole files (an OCI layout or a docker save archive), with optional symlinks. */
export async function tarOfFiles(
  files: ReadonlyMap<string, Uint8Array>,
  symlinks: Readonly<Record<string, string>> = {},
): Promise<Uint8Array> {
  const members: LayerFile[] = [...files].map(([path, content]) => ({ path, content }));
  for (const [path, target] of Object.entries(symlinks))
    members.push({ path, type: 'symlink', target });
  return buildTar(members);
}

/** Layers, config and manifest blobs of one image. */
export async function buildImageBlobs(spec: ImageSpec): Promise<BuiltImage> {
  const blobs = new Map<string, Uint8Array>();
  const layerDigests: string[] = [];
  const diffIds: string[] = [];
  const layerDescs: object[] = [];
  for (const layer of spec.layers) {
    const tar = await buildTar(layer.files);
    const stored = layer.gzip ? gzipSync(tar) : tar;
    const digest = sha256(stored);
    blobs.set(digest, stored);
    layerDigests.push(digest);
    diffIds.push(sha256(tar));
    layerDescs.push({
      mediaType: `application/vnd.oci.image.layer.v1.tar${layer.gzip ? '+gzip' : ''}`,
      digest,
      size: stored.length,
    });
  }
  const config = Buffer.from(
    JSON.stringify({
      created: '2024-01-01T00:00:00Z',
      architecture: spec.architecture ?? 'amd64',
      os: spec.os ?? 'linux',
      ...(spec.variant ? { variant: spec.variant } : {}),
      config: {
        Env: spec.env ?? ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
        ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
        Cmd: spec.cmd ?? ['/bin/sh'],
        WorkingDir: '/app',
        Labels: spec.labels ?? {},
      },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: spec.layers.map(() => ({ created_by: 'test' })),
    }),
  );
  const configDigest = sha256(config);
  blobs.set(configDigest, config);
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: configDigest,
        size: config.length,
      },
      layers: layerDescs,
    }),
  );
  const manifestDigest = sha256(manifest);
  blobs.set(manifestDigest, manifest);
  return {
    blobs,
    manifestDigest,
    manifestSize: manifest.length,
    configDigest,
    layerDigests,
    diffIds,
    spec,
  };
}

export interface OciLayoutOptions {
  /** Put the platform manifests in an image index blob that index.json points to (buildx, crane). */
  nestedIndex?: boolean;
  /** Add a BuildKit attestation manifest (platform unknown/unknown) beside the images. */
  attestation?: boolean;
}

/** The files of an OCI image layout holding `images` (several = a multi-platform index). */
export async function buildOciLayout(
  images: ImageSpec[],
  opts: OciLayoutOptions = {},
): Promise<{ files: Map<string, Uint8Array>; built: BuiltImage[] }> {
  const files = new Map<string, Uint8Array>();
  files.set('oci-layout', Buffer.from('{"imageLayoutVersion":"1.0.0"}'));
  const built: BuiltImage[] = [];
  const descs: object[] = [];
  for (const spec of images) {
    const b = await buildImageBlobs(spec);
    built.push(b);
    for (const [digest, bytes] of b.blobs) files.set(blobPath(digest), bytes);
    const annotations: Record<string, string> = {};
    const name = spec.repoTags?.[0];
    if (name) {
      annotations['io.containerd.image.name'] = name;
      annotations['org.opencontainers.image.ref.name'] = name.slice(name.lastIndexOf(':') + 1);
    }
    descs.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: b.manifestDigest,
      size: b.manifestSize,
      ...(images.length > 1 || opts.nestedIndex
        ? {
            platform: {
              os: spec.os ?? 'linux',
              architecture: spec.architecture ?? 'amd64',
              ...(spec.variant ? { variant: spec.variant } : {}),
            },
          }
        : {}),
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    });
  }
  if (opts.attestation) {
    const att = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        layers: [],
      }),
    );
    files.set(blobPath(sha256(att)), att);
    descs.push({
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: sha256(att),
      size: att.length,
      platform: { os: 'unknown', architecture: 'unknown' },
      annotations: { 'vnd.docker.reference.type': 'attestation-manifest' },
    });
  }
  const indexOf = (manifests: object[]) =>
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests,
      }),
    );
  if (opts.nestedIndex) {
    const inner = indexOf(descs);
    files.set(blobPath(sha256(inner)), inner);
    files.set(
      'index.json',
      indexOf([
        {
          mediaType: 'application/vnd.oci.image.index.v1+json',
          digest: sha256(inner),
          size: inner.length,
        },
      ]),
    );
  } else files.set('index.json', indexOf(descs));
  return { files, built };
}

/** Write a layout's files under `dir` (a real OCI layout directory). */
export function writeLayoutDir(dir: string, files: ReadonlyMap<string, Uint8Array>): void {
  for (const [path, bytes] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), bytes);
  }
}

/**
 * A `docker save` archive. `style: 'legacy'` writes `<id>/layer.tar` and `<config hex>.json` (Docker
 * before 25); `'oci'` writes what Docker 25+ writes: an OCI layout plus manifest.json, with the
 * legacy layer names as symlinks into blobs/.
 */
export async function buildDockerSave(
  spec: ImageSpec,
  style: 'legacy' | 'oci' = 'legacy',
): Promise<{ tar: Uint8Array; built: BuiltImage }> {
  if (style === 'oci') {
    const { files, built } = await buildOciLayout([spec]);
    const b = built[0] as BuiltImage;
    const hex = (d: string) => d.slice('sha256:'.length);
    const symlinks: Record<string, string> = {};
    const layers = b.layerDigests.map((d) => {
      symlinks[`${hex(d)}/layer.tar`] = `../blobs/sha256/${hex(d)}`;
      return `${hex(d)}/layer.tar`;
    });
    files.set(
      'manifest.json',
      Buffer.from(
        JSON.stringify([
          { Config: blobPath(b.configDigest), RepoTags: spec.repoTags ?? [], Layers: layers },
        ]),
      ),
    );
    return { tar: await tarOfFiles(files, symlinks), built: b };
  }
  const b = await buildImageBlobs(spec);
  const files = new Map<string, Uint8Array>();
  const hex = (d: string) => d.slice('sha256:'.length);
  const layers = b.layerDigests.map((d) => {
    files.set(`${hex(d)}/layer.tar`, b.blobs.get(d) as Uint8Array);
    return `${hex(d)}/layer.tar`;
  });
  files.set(`${hex(b.configDigest)}.json`, b.blobs.get(b.configDigest) as Uint8Array);
  files.set(
    'manifest.json',
    Buffer.from(
      JSON.stringify([
        { Config: `${hex(b.configDigest)}.json`, RepoTags: spec.repoTags ?? [], Layers: layers },
      ]),
    ),
  );
  files.set('repositories', Buffer.from('{}'));
  return { tar: await tarOfFiles(files), built: b };
}

function blobPath(digest: string): string {
  return `blobs/${digest.replace(':', '/')}`;
}

/** A Debian 12 base layer: os-release (symlinked as Debian does), dpkg status, a copyright file. */
export function debianBaseLayer(): LayerFile[] {
  return [
    { path: 'etc/', type: 'directory' },
    {
      path: 'usr/lib/os-release',
      content: 'ID=debian\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n',
    },
    { path: 'etc/os-release', type: 'symlink', target: '../usr/lib/os-release' },
    {
      path: 'var/lib/dpkg/status',
      content: readConformance('lockfiles', 'os', 'cdxgen__debian-status'),
    },
    {
      path: 'usr/share/doc/adduser/copyright',
      content:
        'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nLicense: GPL-2+\n',
    },
    { path: 'bin', type: 'symlink', target: 'usr/bin' },
    { path: 'usr/bin/sh', content: '#!binary' },
  ];
}

/** An Alpine 3.18 base layer: os-release and apk's installed database. */
export function alpineBaseLayer(): LayerFile[] {
  return [
    { path: 'etc/os-release', content: 'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.18.0\n' },
    {
      path: 'lib/apk/db/installed',
      content: readConformance('lockfiles', 'os', 'osv-scalibr__apk.installed'),
    },
  ];
}

/** A distroless-style layer: dpkg status.d files, one package per file. */
export function distrolessLayer(): LayerFile[] {
  return [
    { path: 'etc/os-release', content: 'ID=debian\nVERSION_ID="12"\n' },
    {
      path: 'var/lib/dpkg/status.d/multiple',
      content: readConformance('lockfiles', 'os', 'syft__dpkg-status.d-multiple'),
    },
    { path: 'var/lib/dpkg/status.d/multiple.md5sums', content: '' },
  ];
}

/** An application layer: a real package-lock.json in /app. */
export function nodeAppLayer(): LayerFile[] {
  return [
    { path: 'app/', type: 'directory' },
    {
      path: 'app/package-lock.json',
      content: readConformance(
        'lockfiles',
        'npm',
        'cdxgen__grpc-currency-service.package-lock.v3.json',
      ),
    },
    { path: 'app/package.json', content: '{"name":"currency","version":"1.0.0"}' },
  ];
}
