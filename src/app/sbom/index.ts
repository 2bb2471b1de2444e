/**
 * The SBOM use cases on files, what `custody sbom …` and the library call: read, validate,
 * score and gate, align, diff, convert.
 */
export type {
  AlignReport,
  GatePolicy,
  GateResult,
  QualityReport,
  SbomDiff,
} from '../../sbom/index.js';
// Text renderings of the results, for the faces (they live beside the reports they render).
export {
  formatAlignText,
  formatDiffText,
  formatGateText,
  formatQualityText,
} from '../../sbom/index.js';
export { alignFiles, diffFiles } from './compare-files.js';
export { convertFile } from './convert-file.js';
export { readSbomFile, type SbomFile } from './read-sbom-file.js';
export { type CheckOutcome, checkFile, scoreFile } from './score-file.js';
export { validateFile } from './validate-file.js';
