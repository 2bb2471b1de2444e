import { type Caller, inScope, requirePermission } from '../../access/index.js';
import { findRelease, listArtifacts } from '../../store/catalogue.js';
import { insertRebuildCheck, rebuildChecksOfRelease } from '../../store/release-evidence.js';
import { audit } from '../audit-trail.js';
import { releaseByVersion } from '../inventory/read-catalogue.js';
import { notFound } from '../inventory/team-scope.js';
import { recheckCaller } from '../recheck-caller.js';
import { nowIso, type Services } from '../services.js';
import { ProvenanceServiceError } from './errors.js';
import { type RebuildCheckView, rebuildCheckView } from './views.js';

export interface RebuildCheckInput {
  /** The release's artifact rebuilt (`sha256:<hex>`); default: its only artifact. */
  artifact?: string;
  /** `sha256:<hex>` of what the rebuild produced. */
  rebuiltDigest: string;
  /** The command that rebuilt it, as run. */
  command: string;
  /** The SBOM diff's summary (rebuilt tree against the release's SBOM), on a mismatch. */
  sbomDiff?: Record<string, unknown>;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const MAX_DIFF_BYTES = 256 * 1024;

/**
 * Record a rebuild of a release's artifact. Whether it matches is decided here, against the
 * artifact's digest as the release recorded it, not taken from the caller.
 * @throws ProvenanceServiceError REBUILD_CHECK_INVALID; InventoryError INVENTORY_NOT_FOUND;
 *   AccessError
 */
export async function recordRebuildCheck(
  s: Services,
  caller: Caller,
  product: string,
  version: string,
  input: RebuildCheckInput,
): Promise<RebuildCheckView> {
  requirePermission(caller.principal, 'inventory:write');
  if (!DIGEST.test(input.rebuiltDigest)) throw invalid('rebuiltDigest must be sha256:<64 hex>');
  if (input.artifact !== undefined && !DIGEST.test(input.artifact)) {
    throw invalid('artifact must be sha256:<64 hex>');
  }
  const diff = input.sbomDiff === undefined ? null : JSON.stringify(input.sbomDiff);
  if (diff !== null && diff.length > MAX_DIFF_BYTES) throw invalid('sbomDiff is too large');
  await releaseByVersion(s, caller, product, version);
  const now = nowIso(s);
  return s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, now);
    requirePermission(caller.principal, 'inventory:write');
    const p = await trx
      .selectFrom('products as p')
      .innerJoin('teams as t', 't.id', 'p.team_id')
      .select(['p.id', 't.name as team'])
      .where('p.name', '=', product)
      .executeTakeFirst();
    const release = p && (await findRelease(trx, p.id, version));
    if (!p || !release || !inScope(caller.principal, p.team)) {
      throw notFound(`release ${product} ${version}`);
    }
    const artifacts = await listArtifacts(trx, release.id);
    const artifact =
      input.artifact === undefined
        ? artifacts.length === 1
          ? artifacts[0]
          : undefined
        : artifacts.find((a) => a.digest === input.artifact);
    if (artifact === undefined) {
      throw invalid(
        input.artifact === undefined
          ? `release ${product} ${version} has ${artifacts.length} artifacts; name the one rebuilt`
          : `${input.artifact} is not an artifact of release ${product} ${version}`,
      );
    }
    const matches = artifact.digest === input.rebuiltDigest;
    const row = await insertRebuildCheck(trx, {
      release_id: release.id,
      artifact_id: artifact.id,
      expected_digest: artifact.digest,
      rebuilt_digest: input.rebuiltDigest,
      matches: matches ? 1 : 0,
      command: input.command,
      sbom_diff: diff,
      checked_at: now,
      checked_by: caller.principal.actor,
    });
    await audit(
      trx,
      caller,
      {
        action: 'release.rebuild-check',
        target: `release:${release.id}`,
        team: p.team,
        details: { artifact: artifact.digest, rebuilt: input.rebuiltDigest, matches },
      },
      now,
    );
    return rebuildCheckView(row);
  });
}

export async function listRebuildChecks(
  s: Services,
  caller: Caller,
  product: string,
  version: string,
): Promise<RebuildCheckView[]> {
  const release = await releaseByVersion(s, caller, product, version);
  return (await rebuildChecksOfRelease(s.db.read, release.id)).map(rebuildCheckView);
}

function invalid(message: string): ProvenanceServiceError {
  return new ProvenanceServiceError('REBUILD_CHECK_INVALID', message);
}
