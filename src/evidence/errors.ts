import { CustodyError } from '../core/index.js';

export type EvidenceErrorCode =
  /** The file is not a tar archive Custody wrote: unreadable, a link or directory, a bad name. */
  | 'EVIDENCE_TAR_MALFORMED'
  /** Over a limit: entries in the archive, bytes of one entry, or bytes in all. */
  | 'EVIDENCE_TOO_LARGE'
  /** The archive has no readable `manifest.json` (or its signature envelope is not one). */
  | 'EVIDENCE_MANIFEST_INVALID'
  /** The service cannot sign a bundle: it runs without its transparency log and signing key. */
  | 'EVIDENCE_UNAVAILABLE';

export class EvidenceError extends CustodyError<EvidenceErrorCode> {}
