import { type Caller, inScope, requirePermission } from '../../access/index.js';
import { parseJson } from '../../core/index.js';
import { InventoryError } from '../../inventory/index.js';
import type { SigningIdentity } from '../../sign/index.js';
import { BlobStore } from '../../store/blobs.js';
import { findReleaseById, findSbom, findTeam } from '../../store/catalogue.js';
import {
  bundleDigestStored,
  findSbomSignature,
  insertSbomSignature,
  type SbomSignatureRow,
} from '../../store/sbom-signatures.js';
import { audit } from '../audit-trail.js';
import { nowIso, type Services } from '../services.js';
import { stillAdmitted } from '../sign/check-signed-bundle.js';
import { serviceTrust } from '../trust/served-trusted-root.js';
import { type BundleSigner, checkSbomBundle } from './sbom-bundle-check.js';
import { notFound, requireTeam } from './team-scope.js';
import { type SbomSignatureView, sbomSignatureView } from './views.js';

export interface AttachBundleInput {
  sbomId: number;
  /** The Sigstore bundle as received (untrusted JSON bytes). */
  bytes: Uint8Array;
  /**
   * The service's trusted root (its CA and log, as GET /api/v1/trusted-root serves it). Absent:
   * Custody's own log alone.
   */
  trustedRoot?: () => unknown;
}

export interface AttachBundleResult {
  /** false: this bundle was already recorded for this SBOM; nothing was written. */
  created: boolean;
  signature: SbomSignatureView;
}

/**
 * Sign an SBOM after the fact: verify a Sigstore bundle over the stored document against the owning
 * team's signing identities under the service's trusted root, log it in Custody's log unless its
 * own entry is there already, then, in one transaction, store the bundle (content-addressed blob),
 * record the signature, mark the SBOM signed and audit it. Role and team scope are checked again
 * inside that transaction, and so is the signer against the team's list as it is then. A bundle
 * that is refused writes nothing (a log entry made for it stays: the log is append-only, and the
 * same entry again answers its first index).
 * @throws InventoryError SBOM_BUNDLE_UNVERIFIED, SBOM_SIGNER_NOT_ADMITTED, INVENTORY_NOT_FOUND;
 *   SignError SIGN_BUNDLE_MALFORMED; CoreError JSON_PARSE, INPUT_TOO_LARGE; AccessError AUTH_FORBIDDEN
 */
export async function attachSbomBundle(
  s: Services,
  caller: Caller,
  input: AttachBundleInput,
): Promise<AttachBundleResult> {
  requirePermission(caller.principal, 'inventory:write');
  const where = await visibleSbom(s, caller, input.sbomId);
  const bundle = parseJson(input.bytes, 'bundle', { maxDepth: 64 });
  const bytes = s.blobs.get(where.sbom.digest);
  const checked = await checkSbomBundle({
    bundle,
    sbom: { bytes, digest: where.sbom.digest, artifact: where.artifact },
    team: where.team,
    identities: where.identities,
    trust: serviceTrust(s, input.trustedRoot),
    ...(s.tlog ? { custodyLogId: s.tlog.logId } : {}),
  });
  let log: { index: number; by: 'bundle' | 'custody' } | undefined;
  if (checked.custodyLogIndex !== undefined) log = { index: checked.custodyLogIndex, by: 'bundle' };
  else if (s.tlog) {
    // The envelope of an attestation carries the whole SBOM; the log keeps only its hashes, so
    // it may be as large as the bundle that brought it (which the route's body limit bounds).
    const { appended } = await s.tlog.append(checked.logEntry, {
      maxEnvelopeBytes: input.bytes.byteLength,
    });
    log = { index: appended.index, by: 'custody' };
  }
  const bundleDigest = BlobStore.digestOf(input.bytes);
  let blobCreated = false;
  const now = nowIso(s);
  try {
    return await s.db.kysely.transaction().execute(async (trx) => {
      // Checked again where it is written: the role, the SBOM, its team, the caller's scope and
      // the team's list as they are now.
      requirePermission(caller.principal, 'inventory:write');
      const sbom = await findSbom(trx, input.sbomId);
      const release = sbom && (await findReleaseById(trx, sbom.release_id));
      if (!sbom || !release || !inScope(caller.principal, release.team)) {
        throw notFound(`SBOM ${input.sbomId}`);
      }
      const team = await findTeam(trx, release.team);
      const list = JSON.parse(team?.signing_identities ?? '[]') as SigningIdentity[];
      assertStillAdmitted(list, checked.signer, release.team);
      const same = await findSbomSignature(trx, sbom.id, bundleDigest);
      if (same) return { created: false, signature: sbomSignatureView(same) };
      blobCreated = s.blobs.put(input.bytes).created;
      const row: SbomSignatureRow = await insertSbomSignature(trx, {
        sbom_id: sbom.id,
        bundle_digest: bundleDigest,
        content: checked.content,
        signer_kind: checked.signer.kind,
        identity: checked.signer.kind === 'identity' ? checked.signer.identity : null,
        issuer: checked.signer.kind === 'identity' ? checked.signer.issuer : null,
        key_name: checked.signer.kind === 'key' ? checked.signer.name : null,
        key_hint: checked.signer.kind === 'key' ? checked.signer.hint : null,
        log_index: log?.index ?? null,
        logged_by: log?.by ?? null,
        created_at: now,
        created_by: caller.principal.actor,
      });
      await audit(
        trx,
        caller,
        {
          action: 'sbom.sign',
          target: `sbom:${sbom.id}`,
          team: release.team,
          details: {
            bundle: bundleDigest,
            content: checked.content,
            signer: signerDetails(checked.signer),
            logIndex: log?.index ?? null,
            loggedBy: log?.by ?? null,
          },
        },
        now,
      );
      return { created: true, signature: sbomSignatureView(row) };
    });
  } catch (e) {
    if (blobCreated && !(await bundleDigestStored(s.db.kysely, bundleDigest))) {
      s.blobs.discard(bundleDigest);
    }
    throw e;
  }
}

async function visibleSbom(s: Services, caller: Caller, id: number) {
  const sbom = await findSbom(s.db.read, id);
  const release = sbom && (await findReleaseById(s.db.read, sbom.release_id));
  if (!sbom || !release) throw notFound(`SBOM ${id}`);
  requireTeam(caller, release.team, `SBOM ${id}`);
  const artifact = await s.db.read
    .selectFrom('artifacts')
    .select('digest')
    .where('id', '=', sbom.artifact_id)
    .executeTakeFirstOrThrow();
  const team = await findTeam(s.db.read, release.team);
  return {
    sbom,
    artifact: artifact.digest,
    team: release.team,
    identities: JSON.parse(team?.signing_identities ?? '[]') as SigningIdentity[],
  };
}

function assertStillAdmitted(list: SigningIdentity[], signer: BundleSigner, team: string): void {
  if (!stillAdmitted(list, signer)) {
    throw new InventoryError(
      'SBOM_SIGNER_NOT_ADMITTED',
      `The bundle's signer was removed from team ${team}'s signing identities meanwhile; ask an organisation admin`,
    );
  }
}

function signerDetails(s: BundleSigner): Record<string, unknown> {
  return s.kind === 'identity'
    ? { identity: s.identity, issuer: s.issuer }
    : { key: s.name, hint: s.hint };
}
