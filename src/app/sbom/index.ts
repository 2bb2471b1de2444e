/**
 * The SBOM use cases on files, what `custody sbom …` and the library call: read, validate,
 * score and gate, align, diff, convert.
 */
export type { AlignReport } from '../../sbom/align/index.js';
// Text renderings of the results, for the faces (they live beside the reports they render).
export { formatAlignText } from '../../sbom/align/index.js';
export type { SbomDiff } from '../../sbom/diff/index.js';
export { formatDiffText } from '../../sbom/diff/index.js';
export type { GatePolicy, GateResult, QualityReport } from '../../sbom/quality/index.js';
export { formatGateText, formatQualityText } from '../../sbom/quality/index.js';
export { alignFiles, diffFiles } from './compare-files.js';
export { convertFile } from './convert-file.js';
export { readSbomFile, type SbomFile } from './read-sbom-file.js';
export { type CheckOutcome, checkFile, scoreFile } from './score-file.js';
export { validateFile } from './validate-file.js';
