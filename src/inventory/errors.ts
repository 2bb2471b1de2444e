import { CustodyError } from '../core/index.js';

export type InventoryErrorCode =
  /** A search or listing was asked with missing, conflicting or malformed parameters. */
  | 'INVENTORY_QUERY_INVALID'
  /** A team, product, release, artifact or SBOM that does not exist (or is outside the caller's teams). */
  | 'INVENTORY_NOT_FOUND'
  /** The SBOM failed its team's quality gate. */
  | 'SBOM_GATE_FAILED'
  /** The SBOM's subject digest is not the artifact it was pushed for. */
  | 'SBOM_SUBJECT_MISMATCH'
  /** A name, version or digest given for the inventory is malformed. */
  | 'INVENTORY_INPUT_INVALID';

export class InventoryError extends CustodyError<InventoryErrorCode> {}
