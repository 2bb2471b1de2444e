export { isImageArchive, isOciLayout, OCI_LAYOUT_FILE } from './detect.js';
export { MemoryFileTree } from './memory-tree.js';
export type {
  ContainerImage,
  ImageConfig,
  ImageLayer,
  ImageReadLimits,
  ImageReadOptions,
  Platform,
} from './model.js';
export { DEFAULT_IMAGE_LIMITS } from './model.js';
export { type LayoutReader, readImageFromLayout } from './oci-layout.js';
export { readImageFromTar } from './read-image.js';
