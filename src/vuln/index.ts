/**
 * The vuln domain's public surface: code outside src/vuln/ imports it from here. Advisories
 * (OSV, read by formats/), each ecosystem's version rules on core/vers, matching, CVSS, KEV, EPSS.
 */

export type { AdvisoryHit, AdvisoryIndex, AdvisoryProblem, PurlMatch } from './advisory-index.js';
export { createAdvisoryIndex, matchPurl } from './advisory-index.js';
export type { CompiledAffected, EvaluateOptions, VersionVerdict } from './affected.js';
export { compileAffected } from './affected.js';
export type { CvssScore, SeverityRating } from './cvss.js';
export { computeCvss, ratingOf } from './cvss.js';
export type { OsvEcosystemParts } from './ecosystems.js';
export {
  OSV_ECOSYSTEM_SCHEMES,
  osvEcosystemScheme,
  osvEcosystemSchemeName,
  releaseCovers,
  splitOsvEcosystem,
} from './ecosystems.js';
export type { EpssScore, EpssScores } from './epss.js';
export { parseEpssCsv } from './epss.js';
export type { VulnErrorCode } from './errors.js';
export { VulnError } from './errors.js';
export type { KevCatalogue, KevEntry } from './kev.js';
export { parseKevCatalogue } from './kev.js';
export type { OsvPackageRef } from './purl-package.js';
export { nameKey, osvPackageOfPurl } from './purl-package.js';
export type { Finding, ScanProblem, ScanResult, SkippedComponent } from './scan.js';
export { scanPurls } from './scan.js';
export type { Severity } from './severity.js';
export { cvssScoresOf, ratingOfLabel, severityOf } from './severity.js';
