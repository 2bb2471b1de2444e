/** The vulnerability use cases: scan an SBOM offline against OSV records (`custody vuln match`). */

export { formatMatchText } from './format-text.js';
export type { LoadedAdvisories, RefusedAdvisory } from './load-advisories.js';
export { loadAdvisories } from './load-advisories.js';
export type { MatchOptions, MatchReport, VexLookup, VexStatus, VulnFinding } from './match-sbom.js';
export { matchSbom, matchSbomFile } from './match-sbom.js';
