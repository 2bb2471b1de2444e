import { CustodyError } from '../../core/index.js';

/** Codes of the service's vulnerability views (ingest refusals use the OSV_* and VULN_* codes). */
export type VulnServiceErrorCode =
  /** No advisory with this id or alias. */
  | 'VULN_ADVISORY_NOT_FOUND'
  /** A filter or paging parameter of GET /api/v1/vulnerabilities is malformed. */
  | 'VULN_QUERY_INVALID';

export class VulnServiceError extends CustodyError<VulnServiceErrorCode> {}
