import { formatDiffText, type SbomDiff } from '../sbom/diff/index.js';

/** An SBOM diff as the terminal shows it (the CLI's release diff and demo). */
export function sbomDiffText(diff: SbomDiff): string {
  return formatDiffText(diff);
}
