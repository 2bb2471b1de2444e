import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { basename, join, relative, resolve, sep } from 'node:path';
import { formatPurl } from '../core/purl/index.js';
import { isImageArchive, isOciLayout, OCI_LAYOUT_FILE } from '../sbom/image/detect.js';
import type { ContainerImage } from '../sbom/image/index.js';
import type { Component, FileTree } from '../sbom/model.js';

/** An image found at a path: an archive file, or an OCI layout directory. */
export type ImageInput = { kind: 'archive'; path: string } | { kind: 'layout'; path: string };

/** Whether `abs` is a container image (by content, not by name); undefined when it is not. */
export async function sniffImage(
  abs: string,
  isDirectory: boolean,
): Promise<ImageInput | undefined> {
  if (isDirectory) {
    const marker = join(abs, OCI_LAYOUT_FILE);
    return existsSync(marker) && isOciLayout(readFileSync(marker))
      ? { kind: 'layout', path: abs }
      : undefined;
  }
  const head = Buffer.alloc(512);
  const fd = openSync(abs, 'r');
  try {
    readSync(fd, head, 0, 512, 0);
  } finally {
    closeSync(fd);
  }
  return isImageArchive(head) ? { kind: 'archive', path: abs } : undefined;
}

export interface OpenedImage {
  tree: FileTree;
  name: string;
  subject: Component;
  properties: Record<string, string>;
}

/**
 * Read the image and describe it as the SBOM's subject: a `container` component whose purl is
 * `pkg:oci/<name>@sha256:…` and whose hash is the image digest.
 */
export async function openImage(input: ImageInput): Promise<OpenedImage> {
  // The readers (tar-stream, layer application) load only when an image is actually read.
  const { readImageFromLayout, readImageFromTar } = await import('../sbom/image/index.js');
  const image =
    input.kind === 'archive'
      ? await readImageFromTar(readFileSync(input.path))
      : await readImageFromLayout((rel) => readInside(input.path, rel));
  return describe(image, basename(input.path).replace(/\.(tar|tgz|tar\.gz)$/, ''));
}

function describe(image: ContainerImage, fallback: string): OpenedImage {
  const tag = image.repoTags[0];
  const repo = tag ? tag.replace(/:[^:/]*$/, '') : fallback;
  const name = repo.split('/').pop() ?? repo;
  const [alg, hex] = image.digest.split(':');
  const qualifiers: Record<string, string> = {};
  if (tag && repo.includes('/')) qualifiers['repository_url'] = repo;
  if (tag) qualifiers['tag'] = tag.slice(repo.length + 1);
  if (image.config.architecture) qualifiers['arch'] = image.config.architecture;
  const purl = formatPurl({
    type: 'oci',
    name: name.toLowerCase(),
    version: image.digest,
    qualifiers,
  });
  const subject: Component = {
    ref: purl,
    type: 'container',
    ecosystem: 'oci',
    name: repo,
    version: image.digest,
    purl,
    hashes: alg === 'sha256' && hex ? [{ alg: 'SHA-256', content: hex }] : [],
    licenses: [],
    dependsOn: [],
  };
  const properties: Record<string, string> = {
    'custody:image:digest': image.digest,
    'custody:image:config-digest': image.configDigest,
    'custody:image:format': image.format,
  };
  if (image.config.os)
    properties['custody:image:platform'] = [
      image.config.os,
      image.config.architecture,
      image.config.variant,
    ]
      .filter(Boolean)
      .join('/');
  image.layers.forEach((l, i) => {
    properties[`custody:image:layer:${String(i).padStart(3, '0')}`] = l.digest;
  });
  if (tag) properties['custody:image:tags'] = image.repoTags.join(',');
  return { tree: image.tree, name: repo, subject, properties };
}

// Layout readers get relative paths from the image's own index; refuse any that leave the folder.
function readInside(root: string, rel: string): Uint8Array | undefined {
  const abs = resolve(root, rel);
  const r = relative(root, abs);
  if (r.startsWith('..') || r.includes(`..${sep}`)) return undefined;
  return existsSync(abs) ? readFileSync(abs) : undefined;
}
