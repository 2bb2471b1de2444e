import { closeSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import {
  type ContainerImage,
  isImageArchive,
  isOciLayout,
  OCI_LAYOUT_FILE,
  readImageFromLayout,
  readImageFromTar,
} from '../sbom/index.js';

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

/** Read the image at `input` from disk (untrusted: the readers check digests and paths). */
export async function readImage(input: ImageInput): Promise<ContainerImage> {
  return input.kind === 'archive'
    ? readImageFromTar(readFileSync(input.path))
    : readImageFromLayout((rel) => readInside(input.path, rel));
}

// Layout readers get relative paths from the image's own index; refuse any that leave the folder.
function readInside(root: string, rel: string): Uint8Array | undefined {
  const abs = resolve(root, rel);
  const r = relative(root, abs);
  if (r.startsWith('..') || r.includes(`..${sep}`)) return undefined;
  return existsSync(abs) ? readFileSync(abs) : undefined;
}
