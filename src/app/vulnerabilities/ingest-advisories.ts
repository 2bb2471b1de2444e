import { type Caller, requireOrganisationWide, requirePermission } from '../../access/index.js';
import { canonicalize, isCustodyError, parseJson, sha256Digest } from '../../core/index.js';
import {
  DEFAULT_OSV_LIMITS,
  OsvError,
  type OsvRecord,
  osvRecordFromJson,
} from '../../formats/index.js';
import { type AdvisoryWriteOutcome, writeAdvisory } from '../../store/advisories.js';
import { insertAuditEvent } from '../../store/audit.js';
import { nameKey, severityOf, splitOsvEcosystem, VulnError } from '../../vuln/index.js';
import type { Services } from '../services.js';
import { advisoryChanges } from './advisory-changes.js';
import { enqueueAdvisoryMatch } from './match-jobs.js';

/** The most records one request may carry (`custody vuln ingest` sends batches of 500). */
export const MAX_ADVISORY_BATCH = 5000;

/** What happened to one record of a batch. */
export interface AdvisoryOutcome {
  id: string;
  /** `created` (new), `updated` (a changed record: a new version), `unchanged`, `stale` (older than the stored one). */
  outcome: AdvisoryWriteOutcome['kind'];
  version: number;
  /** For `updated`: what changed (see AdvisoryChanges). */
  changes?: unknown;
}

export interface AdvisoryIngestResult {
  received: number;
  created: number;
  updated: number;
  unchanged: number;
  stale: number;
  records: AdvisoryOutcome[];
  /** The matching job enqueued for the new and changed records (null when none changed). */
  matchJob: string | null;
}

/** One refused record of a refused batch. */
export interface RefusedRecord {
  index: number;
  id?: string;
  code: string;
  message: string;
  errors?: unknown;
}

/**
 * Ingest a batch of OSV records (untrusted JSON: one record, or an array of them). The batch is
 * all or nothing: every record is checked first (the OSV schema, an ecosystem the schema
 * defines, size and depth limits, one id once), and when any is refused nothing is stored and the
 * error lists every refused record. Otherwise, in one transaction, each record is created, becomes
 * its advisory's next version (the previous one kept, with what changed), or is reported unchanged
 * or stale; after the commit the new and changed advisories are matched against the portfolio by
 * a job. Advisories are organisation-wide data, so only an organisation-wide token may write them.
 *
 * @throws OsvError OSV_PARSE, OSV_RECORD_INVALID, OSV_RECORD_TOO_LARGE, OSV_RECORD_TOO_DEEP (the
 *   first refused record's code; `details.refused` lists them all); VulnError VULN_NO_ADVISORIES;
 *   CoreError INPUT_TOO_LARGE; AccessError AUTH_FORBIDDEN
 */
export async function ingestAdvisories(
  s: Services,
  caller: Caller,
  body: Uint8Array,
): Promise<AdvisoryIngestResult> {
  requirePermission(caller.principal, 'inventory:write');
  requireOrganisationWide(
    caller.principal,
    'Advisories are shared by every team: ingest them with an organisation-wide token (custody token create --role publisher without --team)',
  );
  const records = parseBatch(body);
  const at = s.clock().toISOString();
  const by = caller.principal.actor;
  const outcomes = await s.db.writes.run(async (trx) => {
    const out: AdvisoryOutcome[] = [];
    for (const { record, canonical } of records) {
      const severity = severityOf(
        record,
        record.affected.map((_, i) => i),
      );
      const o = await writeAdvisory(
        trx,
        {
          id: record.id,
          modified: record.modified,
          published: record.published ?? null,
          withdrawn: record.withdrawn ?? null,
          aliases: record.aliases,
          summary: record.summary ?? null,
          severityScore: severity.score,
          severityRating: severity.rating,
          digest: sha256Digest(canonical),
          record: canonical,
          packages: packageKeys(record),
        },
        (previous) =>
          JSON.stringify(
            advisoryChanges(
              osvRecordFromJson(JSON.parse(previous.record), `stored ${previous.id}`),
              record,
            ),
          ),
        at,
        by,
      );
      const item: AdvisoryOutcome = { id: record.id, outcome: o.kind, version: o.versionNo };
      if (o.kind === 'updated') item.changes = JSON.parse(o.changes);
      out.push(item);
    }
    await insertAuditEvent(
      trx,
      {
        actor: caller.principal.actor,
        person: caller.principal.person,
        role: caller.principal.role,
        action: 'advisory.ingest',
        target: `advisories:${records.length}`,
        source: caller.source,
        details: counts(out),
      },
      at,
    );
    return out;
  });
  const changed = outcomes.filter((o) => o.outcome === 'created' || o.outcome === 'updated');
  const matchJob =
    changed.length > 0
      ? await enqueueAdvisoryMatch(
          s,
          changed.map((o) => ({ id: o.id, version: o.version })),
        )
      : null;
  return { received: records.length, ...counts(outcomes), records: outcomes, matchJob };
}

