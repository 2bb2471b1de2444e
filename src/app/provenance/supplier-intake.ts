import { type Caller, inScope, requirePermission } from '../../access/index.js';
import { parseJson } from '../../core/index.js';
import { InventoryError } from '../../inventory/index.js';
import { assessProvenance, type SlsaBuildLevel, type SlsaGap } from '../../policy/index.js';
import type { SigningIdentity } from '../../sign/index.js';
import { BlobStore } from '../../store/blobs.js';
import { findProduct, findRelease, findTeam } from '../../store/catalogue.js';
import {
  findTeamSlsaSettings,
  insertSupplierIntake,
  markSupplier,
} from '../../store/release-evidence.js';
import { audit } from '../audit-trail.js';
import { ingestSbom } from '../inventory/ingest-sbom.js';
import { checkSbomBundle } from '../inventory/sbom-bundle-check.js';
import { attachSbomBundle } from '../inventory/sign-sbom.js';
import { notFound, requireTeam } from '../inventory/team-scope.js';
import { recheckCaller } from '../recheck-caller.js';
import { nowIso, type Services } from '../services.js';
import { serviceTrust } from '../trust/served-trusted-root.js';
import { attachAttestation } from './attach-attestation.js';
import { checkAttestation } from './check-attestation.js';
import { ProvenanceServiceError } from './errors.js';
import { buildersOf, slsaSettingsOf } from './slsa-settings.js';
import type { AttestationView } from './views.js';

export interface SupplierIntakeInput {
  product: string;
  release: string;
  team?: string;
  vendor?: string;
  /** `sha256:<hex>` of the vendor's binary, as the intake computed it. */
  artifact: string;
  /** The vendor's SBOM, its bytes as received. */
  sbom: Uint8Array;
  /** A Sigstore bundle over the SBOM, when the vendor signed it. */
  sbomBundle?: Uint8Array;
  /** The vendor's provenance: a Sigstore bundle with a SLSA provenance statement. */
  provenance: Uint8Array;
  /** The level to require; default: the team's supplier level. */
  requiredLevel?: SlsaBuildLevel;
  trustedRoot?: () => unknown;
}

export interface SupplierIntakeResult {
  id: number;
  product: string;
  release: string;
  artifact: string;
  vendor: string | null;
  requiredLevel: SlsaBuildLevel;
  assessedLevel: SlsaBuildLevel;
  evidence: string[];
  gaps: SlsaGap[];
  sbom: { id: number; signed: boolean };
  attestations: AttestationView[];
}

/**
 * Take in a vendor's binary with its SBOM and provenance. Everything is checked before anything is
 * written: the provenance verifies under the team's signing identities and names the artifact's
 * digest, its SLSA level reaches the required one, and the SBOM's signature bundle (if any)
 * verifies over it. Then the SBOM is ingested filed under the artifact's digest (ingest refuses an
 * SBOM whose subject is another artifact: SBOM_SUBJECT_MISMATCH), signed, the provenance stored,
 * and the product marked `supplier` with an intake record. Each of those writes is its own
 * transaction; after the checks they fail only if the team's trust changes meanwhile.
 * @throws ProvenanceServiceError SLSA_LEVEL_BELOW_REQUIRED, ATTESTATION_*; InventoryError
 *   (ingest, SBOM_BUNDLE_UNVERIFIED, SBOM_SIGNER_NOT_ADMITTED); AccessError
 */
