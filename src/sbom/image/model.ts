import type { FileTree } from '../model.js';

/** An OS/architecture pair, as OCI image indexes and configs write it. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

/** Limits on what reading an image may hold in memory. */
export interface ImageReadLimits {
  /** Largest single file in a layer (or in a docker-save archive), in bytes. Default 512 MiB. */
  maxFileBytes?: number;
  /** Largest total of uncompressed layer bytes. Default 4 GiB. */
  maxTotalBytes?: number;
  /** Most tar entries over all layers. Default 2,000,000. */
  maxEntries?: number;
}

export interface ImageReadOptions extends ImageReadLimits {
  /** Which platform to pick from an index of several. Default linux/amd64. */
  platform?: Platform;
  /**
   * Which image of a multi-image archive or layout: a repo tag (`alpine:3.18`) or an OCI
   * `org.opencontainers.image.ref.name`. Needed only when there are several.
   */
  ref?: string;
}

export const DEFAULT_IMAGE_LIMITS: Required<ImageReadLimits> = {
  maxFileBytes: 512 * 1024 * 1024,
  maxTotalBytes: 4 * 1024 * 1024 * 1024,
  maxEntries: 2_000_000,
};

/** The parts of the image config Custody reports (OCI image-spec config.md). */
export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  created?: string;
  env: string[];
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  user?: string;
  labels: Record<string, string>;
}

export interface ImageLayer {
  /** The layer blob's digest as stored (compressed for OCI; the layer file's for docker save). */
  digest: string;
  /** sha256 of the uncompressed tar (the config's `rootfs.diff_ids` entry). */
  diffId: string;
  mediaType?: string;
  /** Stored size in bytes. */
  size: number;
}

/** A container image read from a docker-save tarball or an OCI image layout. */
export interface ContainerImage {
  format: 'docker-archive' | 'oci-layout';
  /**
   * The image's identity: for an OCI layout the manifest digest (what a registry reports); for a
   * docker-save archive without OCI index, the config digest (what `docker images` shows as Id).
   */
  digest: string;
  /** sha256 of the config blob, in both formats. */
  configDigest: string;
  config: ImageConfig;
  /** `repo:tag` names the archive or layout gives the image (may be empty). */
  repoTags: string[];
  layers: ImageLayer[];
  /** The final filesystem, layers applied in order. */
  tree: FileTree;
}
