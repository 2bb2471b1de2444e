import { sha256Digest } from '../../core/index.js';
import { applyLayer } from './apply-layer.js';
import { decompressLayer } from './decompress.js';
import { imageInvalid } from './image-error.js';
import { MemoryFileTree } from './memory-tree.js';
import { DEFAULT_IMAGE_LIMITS, type ImageLayer, type ImageReadLimits } from './model.js';
import { readTar } from './tar.js';

/** One stored layer to apply. */
export interface LayerBlob {
  /** How errors name it: `blobs/sha256/ab12…` or `ab12…/layer.tar`. */
  what: string;
  bytes: Uint8Array;
  digest: string;
  mediaType?: string;
  /** The config's diff_id for this layer, verified when given. */
  diffId?: string;
}

/**
 * Apply `layers` bottom-up to an empty filesystem, within `limits` (uncompressed bytes and
 * entries summed over all layers, each member under the per-file cap).
 *
 * @throws SbomError IMAGE_INVALID (corrupt layer, diff_id mismatch, limits), IMAGE_PATH_ESCAPE
 */
export async function buildImageTree(
  layers: readonly LayerBlob[],
  limits: ImageReadLimits = {},
): Promise<{ tree: MemoryFileTree; layers: ImageLayer[] }> {
  const maxFileBytes = limits.maxFileBytes ?? DEFAULT_IMAGE_LIMITS.maxFileBytes;
  const maxTotal = limits.maxTotalBytes ?? DEFAULT_IMAGE_LIMITS.maxTotalBytes;
  let entriesLeft = limits.maxEntries ?? DEFAULT_IMAGE_LIMITS.maxEntries;
  let total = 0;
  const tree = new MemoryFileTree();
  const out: ImageLayer[] = [];
  for (const layer of layers) {
    const tar = decompressLayer(layer.bytes, layer.what, maxTotal - total);
    total += tar.length;
    if (total > maxTotal) {
      throw imageInvalid(
        layer.what,
        `brings the image past ${maxTotal} uncompressed bytes (limit maxTotalBytes)`,
      );
    }
    const diffId = sha256Digest(tar);
    if (layer.diffId !== undefined && layer.diffId !== diffId) {
      throw imageInvalid(
        layer.what,
        `uncompressed digest ${diffId} differs from the config's diff_id ${layer.diffId}`,
      );
    }
    const entries = await readTar(tar, layer.what, { maxFileBytes, maxEntries: entriesLeft });
    entriesLeft -= entries.length;
    applyLayer(tree, entries, layer.what);
    const info: ImageLayer = { digest: layer.digest, diffId, size: layer.bytes.length };
    if (layer.mediaType) info.mediaType = layer.mediaType;
    out.push(info);
  }
  return { tree, layers: out };
}
