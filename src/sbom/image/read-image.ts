import { ArchiveFiles } from './archive-files.js';
import { decompressLayer } from './decompress.js';
import { readDockerArchive, readDockerManifest } from './docker-archive.js';
import { imageInvalid } from './image-error.js';
import { type ContainerImage, DEFAULT_IMAGE_LIMITS, type ImageReadOptions } from './model.js';
import { readImageFromLayout } from './oci-layout.js';
import { readTar } from './tar.js';

/**
 * Read a container image from the bytes of an archive: a `docker save` tarball, or a tar of an
 * OCI image layout (what `docker save` writes since Docker 25 is both; it is read as the OCI
 * layout, so `digest` is the manifest digest, and manifest.json's RepoTags are added). The
 * archive itself may be gzip-compressed. Untrusted input.
 *
 * @example
 *   const image = await readImageFromTar(await readFile('app.tar'));
 *   for (const path of image.tree.list()) …
 * @throws SbomError IMAGE_INVALID (malformed, over the limits), IMAGE_PATH_ESCAPE (a layer writes
 *   outside the root)
 */
export async function readImageFromTar(
  bytes: Uint8Array,
  opts: ImageReadOptions = {},
): Promise<ContainerImage> {
  const maxTotal = opts.maxTotalBytes ?? DEFAULT_IMAGE_LIMITS.maxTotalBytes;
  const tar = decompressLayer(bytes, 'image archive', maxTotal);
  const entries = await readTar(tar, 'image archive', {
    maxFileBytes: maxTotal,
    maxEntries: opts.maxEntries ?? DEFAULT_IMAGE_LIMITS.maxEntries,
  });
  const files = new ArchiveFiles(entries);
  if (files.has('oci-layout') && files.has('index.json')) {
    const image = await readImageFromLayout((p) => files.read(p), opts);
    if (files.has('manifest.json')) addDockerTags(image, files);
    return image;
  }
  if (files.has('manifest.json')) return readDockerArchive(files, opts);
  throw imageInvalid(
    'image archive',
    'is neither a docker save archive (manifest.json) nor an OCI image layout (oci-layout, index.json)',
  );
}

// Docker 25+ archives name the image in manifest.json; match its entry by config digest.
function addDockerTags(image: ContainerImage, files: ArchiveFiles): void {
  let entries: ReturnType<typeof readDockerManifest>;
  try {
    entries = readDockerManifest(files);
  } catch {
    return; // the OCI layout was complete; a broken legacy manifest adds nothing
  }
  const hex = image.configDigest.replace(/^sha256:/, '');
  for (const e of entries) {
    if (!e.config.includes(hex)) continue;
    for (const tag of e.repoTags) if (!image.repoTags.includes(tag)) image.repoTags.push(tag);
  }
}
