export {
  type AuthChallenge,
  parseDockerConfig,
  parseWwwAuthenticate,
  type RegistryCredential,
} from './auth.js';
export {
  type FetchedManifest,
  RegistryClient,
  type RegistryClientOptions,
  type Repository,
  readCapped,
  sha256,
} from './client.js';
export {
  appendCosignLayer,
  type CosignSuffix,
  cosignTag,
  parseSimpleSigning,
  readCosignTag,
  type SimpleSigning,
  simpleSigningPayload,
} from './cosign.js';
export { loadRegistryCredentials } from './credentials.js';
export { isOciError, OciError, type OciErrorCode } from './errors.js';
export {
  type CosignLayout,
  type OciLayout,
  pushOciLayout,
  readCosignLayout,
  readOciLayout,
  writeOciLayout,
} from './layout.js';
export {
  type Descriptor,
  descriptor,
  type ImageIndex,
  type ImageManifest,
  MANIFEST_MAX_BYTES,
  manifestBytes,
  type ParsedManifest,
  parseManifest,
} from './manifest.js';
export {
  BUNDLE_ANNOTATION,
  COSIGN_ANNOTATION,
  EMPTY_JSON,
  EMPTY_JSON_DIGEST,
  MANIFEST_ACCEPT,
  MEDIA,
} from './media-types.js';
export {
  apiHost,
  DOCKER_HUB,
  digestTag,
  formatImageReference,
  type ImageReference,
  isLoopback,
  isSha256Digest,
  parseImageReference,
} from './reference.js';
export {
  type ArtifactLayer,
  fallbackIndex,
  listReferrers,
  pushReferrer,
  type Referrers,
} from './referrers.js';