function counts(out: readonly AdvisoryOutcome[]) {
  const n = (k: AdvisoryOutcome['outcome']) => out.filter((o) => o.outcome === k).length;
  return {
    created: n('created'),
    updated: n('updated'),
    unchanged: n('unchanged'),
    stale: n('stale'),
  };
}

/** Every record of the batch, or an error naming every refused one. */
function parseBatch(body: Uint8Array): { record: OsvRecord; canonical: string }[] {
  let value: unknown;
  try {
    value = parseJson(body, 'request body', {
      maxDepth: DEFAULT_OSV_LIMITS.maxDepth + 1,
    });
  } catch (e) {
    if (isCustodyError(e) && e.code === 'JSON_PARSE')
      throw new OsvError('OSV_PARSE', `${e.message}; send an OSV record or a JSON array of them`, {
        cause: e,
      });
    throw e;
  }
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0)
    throw new VulnError('VULN_NO_ADVISORIES', 'The batch is empty; send at least one OSV record');
  if (list.length > MAX_ADVISORY_BATCH)
    throw new OsvError(
      'OSV_RECORD_TOO_LARGE',
      `A batch holds at most ${MAX_ADVISORY_BATCH} records, this one ${list.length}; send smaller batches`,
      { details: { limit: MAX_ADVISORY_BATCH } },
    );
  const refused: RefusedRecord[] = [];
  const out: { record: OsvRecord; canonical: string }[] = [];
  const seen = new Map<string, number>();
  list.forEach((v, index) => {
    const id = idOf(v);
    try {
      const record = osvRecordFromJson(v, `record ${index}${id ? ` (${id})` : ''}`);
      const first = seen.get(record.id);
      if (first !== undefined)
        throw new OsvError(
          'OSV_RECORD_INVALID',
          `${record.id} is in the batch twice (records ${first} and ${index}); send each advisory once`,
        );
      seen.set(record.id, index);
      out.push({ record, canonical: canonicalize(v) });
    } catch (e) {
      if (!isCustodyError(e)) throw e;
      refused.push({
        index,
        ...(id ? { id } : {}),
        code: e.code,
        message: e.message,
        ...(e.details?.['errors'] ? { errors: e.details['errors'] } : {}),
      });
    }
  });
  if (refused.length > 0) {
    const first = refused[0] as RefusedRecord;
    throw new OsvError(
      first.code as OsvError['code'],
      `${refused.length} of ${list.length} records refused, so none was stored (first: ${first.message}); fix or leave out the records listed in details.refused`,
      { details: { refused: refused.slice(0, 100), count: refused.length } },
    );
  }
  return out;
}

function idOf(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const id = (v as Record<string, unknown>)['id'];
  return typeof id === 'string' ? id.slice(0, 100) : undefined;
}

/** The (ecosystem, nameKey) pairs an advisory names, as vuln/'s index keys them. */
export function packageKeys(r: OsvRecord): { ecosystem: string; name: string }[] {
  const out = new Map<string, { ecosystem: string; name: string }>();
  for (const a of r.affected) {
    if (!a.package) continue;
    const { base } = splitOsvEcosystem(a.package.ecosystem);
    const name = nameKey(base, a.package.name);
    out.set(`${base}\u0000${name}`, { ecosystem: base, name });
  }
  return [...out.values()];
}
