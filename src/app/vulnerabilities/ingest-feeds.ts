import { type Caller, requireOrganisationWide, requirePermission } from '../../access/index.js';
import { replaceEpss, replaceKev } from '../../store/advisories.js';
import { insertAuditEvent } from '../../store/audit.js';
import { parseEpssCsv, parseKevCatalogue } from '../../vuln/index.js';
import type { Services } from '../services.js';

export interface FeedIngestResult {
  feed: 'kev' | 'epss';
  entries: number;
  /** KEV: catalogVersion; EPSS: `model_version score_date` when the file says. */
  version: string | null;
}

/**
 * Load CISA's KEV catalogue (untrusted JSON, checked against its schema), replacing the one
 * stored, in one transaction: a refused file leaves the stored one as it was.
 * @throws VulnError VULN_KEV_INVALID; AccessError AUTH_FORBIDDEN
 */
export async function ingestKev(
  s: Services,
  caller: Caller,
  bytes: Uint8Array,
): Promise<FeedIngestResult> {
  allowed(caller);
  const kev = parseKevCatalogue(bytes, 'KEV catalogue');
  const rows = [...kev.byCve.values()].map((e) => ({
    cveId: e.cveID,
    vendorProject: e.vendorProject,
    product: e.product,
    name: e.vulnerabilityName,
    dateAdded: e.dateAdded,
    dueDate: e.dueDate,
    ransomware: e.knownRansomwareCampaignUse ?? null,
  }));
  return write(s, caller, 'kev', kev.catalogVersion, rows.length, (trx, feed) =>
    replaceKev(trx, rows, feed),
  );
}

/**
 * Load FIRST's EPSS scores (CSV, optionally gzip-unpacked by the caller), replacing the ones
 * stored, in one transaction.
 * @throws VulnError VULN_EPSS_INVALID; AccessError AUTH_FORBIDDEN
 */
export async function ingestEpss(
  s: Services,
  caller: Caller,
  bytes: Uint8Array,
): Promise<FeedIngestResult> {
  allowed(caller);
  const epss = parseEpssCsv(bytes, 'EPSS file');
  const rows = [...epss.byCve.entries()].map(([cveId, v]) => ({
    cveId,
    epss: v.epss,
    percentile: v.percentile,
  }));
  const version =
    [epss.modelVersion, epss.scoreDate].filter((x) => x !== undefined).join(' ') || null;
  return write(s, caller, 'epss', version, rows.length, (trx, feed) =>
    replaceEpss(trx, rows, feed),
  );
}

function allowed(caller: Caller): void {
  requirePermission(caller.principal, 'inventory:write');
  requireOrganisationWide(
    caller.principal,
    'KEV and EPSS data are shared by every team: load them with an organisation-wide token',
  );
}

async function write(
  s: Services,
  caller: Caller,
  feed: 'kev' | 'epss',
  version: string | null,
  entries: number,
  replace: (
    trx: Parameters<Parameters<Services['db']['writes']['run']>[0]>[0],
    f: { version: string | null; at: string; by: string },
  ) => Promise<void>,
): Promise<FeedIngestResult> {
  const at = s.clock().toISOString();
  await s.db.writes.run(async (trx) => {
    await replace(trx, { version, at, by: caller.principal.actor });
    await insertAuditEvent(
      trx,
      {
        actor: caller.principal.actor,
        person: caller.principal.person,
        role: caller.principal.role,
        action: `${feed}.ingest`,
        target: `${feed}:${version ?? 'unversioned'}`,
        source: caller.source,
        details: { entries },
      },
      at,
    );
  });
  return { feed, entries, version };
}
