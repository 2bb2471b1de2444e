import { type Caller, requireOrganisationWide, requirePermission } from '../../access/index.js';
import { replaceEpss, replaceKev } from '../../store/advisories.js';
import { insertAuditEvent } from '../../store/audit.js';
import { parseEpssCsv, parseKevCatalogue } from '../../vuln/index.js';
import type { Services } from '../services.js';
import { type FeedIntel, reviseForFeedIntel } from '../vex/index.js';

export interface FeedIngestResult {
  feed: 'kev' | 'epss';
  entries: number;
  /** KEV: catalogVersion; EPSS: `model_version score_date` when the file says. */
  version: string | null;
  /** VEX statements the new information revised to a new version. */
  vexStatementsRevised: number;
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
  const intel: FeedIntel = new Map(rows.map((r) => [r.cveId.toUpperCase(), { kev: true }]));
  return write(s, caller, 'kev', kev.catalogVersion, rows.length, intel, (trx, feed) =>
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
  const intel: FeedIntel = new Map(rows.map((r) => [r.cveId.toUpperCase(), { epss: r.epss }]));
  return write(s, caller, 'epss', version, rows.length, intel, (trx, feed) =>
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
  intel: FeedIntel,
  replace: (
    trx: Parameters<Parameters<Services['db']['writes']['run']>[0]>[0],
    f: { version: string | null; at: string; by: string },
  ) => Promise<void>,
): Promise<FeedIngestResult> {
  const at = s.clock().toISOString();
  let revised = 0;
  await s.db.writes.run(async (trx) => {
    await replace(trx, { version, at, by: caller.principal.actor });
    // New information (a KEV listing, an EPSS move of at least 0.1) makes a new version of the
    // VEX statements naming the CVE, in the same transaction as the feed.
    revised = await reviseForFeedIntel(trx, intel, at, `${feed}:${version ?? 'unversioned'}`);
    await insertAuditEvent(
      trx,
      {
        actor: caller.principal.actor,
        person: caller.principal.person,
        role: caller.principal.role,
        action: `${feed}.ingest`,
        target: `${feed}:${version ?? 'unversioned'}`,
        source: caller.source,
        details: { entries, vexStatementsRevised: revised },
      },
      at,
    );
  });
  return { feed, entries, version, vexStatementsRevised: revised };
}
