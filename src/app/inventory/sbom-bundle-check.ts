import { canonicalize } from '../../core/index.js';
import { InventoryError } from '../../inventory/index.js';
import {
  IN_TOTO_PAYLOAD_TYPE,
  PREDICATE_TYPE_ALIASES,
  parseStatement,
  type SigningIdentity,
  type TrustMaterialInput,
  type VerifiedBundle,
} from '../../sign/index.js';
import {
  attempt,
  type BundleRefusals,
  type BundleSigner,
  checkSignedBundle,
  logEntryFor,
} from '../sign/check-signed-bundle.js';

export type { BundleSigner } from '../sign/check-signed-bundle.js';

export interface CheckedBundle {
  content: 'message' | 'dsse';
  signer: BundleSigner;
  /** The bundle's own entry in Custody's log (verified with its inclusion proof), if it has one. */
  custodyLogIndex?: number;
  /** A typed entry for Custody's log (POST /api/v1/tlog/entries), for bundles not logged there. */
  logEntry: Record<string, unknown>;
}

export interface BundleCheckInput {
  /** The bundle's parsed JSON: untrusted. */
  bundle: unknown;
  sbom: { bytes: Uint8Array; digest: string; artifact: string };
  team: string;
  identities: readonly SigningIdentity[];
  trust: TrustMaterialInput;
  /** Custody's own log ID, to tell its entries from other logs'. */
  custodyLogId?: Uint8Array;
}

const SBOM_PREDICATES: readonly string[] = [
  PREDICATE_TYPE_ALIASES.cyclonedx,
  PREDICATE_TYPE_ALIASES.spdx,
];

const SBOM_REFUSALS: BundleRefusals = {
  unverified: (message, o) => new InventoryError('SBOM_BUNDLE_UNVERIFIED', message, o),
  notAdmitted: (message, details) =>
    new InventoryError('SBOM_SIGNER_NOT_ADMITTED', message, { details }),
};

/**
 * Verify a Sigstore bundle over an SBOM and admit its signer against the owning team's list
 * (`checkSignedBundle`: certificate identities and registered keys). A message signature must be
 * over the SBOM's bytes; a DSSE attestation must name the SBOM as a subject, or the artifact as
 * its subject with this very SBOM (same JSON) as its predicate.
 * @throws SignError SIGN_BUNDLE_MALFORMED; InventoryError SBOM_BUNDLE_UNVERIFIED,
 *   SBOM_SIGNER_NOT_ADMITTED
 */
export async function checkSbomBundle(o: BundleCheckInput): Promise<CheckedBundle> {
  const checked = await checkSignedBundle({
    bundle: o.bundle,
    bytes: o.sbom.bytes,
    what: 'this SBOM',
    team: o.team,
    identities: o.identities,
    trust: o.trust,
    ...(o.custodyLogId !== undefined ? { custodyLogId: o.custodyLogId } : {}),
    keys: true,
    dsse: true,
    refuse: SBOM_REFUSALS,
  });
  if (checked.content === 'dsse') assertAboutSbom(checked.verified, o.sbom);
  return {
    content: checked.content,
    signer: checked.signer,
    ...(checked.custodyLogIndex !== undefined ? { custodyLogIndex: checked.custodyLogIndex } : {}),
    logEntry: logEntryFor(o.bundle, 'sbom', o.sbom.digest, checked),
  };
}

/** A DSSE bundle must be an in-toto statement about the SBOM (or its artifact, with it inside). */
function assertAboutSbom(v: VerifiedBundle, sbom: BundleCheckInput['sbom']): void {
  const dsse = v.dsse;
  if (dsse === undefined || dsse.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    throw mismatch(
      `the DSSE payload is ${dsse?.payloadType ?? 'missing'}, not an in-toto statement`,
    );
  }
  const statement = attempt({ what: 'this SBOM', refuse: SBOM_REFUSALS }, () =>
    parseStatement(dsse.payload),
  );
  const has = (digest: string) =>
    statement.subject.some((s) => s.digest['sha256'] === digest.slice('sha256:'.length));
  if (has(sbom.digest)) return;
  if (has(sbom.artifact) && SBOM_PREDICATES.includes(statement.predicateType)) {
    let same = false;
    try {
      const doc = JSON.parse(Buffer.from(sbom.bytes).toString('utf8')) as unknown;
      same = canonicalize(doc) === canonicalize(statement.predicate);
    } catch {
      same = false;
    }
    if (same) return;
    throw mismatch('the attestation is about the artifact, but its predicate is not this SBOM');
  }
  throw mismatch(`no subject of the attestation is the SBOM (${sbom.digest}) or its artifact`);
}

function mismatch(why: string): InventoryError {
  return new InventoryError(
    'SBOM_BUNDLE_UNVERIFIED',
    `The bundle does not verify over this SBOM: ${why}`,
    {
      details: { reason: 'SIGN_ATTESTATION_MISMATCH' },
    },
  );
}
