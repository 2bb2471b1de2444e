import type { Selectable } from 'kysely';
import type { Q } from './db.js';
import type { Database } from './schema.js';

// Advisories (OSV records) with every version kept, the packages each names (for look-ups from a
// component), and the KEV and EPSS feeds. The matching that turns these into findings is app/'s.

export type AdvisoryRow = Selectable<Database['advisories']>;
export type AdvisoryVersionRow = Selectable<Database['advisory_versions']>;

/** One advisory as a write sees it: the current row's fields and its package keys. */
export interface AdvisoryWrite {
  id: string;
  modified: string;
  published: string | null;
  withdrawn: string | null;
  aliases: readonly string[];
  summary: string | null;
  severityScore: number | null;
  severityRating: string;
  digest: string;
  /** Canonical JSON of the record. */
  record: string;
  /** vuln/'s index keys: (ecosystem base, nameKey). */
  packages: readonly { ecosystem: string; name: string }[];
}

export type AdvisoryWriteOutcome =
  | { kind: 'created'; versionNo: 1 }
  | { kind: 'updated'; versionNo: number; previous: AdvisoryRow; changes: string }
  | { kind: 'unchanged'; versionNo: number }
  /** The stored version is newer (its `modified` is later): the incoming one is not applied. */
  | { kind: 'stale'; versionNo: number; storedModified: string };

const CHUNK = 500;

