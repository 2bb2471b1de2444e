import { sha256Digest } from '../../core/index.js';
import type { ArchiveFiles } from './archive-files.js';
import { buildImageTree, type LayerBlob } from './build-tree.js';
import { parseImageConfig } from './image-config.js';
import { imageInvalid } from './image-error.js';
import {
  expectArray,
  expectObject,
  expectString,
  field,
  type JsonObject,
  parseImageJson,
  stringArray,
} from './json-shapes.js';
import type { ContainerImage, ImageReadOptions } from './model.js';

/** One entry of `docker save`'s manifest.json. */
export interface DockerManifestEntry {
  config: string;
  repoTags: string[];
  layers: string[];
}

/**
 * Read a `docker save` archive through its `manifest.json` (`[{Config, RepoTags, Layers}]`):
 * the config and the layer tars (plain or gzip), applied in order. `digest` is the config digest,
 * which docker reports as the image Id. The config's digest is checked when its name carries one
 * (`<hex>.json`, `blobs/sha256/<hex>`), each layer against the config's diff_ids.
 *
 * @throws SbomError IMAGE_INVALID, IMAGE_PATH_ESCAPE
 */
export async function readDockerArchive(
  files: ArchiveFiles,
  opts: ImageReadOptions = {},
): Promise<ContainerImage> {
  const entry = chooseEntry(readDockerManifest(files), opts.ref);
  const configBytes = files.read(entry.config);
  if (!configBytes)
    throw imageInvalid(entry.config, 'is named in manifest.json but missing from the archive');
  const configDigest = sha256Digest(configBytes);
  const named = /(?:^|\/)(?:sha256\/)?([a-f0-9]{64})(?:\.json)?$/.exec(entry.config)?.[1];
  if (named && `sha256:${named}` !== configDigest) {
    throw imageInvalid(entry.config, `does not match the digest in its name (${configDigest})`);
  }
  const { config, diffIds } = parseImageConfig(configBytes, entry.config);
  const blobs: LayerBlob[] = entry.layers.map((path, i) => {
    const bytes = files.read(path);
    if (!bytes) throw imageInvalid(path, 'is named in manifest.json but missing from the archive');
    const blob: LayerBlob = { what: path, bytes, digest: sha256Digest(bytes) };
    const diffId = diffIds.length === entry.layers.length ? diffIds[i] : undefined;
    if (diffId) blob.diffId = diffId;
    return blob;
  });
  const { tree, layers } = await buildImageTree(blobs, opts);
  return {
    format: 'docker-archive',
    digest: configDigest,
    configDigest,
    config,
    repoTags: entry.repoTags,
    layers,
    tree,
  };
}

/**
 * The entries of `manifest.json`.
 * @throws SbomError IMAGE_INVALID
 */
export function readDockerManifest(files: ArchiveFiles): DockerManifestEntry[] {
  const bytes = files.read('manifest.json');
  if (!bytes) throw imageInvalid('manifest.json', 'is missing from the docker save archive');
  return expectArray(parseImageJson(bytes, 'manifest.json'), 'manifest.json').map((v, i) => {
    const what = `manifest.json entry ${i}`;
    const o: JsonObject = expectObject(v, what);
    const layers = stringArray(field(o, 'Layers'));
    if (!layers) throw imageInvalid(what, 'needs a "Layers" array of paths');
    return {
      config: expectString(o, 'Config', what),
      repoTags: stringArray(field(o, 'RepoTags')) ?? [],
      layers,
    };
  });
}

function chooseEntry(entries: DockerManifestEntry[], ref: string | undefined): DockerManifestEntry {
  if (ref !== undefined) {
    const hit = entries.find((e) => e.repoTags.some((t) => t === ref || t.endsWith(`/${ref}`)));
    if (!hit) throw imageInvalid('manifest.json', `has no image tagged "${ref}"`);
    return hit;
  }
  if (entries.length === 1) return entries[0] as DockerManifestEntry;
  if (entries.length === 0) throw imageInvalid('manifest.json', 'lists no image');
  const tags = entries.flatMap((e) => e.repoTags).join(', ') || 'untagged';
  throw imageInvalid(
    'manifest.json',
    `holds ${entries.length} images (${tags}); choose one with the ref option`,
  );
}
