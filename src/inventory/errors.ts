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
  | 'INVENTORY_INPUT_INVALID'
  /** A Sigstore bundle pushed for an SBOM does not verify over it under the service's trusted root. */
  | 'SBOM_BUNDLE_UNVERIFIED'
  /** A bundle over an SBOM verifies, but its signer is not one of the owning team's signing identities. */
  | 'SBOM_SIGNER_NOT_ADMITTED'
  /** The product name belongs to another team's scope (which team is not said). */
  | 'INVENTORY_CONFLICT';

export class InventoryError extends CustodyError<InventoryErrorCode> {}

/**
 * A push into a product another team owns. The owner is not named: a write must not learn which
 * team holds a name. What to do is said instead.
 */
export function productOfAnotherTeam(product: string): InventoryError {
  return new InventoryError(
    'INVENTORY_CONFLICT',
    `product ${product} belongs to another team's scope; push under a product name your team owns (or a new one), or ask an organisation admin to push it for the team that owns it`,
    { details: { product } },
  );
}
