import { CustodyError } from '../../core/index.js';

/** Codes of reading, validating, writing and converting VEX documents (formats/vex/). */
export type VexFormatErrorCode =
  /** The input is not a JSON object. */
  | 'VEX_PARSE'
  /** The document is neither OpenVEX, CycloneDX nor CSAF. */
  | 'VEX_FORMAT_UNKNOWN'
  /** A version of the format Custody does not read (OpenVEX 0.0.1 without --lenient, CycloneDX < 1.4, CSAF ≠ 2.0). */
  | 'VEX_VERSION_UNSUPPORTED'
  /** The document fails its format's JSON schema (`details.errors`: JSON pointers). */
  | 'VEX_SCHEMA_INVALID'
  /** A CSAF document breaks a rule of the VEX profile (`details.errors`: JSON pointers). */
  | 'VEX_PROFILE_INVALID'
  /** A status outside the standard's list (OpenVEX status, CycloneDX analysis state, CSAF product status). */
  | 'VEX_STATUS_INVALID'
  /** A justification (or CSAF flag label) outside the standard's list. */
  | 'VEX_JUSTIFICATION_INVALID'
  /** Conversion to a format Custody does not write. */
  | 'VEX_CONVERT_UNSUPPORTED'
  /** A VEX model a writer cannot express (no statements, a product without any identifier, a bad option). */
  | 'VEX_WRITE_INVALID';

export class VexFormatError extends CustodyError<VexFormatErrorCode> {}