/** The current row of each id asked for. */
export async function advisoriesById(
  q: Q,
  ids: readonly string[],
): Promise<Map<string, AdvisoryRow>> {
  const out = new Map<string, AdvisoryRow>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await q
      .selectFrom('advisories')
      .selectAll()
      .where('id', 'in', ids.slice(i, i + CHUNK))
      .execute();
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

/**
 * Write one advisory inside the caller's transaction: a new one is version 1; a changed one (other
 * digest, `modified` not older) becomes the next version, its `changes` (JSON) saying what changed,
 * and its package keys are replaced; the same digest is unchanged; an older `modified` is stale.
 * `changesOf` is asked only for an update.
 */
export async function writeAdvisory(
  q: Q,
  a: AdvisoryWrite,
  changesOf: (previous: AdvisoryRow) => string,
  at: string,
  by: string,
): Promise<AdvisoryWriteOutcome> {
  const previous = await q
    .selectFrom('advisories')
    .selectAll()
    .where('id', '=', a.id)
    .executeTakeFirst();
  if (previous && previous.digest === a.digest)
    return { kind: 'unchanged', versionNo: previous.version_no };
  if (previous && a.modified < previous.modified)
    return { kind: 'stale', versionNo: previous.version_no, storedModified: previous.modified };
  const versionNo = previous ? previous.version_no + 1 : 1;
  const changes = previous ? changesOf(previous) : '{"created":true}';
  const row = {
    modified: a.modified,
    published: a.published,
    withdrawn: a.withdrawn,
    aliases: JSON.stringify(a.aliases),
    summary: a.summary,
    severity_score: a.severityScore,
    severity_rating: a.severityRating,
    version_no: versionNo,
    digest: a.digest,
    record: a.record,
    updated_at: at,
  };
  if (previous) {
    await q.updateTable('advisories').set(row).where('id', '=', a.id).execute();
    await q.deleteFrom('advisory_packages').where('advisory_id', '=', a.id).execute();
  } else {
    await q
      .insertInto('advisories')
      .values({ id: a.id, first_seen_at: at, ...row })
      .execute();
  }
  await q
    .insertInto('advisory_versions')
    .values({
      advisory_id: a.id,
      version_no: versionNo,
      modified: a.modified,
      digest: a.digest,
      record: a.record,
      changes,
      ingested_at: at,
      ingested_by: by,
      matched_at: null,
    })
    .execute();
  const keys = new Map(a.packages.map((p) => [`${p.ecosystem}\u0000${p.name}`, p]));
  const values = [...keys.values()].map((p) => ({ ...p, advisory_id: a.id }));
  for (let i = 0; i < values.length; i += CHUNK) {
    await q
      .insertInto('advisory_packages')
      .values(values.slice(i, i + CHUNK))
      .execute();
  }
  return previous
    ? { kind: 'updated', versionNo, previous, changes }
    : { kind: 'created', versionNo: 1 };
}

/** Ids of the advisories naming any of these packages (vuln/ index keys). */
export async function advisoryIdsForPackages(
  q: Q,
  keys: readonly { ecosystem: string; name: string }[],
): Promise<string[]> {
  const ids = new Set<string>();
  const byEcosystem = new Map<string, string[]>();
  for (const k of keys) {
    const list = byEcosystem.get(k.ecosystem);
    if (list) list.push(k.name);
    else byEcosystem.set(k.ecosystem, [k.name]);
  }
  for (const [ecosystem, names] of byEcosystem) {
    for (let i = 0; i < names.length; i += CHUNK) {
      const rows = await q
        .selectFrom('advisory_packages')
        .select('advisory_id')
        .where('ecosystem', '=', ecosystem)
        .where('name', 'in', names.slice(i, i + CHUNK))
        .execute();
      for (const r of rows) ids.add(r.advisory_id);
    }
  }
  return [...ids].sort();
}

/** The package keys an advisory names. */
export async function packagesOfAdvisory(
  q: Q,
  id: string,
): Promise<{ ecosystem: string; name: string }[]> {
  return q
    .selectFrom('advisory_packages')
    .select(['ecosystem', 'name'])
    .where('advisory_id', '=', id)
    .execute();
}

/** Every version of an advisory, oldest first. */
export async function advisoryVersions(q: Q, id: string): Promise<AdvisoryVersionRow[]> {
  return q
    .selectFrom('advisory_versions')
    .selectAll()
    .where('advisory_id', '=', id)
    .orderBy('version_no', 'asc')
    .execute();
}

/** An advisory by its id, or by an alias (a CVE id): the first in id order. */
export async function findAdvisory(q: Q, idOrAlias: string): Promise<AdvisoryRow | undefined> {
  const own = await q
    .selectFrom('advisories')
    .selectAll()
    .where('id', '=', idOrAlias)
    .executeTakeFirst();
  if (own) return own;
  return q
    .selectFrom('advisories')
    .selectAll()
    .where('aliases', 'like', `%${JSON.stringify(idOrAlias)}%`)
    .orderBy('id')
    .executeTakeFirst();
}

/**
 * Mark the versions of each advisory up to its `versionNo` as matched (their affected list is
 * ready): one statement per distinct version number, not per advisory.
 */
export async function markAdvisoriesMatched(
  q: Q,
  items: readonly { id: string; versionNo: number }[],
  at: string,
): Promise<void> {
  const byVersion = new Map<number, string[]>();
  for (const i of items) byVersion.set(i.versionNo, [...(byVersion.get(i.versionNo) ?? []), i.id]);
  for (const [versionNo, ids] of byVersion) {
    for (let i = 0; i < ids.length; i += CHUNK) {
      await q
        .updateTable('advisory_versions')
        .set({ matched_at: at })
        .where('advisory_id', 'in', ids.slice(i, i + CHUNK))
        .where('version_no', '<=', versionNo)
        .where('matched_at', 'is', null)
        .execute();
    }
  }
}

/** Advisory versions whose matching has not finished (for the start-up sweep and `/metrics`). */
export async function unmatchedAdvisoryVersions(
  q: Q,
  limit: number,
  ingestedBefore?: string,
): Promise<{ advisory_id: string; version_no: number }[]> {
  let s = q
    .selectFrom('advisory_versions')
    .select(['advisory_id', 'version_no'])
    .where('matched_at', 'is', null);
  if (ingestedBefore !== undefined) s = s.where('ingested_at', '<', ingestedBefore);
  return s.orderBy('id').limit(limit).execute();
}

/** Advisory figures for `/metrics`: counts, and ingest → affected-list-ready times. */
export async function advisoryFigures(q: Q): Promise<{
  advisories: number;
  withdrawn: number;
  pending: number;
  readySecondsSum: number;
  readyCount: number;
  readySecondsMax: number;
}> {
  const counts = await q
    .selectFrom('advisories')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.count<number>('withdrawn').as('w')])
    .executeTakeFirst();
  const versions = await q
    .selectFrom('advisory_versions')
    .select(['ingested_at', 'matched_at'])
    .execute();
  let sum = 0;
  let n = 0;
  let max = 0;
  let pending = 0;
  for (const v of versions) {
    if (v.matched_at === null) {
      pending++;
      continue;
    }
    const s = Math.max(0, (Date.parse(v.matched_at) - Date.parse(v.ingested_at)) / 1000);
    sum += s;
    n++;
    if (s > max) max = s;
  }
  return {
    advisories: Number(counts?.n ?? 0),
    withdrawn: Number(counts?.w ?? 0),
    pending,
    readySecondsSum: sum,
    readyCount: n,
    readySecondsMax: max,
  };
}

