import { CustodyError } from '../core/index.js';

export type VulnErrorCode =
  /** A CVSS vector is malformed or incomplete (every base metric is needed for a base score). */
  | 'VULN_CVSS_INVALID'
  /** A KEV catalogue does not follow CISA's schema. */
  | 'VULN_KEV_INVALID'
  /** An EPSS file does not follow FIRST's CSV format. */
  | 'VULN_EPSS_INVALID'
  /** An OSV ecosystem or purl type that Custody has no version rules for was asked for by name. */
  | 'VULN_ECOSYSTEM_UNSUPPORTED'
  /** A scan was given no advisory at all (an empty folder, or only files that are not records). */
  | 'VULN_NO_ADVISORIES';

export class VulnError extends CustodyError<VulnErrorCode> {}
