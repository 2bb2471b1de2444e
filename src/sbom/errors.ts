import { CustodyError } from '../core/index.js';

export type SbomErrorCode =
  /** A lockfile, manifest or package database could not be read as its format. */
  | 'SBOM_LOCKFILE_PARSE'
  /** Nothing Custody can catalog was found at the given path. */
  | 'SBOM_NOTHING_TO_CATALOG'
  /** An SBOM document is not JSON/XML/tag-value Custody can read. */
  | 'SBOM_PARSE'
  /** The document's format or version could not be detected or is not supported. */
  | 'SBOM_FORMAT_UNKNOWN'
  /** The document does not validate against its official schema. */
  | 'SBOM_SCHEMA_INVALID'
  /** A gate policy file is malformed. */
  | 'SBOM_POLICY_INVALID'
  /** A container image archive or layout is malformed. */
  | 'IMAGE_INVALID'
  /** An image layer holds a path that escapes the root (`..`, absolute, or through a symlink). */
  | 'IMAGE_PATH_ESCAPE'
  /** Conversion asked for a format Custody does not write. */
  | 'SBOM_CONVERT_UNSUPPORTED';

export class SbomError extends CustodyError<SbomErrorCode> {}