export async function supplierIntake(
  s: Services,
  caller: Caller,
  input: SupplierIntakeInput,
): Promise<SupplierIntakeResult> {
  requirePermission(caller.principal, 'inventory:write');
  const artifact = input.artifact.toLowerCase();
  if (!/^sha256:[0-9a-f]{64}$/.test(artifact)) {
    throw new InventoryError('INVENTORY_INPUT_INVALID', 'artifact must be sha256:<64 hex>');
  }
  const existing = await findProduct(s.db.read, input.product);
  const teamName = existing?.team ?? input.team ?? soleTeam(caller);
  requireTeam(caller, teamName, `team ${teamName}`);
  const team = await findTeam(s.db.read, teamName);
  if (!team) throw notFound(`team ${teamName}`);
  const identities = JSON.parse(team.signing_identities) as SigningIdentity[];
  const settings = slsaSettingsOf(
    (await findTeamSlsaSettings(s.db.read, teamName))?.slsa_settings ?? null,
  );

  const checked = await checkAttestation(s, {
    bundle: parseJson(input.provenance, 'provenance bundle', { maxDepth: 64 }),
    team: teamName,
    identities,
    artifacts: [{ id: 0, digest: artifact }],
    trustedRoot: input.trustedRoot,
  });
  if (checked.facts === undefined) {
    throw new ProvenanceServiceError(
      'ATTESTATION_STATEMENT_INVALID',
      `The provenance's predicate type is ${checked.statement.predicateType.slice(0, 200)}, not SLSA provenance`,
    );
  }
  const signer = checked.signer;
  const assessed = assessProvenance(
    {
      artifact,
      predicateType: checked.statement.predicateType,
      builderId: checked.facts.builderId,
      buildType: checked.facts.buildType,
      externalParameters: checked.facts.externalParameters,
      signer:
        signer.kind === 'identity'
          ? { kind: 'identity', identity: signer.identity, issuer: signer.issuer }
          : { kind: 'key', name: signer.name, hint: signer.hint },
      emergency: checked.emergency,
      dependencies: checked.facts.dependencies,
      pinned: checked.facts.pinned,
    },
    buildersOf(settings),
  );
  const required = input.requiredLevel ?? settings.supplierLevel;
  if (assessed.level < required) {
    throw new ProvenanceServiceError(
      'SLSA_LEVEL_BELOW_REQUIRED',
      `The vendor's provenance supports SLSA Build L${assessed.level}; L${required} is required: ${assessed.gaps.map((g) => g.message).join('; ')}`,
      { details: { assessed: assessed.level, required, gaps: assessed.gaps } },
    );
  }
  if (input.sbomBundle !== undefined) {
    await checkSbomBundle({
      bundle: parseJson(input.sbomBundle, 'SBOM bundle', { maxDepth: 64 }),
      sbom: { bytes: input.sbom, digest: BlobStore.digestOf(input.sbom), artifact },
      team: teamName,
      identities,
      trust: serviceTrust(s, input.trustedRoot),
    });
  }

  const ingested = await ingestSbom(s, caller, {
    bytes: input.sbom,
    product: input.product,
    release: input.release,
    artifact,
    team: teamName,
  });
  let signed = ingested.sbom.signed;
  if (input.sbomBundle !== undefined) {
    await attachSbomBundle(s, caller, {
      sbomId: ingested.sbom.id,
      bytes: input.sbomBundle,
      ...(input.trustedRoot ? { trustedRoot: input.trustedRoot } : {}),
    });
    signed = true;
  }
  const attached = await attachAttestation(s, caller, {
    product: input.product,
    release: input.release,
    bytes: input.provenance,
    artifact,
    ...(input.trustedRoot ? { trustedRoot: input.trustedRoot } : {}),
  });
  const now = nowIso(s);
  const row = await s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, now);
    const product = await findProduct(trx, input.product);
    const release = product && (await findRelease(trx, product.id, input.release));
    if (!product || !release || !inScope(caller.principal, product.team)) {
      throw notFound(`release ${input.product} ${input.release}`);
    }
    const art = await trx
      .selectFrom('artifacts')
      .select('id')
      .where('release_id', '=', release.id)
      .where('digest', '=', artifact)
      .executeTakeFirstOrThrow();
    await markSupplier(trx, product.id);
    const r = await insertSupplierIntake(trx, {
      product_id: product.id,
      release_id: release.id,
      artifact_id: art.id,
      vendor: input.vendor ?? null,
      required_level: required,
      assessed_level: assessed.level,
      sbom_id: ingested.sbom.id,
      attestation_id: attached.attestations[0]?.id ?? null,
      created_at: now,
      created_by: caller.principal.actor,
    });
    await audit(
      trx,
      caller,
      {
        action: 'supplier.intake',
        target: `release:${release.id}`,
        team: product.team,
        details: {
          artifact,
          vendor: input.vendor ?? null,
          required,
          assessed: assessed.level,
          sbom: ingested.sbom.id,
        },
      },
      now,
    );
    return r;
  });
  return {
    id: row.id,
    product: input.product,
    release: input.release,
    artifact,
    vendor: row.vendor,
    requiredLevel: required,
    assessedLevel: assessed.level,
    evidence: assessed.evidence,
    gaps: assessed.gaps,
    sbom: { id: ingested.sbom.id, signed },
    attestations: attached.attestations,
  };
}

function soleTeam(caller: Caller): string {
  const teams = caller.principal.teams;
  if (teams === undefined) return 'default';
  if (teams.length === 1) return teams[0] as string;
  throw new InventoryError(
    'INVENTORY_INPUT_INVALID',
    `This token belongs to several teams (${teams.join(', ')}); say which one owns the supplier product with team`,
  );
}
