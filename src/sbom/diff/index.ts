export type {
  DiffPackage,
  EdgeChange,
  HashChange,
  LicenseChange,
  SbomDiff,
  VersionChange,
} from './diff.js';
export { diffSboms } from './diff.js';
export { formatDiffText } from './format.js';
export type { VersionPairing } from './pair-versions.js';
export { compareVersionsOf, pairVersions } from './pair-versions.js';