// --- KEV and EPSS -------------------------------------------------------------------------------

export interface KevRow {
  cveId: string;
  vendorProject: string;
  product: string;
  name: string;
  dateAdded: string;
  dueDate: string;
  ransomware: string | null;
}

/**
 * Replace the stored feed (`kev_entries` or `epss_scores`) with a new file's rows, inside the
 * caller's transaction, and record which file it was.
 */
export async function replaceKev(
  q: Q,
  rows: readonly KevRow[],
  feed: { version: string | null; at: string; by: string },
): Promise<void> {
  await q.deleteFrom('kev_entries').execute();
  const values = rows.map((r) => ({
    cve_id: r.cveId,
    vendor_project: r.vendorProject,
    product: r.product,
    name: r.name,
    date_added: r.dateAdded,
    due_date: r.dueDate,
    ransomware: r.ransomware,
  }));
  for (let i = 0; i < values.length; i += CHUNK) {
    await q
      .insertInto('kev_entries')
      .values(values.slice(i, i + CHUNK))
      .execute();
  }
  await writeFeed(q, 'kev', rows.length, feed);
}

export async function replaceEpss(
  q: Q,
  rows: readonly { cveId: string; epss: number; percentile: number }[],
  feed: { version: string | null; at: string; by: string },
): Promise<void> {
  await q.deleteFrom('epss_scores').execute();
  for (let i = 0; i < rows.length; i += CHUNK * 2) {
    await q
      .insertInto('epss_scores')
      .values(
        rows
          .slice(i, i + CHUNK * 2)
          .map((r) => ({ cve_id: r.cveId, epss: r.epss, percentile: r.percentile })),
      )
      .execute();
  }
  await writeFeed(q, 'epss', rows.length, feed);
}

async function writeFeed(
  q: Q,
  name: string,
  entries: number,
  feed: { version: string | null; at: string; by: string },
): Promise<void> {
  await q.deleteFrom('vuln_feeds').where('name', '=', name).execute();
  await q
    .insertInto('vuln_feeds')
    .values({ name, version: feed.version, entries, ingested_at: feed.at, ingested_by: feed.by })
    .execute();
}

/** KEV entries and EPSS scores of these CVE ids. */
export async function exploitInfo(
  q: Q,
  cves: readonly string[],
): Promise<{
  kev: Map<string, Selectable<Database['kev_entries']>>;
  epss: Map<string, { epss: number; percentile: number }>;
}> {
  const kev = new Map<string, Selectable<Database['kev_entries']>>();
  const epss = new Map<string, { epss: number; percentile: number }>();
  for (let i = 0; i < cves.length; i += CHUNK) {
    const part = cves.slice(i, i + CHUNK);
    for (const r of await q
      .selectFrom('kev_entries')
      .selectAll()
      .where('cve_id', 'in', part)
      .execute())
      kev.set(r.cve_id, r);
    for (const r of await q
      .selectFrom('epss_scores')
      .selectAll()
      .where('cve_id', 'in', part)
      .execute())
      epss.set(r.cve_id, { epss: Number(r.epss), percentile: Number(r.percentile) });
  }
  return { kev, epss };
}

export async function feeds(q: Q): Promise<Selectable<Database['vuln_feeds']>[]> {
  return q.selectFrom('vuln_feeds').selectAll().orderBy('name').execute();
}

/** The ids of the advisories that are one of `names` or name one of them as an alias. */
export async function advisoryIdsNamed(q: Q, names: readonly string[]): Promise<string[]> {
  const wanted = [...new Set(names.map((n) => n.trim()).filter((n) => n !== ''))];
  if (wanted.length === 0) return [];
  const rows = await q
    .selectFrom('advisories')
    .select('id')
    .where((eb) =>
      eb.or([
        eb('id', 'in', wanted),
        ...wanted.map((n) => eb('aliases', 'like', `%${JSON.stringify(n)}%`)),
      ]),
    )
    .orderBy('id')
    .execute();
  return rows.map((r) => r.id);
}
