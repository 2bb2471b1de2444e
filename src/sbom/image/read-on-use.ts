import type { ContainerImage, ImageReadOptions } from './model.js';
import type { LayoutReader } from './oci-layout.js';

// The image readers bring tar, gzip and layer application (~25 ms to load) that most runs never
// use: these load them on the first image read, so importing sbom/ stays cheap.

/** readImageFromTar (read-image.ts), loaded on first use. */
export async function readImageFromTar(
  bytes: Uint8Array,
  opts?: ImageReadOptions,
): Promise<ContainerImage> {
  const { readImageFromTar: read } = await import('./read-image.js');
  return read(bytes, opts);
}

/** readImageFromLayout (oci-layout.ts), loaded on first use. */
export async function readImageFromLayout(
  readFile: LayoutReader,
  opts?: ImageReadOptions,
): Promise<ContainerImage> {
  const { readImageFromLayout: read } = await import('./oci-layout.js');
  return read(readFile, opts);
}
