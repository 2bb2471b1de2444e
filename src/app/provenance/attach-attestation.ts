import { type Caller, inScope, requirePermission } from '../../access/index.js';
import { parseJson } from '../../core/index.js';
import type { SigningIdentity } from '../../sign/index.js';
import { BlobStore } from '../../store/blobs.js';
import { findRelease, findTeam, listArtifacts } from '../../store/catalogue.js';
import {
  evidenceBundleStored,
  findAttestation,
  insertAttestation,
} from '../../store/release-evidence.js';
import { audit } from '../audit-trail.js';
import { releaseByVersion } from '../inventory/read-catalogue.js';
import { notFound } from '../inventory/team-scope.js';
import { recheckCaller } from '../recheck-caller.js';
import { nowIso, type Services } from '../services.js';
import { stillAdmitted } from '../sign/check-signed-bundle.js';
import { type CheckedAttestation, checkAttestation } from './check-attestation.js';
import { ProvenanceServiceError } from './errors.js';
import { type AttestationView, attestationView } from './views.js';

export interface AttachAttestationInput {
  product: string;
  release: string;
  /** The Sigstore bundle as received (untrusted JSON bytes). */
  bytes: Uint8Array;
  /** Only this artifact (`sha256:<hex>`) of the release; default: every one the subject names. */
  artifact?: string;
  trustedRoot?: () => unknown;
}

export interface AttachAttestationResult {
  /** false: this bundle was already recorded for these artifacts; nothing was written. */
  created: boolean;
  attestations: AttestationView[];
}

/**
 * Store a verified attestation about a release's artifacts: check it (`checkAttestation`), log it
 * in Custody's log unless its own entry is there, then in one transaction re-check the caller,
 * the release's team and the signer against the team's list as they are now, store the bundle
 * (content-addressed blob), one row per artifact it names, and an audit row. A refused bundle
 * writes nothing (a log entry made for it stays: the log is append-only).
 * @throws ProvenanceServiceError (see checkAttestation); InventoryError INVENTORY_NOT_FOUND;
 *   AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID; CoreError JSON_PARSE
 */
export async function attachAttestation(
  s: Services,
  caller: Caller,
  input: AttachAttestationInput,
): Promise<AttachAttestationResult> {
  requirePermission(caller.principal, 'inventory:write');
  const release = await releaseByVersion(s, caller, input.product, input.release);
  const artifacts = await listArtifacts(s.db.read, release.id);
  const team = await findTeam(s.db.read, release.team);
  const bundle = parseJson(input.bytes, 'bundle', { maxDepth: 64 });
  const checked = await checkAttestation(s, {
    bundle,
    team: release.team,
    identities: JSON.parse(team?.signing_identities ?? '[]') as SigningIdentity[],
    artifacts,
    ...(input.artifact !== undefined ? { only: input.artifact.toLowerCase() } : {}),
    trustedRoot: input.trustedRoot,
  });
  let log: { index: number; by: 'bundle' | 'custody' } | undefined;
  if (checked.custodyLogIndex !== undefined) log = { index: checked.custodyLogIndex, by: 'bundle' };
  else if (s.tlog) {
    const { appended } = await s.tlog.append(checked.logEntry, {
      maxEnvelopeBytes: input.bytes.byteLength,
    });
    log = { index: appended.index, by: 'custody' };
  }
  return storeAttestation(s, caller, {
    product: input.product,
    release: input.release,
    bytes: input.bytes,
    checked,
    log,
  });
}

/** The transactional half of attachAttestation (supplier intake calls it too). */
export async function storeAttestation(
  s: Services,
  caller: Caller,
  o: {
    product: string;
    release: string;
    bytes: Uint8Array;
    checked: CheckedAttestation;
    log: { index: number; by: 'bundle' | 'custody' } | undefined;
  },
): Promise<AttachAttestationResult> {
  const { checked, log } = o;
  const bundleDigest = BlobStore.digestOf(o.bytes);
  const now = nowIso(s);
  let blobCreated = false;
  try {
    return await s.db.kysely.transaction().execute(async (trx) => {
      await recheckCaller(trx, caller, now);
      requirePermission(caller.principal, 'inventory:write');
      const product = await trx
        .selectFrom('products as p')
        .innerJoin('teams as t', 't.id', 'p.team_id')
        .select(['p.id', 't.name as team', 't.signing_identities'])
        .where('p.name', '=', o.product)
        .executeTakeFirst();
      const release = product && (await findRelease(trx, product.id, o.release));
      if (!product || !release || !inScope(caller.principal, product.team)) {
        throw notFound(`release ${o.product} ${o.release}`);
      }
      const list = JSON.parse(product.signing_identities) as SigningIdentity[];
      if (!stillAdmitted(list, checked.signer)) {
        throw new ProvenanceServiceError(
          'ATTESTATION_SIGNER_NOT_ADMITTED',
          `The attestation's signer was removed from team ${product.team}'s signing identities meanwhile; ask an organisation admin`,
        );
      }
      const rows = [];
      let created = false;
      for (const a of checked.artifacts) {
        const same = await findAttestation(trx, a.id, bundleDigest);
        if (same) {
          rows.push(same);
          continue;
        }
        if (!blobCreated) blobCreated = s.blobs.put(o.bytes).created;
        created = true;
        rows.push(
          await insertAttestation(trx, {
            release_id: release.id,
            artifact_id: a.id,
            artifact_digest: a.digest,
            predicate_type: checked.statement.predicateType,
            bundle_digest: bundleDigest,
            signer_kind: checked.signer.kind,
            identity: checked.signer.kind === 'identity' ? checked.signer.identity : null,
            issuer: checked.signer.kind === 'identity' ? checked.signer.issuer : null,
            key_name: checked.signer.kind === 'key' ? checked.signer.name : null,
            key_hint: checked.signer.kind === 'key' ? checked.signer.hint : null,
            emergency: checked.emergency ? 1 : 0,
            builder_id: checked.facts?.builderId ?? null,
            build_type: checked.facts?.buildType ?? null,
            external_parameters: checked.facts?.externalParameters ? 1 : 0,
            source_uri: checked.facts?.source.uri ?? null,
            source_digest: checked.facts?.source.digest ?? null,
            source_ref: checked.facts?.source.ref ?? null,
            dependencies: checked.facts?.dependencies ?? 0,
            dependencies_pinned: checked.facts?.pinned ?? 0,
            log_index: log?.index ?? null,
            logged_by: log?.by ?? null,
            created_at: now,
            created_by: caller.principal.actor,
          }),
        );
      }
      if (created) {
        await audit(
          trx,
          caller,
          {
            action: 'release.attest',
            target: `release:${release.id}`,
            team: product.team,
            details: {
              bundle: bundleDigest,
              predicateType: checked.statement.predicateType,
              artifacts: checked.artifacts.map((a) => a.digest),
              signer:
                checked.signer.kind === 'identity'
                  ? { identity: checked.signer.identity, issuer: checked.signer.issuer }
                  : { key: checked.signer.name, hint: checked.signer.hint },
              builderId: checked.facts?.builderId ?? null,
              logIndex: log?.index ?? null,
            },
          },
          now,
        );
      }
      return { created, attestations: rows.map(attestationView) };
    });
  } catch (e) {
    if (blobCreated && !(await evidenceBundleStored(s.db.kysely, bundleDigest))) {
      s.blobs.discard(bundleDigest);
    }
    throw e;
  }
}
