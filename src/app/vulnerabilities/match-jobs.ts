import { createHash } from 'node:crypto';
import { parsePurl } from '../../core/index.js';
import { type OsvRecord, osvRecordFromJson } from '../../formats/index.js';
import {
  type AdvisoryRow,
  advisoriesById,
  advisoryIdsForPackages,
  markAdvisoriesMatched,
  unmatchedAdvisoryVersions,
} from '../../store/advisories.js';
import {
  componentsOfSboms,
  currentAmong,
  currentComponentsOfPackages,
  currentSbomIdsOfArtifact,
  type DesiredFinding,
  type OpenedFindingGroup,
  openedFindingGroups,
  openFindingSbomIds,
  type PlacedComponent,
  packageIdsByKey,
  packageIdsByKeyIgnoringCase,
  packageIdsByUpstream,
  type ReconcileOutcome,
  reconcileFindings,
  recordSbomScan,
  unmatchedSbomIds,
} from '../../store/vuln-findings.js';
import {
  type AdvisoryIndex,
  createAdvisoryIndex,
  matchPurl,
  osvPackageOfPurl,
  type PurlMatch,
  severityOf,
  splitOsvEcosystem,
} from '../../vuln/index.js';
import type { Services } from '../services.js';
import { draftVexForFindings } from './draft-vex.js';
import { type PackageLookup, packageLookupOf } from './osv-purl.js';

/** One queue for both kinds of matching, so that on SQLite they run one at a time. */
export const VULN_MATCH_JOB = 'vuln-match';

export type VulnMatchJob =
  | { kind: 'sbom'; sbomId: number }
  | { kind: 'advisories'; items: { id: string; version: number }[] };

const RETRY = { retryLimit: 5, retryDelaySeconds: 1, retryBackoff: true } as const;

/** Advisories of one job matched together (read together, written in one transaction). */
const MATCH_TOGETHER = 64;

/**
 * Match a newly stored SBOM (after its ingest has committed; never inside the ingest transaction).
 * Null when the service runs no job queue, or the SBOM's job exists already.
 */
export async function enqueueSbomMatch(s: Services, sbomId: number): Promise<string | null> {
  if (!s.jobs) return null;
  return s.jobs.enqueue<VulnMatchJob>(
    VULN_MATCH_JOB,
    { kind: 'sbom', sbomId },
    { singletonKey: `sbom:${sbomId}`, ...RETRY },
  );
}

/** Match new or changed advisory versions against the whole portfolio. */
export async function enqueueAdvisoryMatch(
  s: Services,
  items: { id: string; version: number }[],
): Promise<string | null> {
  if (!s.jobs) return null;
  const key = createHash('sha256')
    .update(items.map((i) => `${i.id}@${i.version}`).join('\n'))
    .digest('hex');
  return s.jobs.enqueue<VulnMatchJob>(
    VULN_MATCH_JOB,
    { kind: 'advisories', items },
    { singletonKey: `advisories:${key}`, ...RETRY },
  );
}

/**
 * Take matching jobs from the service's queue, and enqueue what a crash may have left unmatched
 * (an SBOM committed but its job never enqueued; an advisory version whose job was lost): at once
 * and then every `sweepMs`. Returns a function that stops the sweep (and waits for a running
 * first sweep, so that the queue is not stopped under it).
 */
export async function startVulnMatching(
  s: Services,
  o: {
    sweepMs?: number;
    /** Wait before the first sweep, in ms (default 1000). */
    firstSweepMs?: number;
    /**
     * Told about findings a job opened (grouped by team, product and advisory), after the job's
     * writes committed: the trigger intake turns each into a `cve-published` event for the
     * owning team (its deadline, its notification: the "ticket to the owner"). A failure here is
     * retried with the job; the intake acts once per group however often it hears of it.
     */
    onOpened?: (groups: OpenedFindingGroup[]) => Promise<void>;
  } = {},
): Promise<() => Promise<void>> {
  const jobs = s.jobs;
  if (!jobs) return async () => {};
  const onOpened = o.onOpened;
  await jobs.work<VulnMatchJob>(VULN_MATCH_JOB, async (job) => {
    const since = s.clock().toISOString();
    const outcome = await runVulnMatch(s, job.data);
    if (onOpened && outcome.opened > 0) await onOpened(await openedFindingGroups(s.db.read, since));
  });
  // The first sweep runs in the background: a store with thousands of SBOMs never matched
  // queued a job each before the service listened, and held its start (and /healthz) 15 s.
  // It waits `firstSweepMs` too, so that the backlog it queues does not share the event loop
  // with the rest of the start (routes compiled, the listener opened).
  let running = true;
  let stopped = false;
  let cancelFirst: () => void = () => {};
  const first = new Promise<void>((resolve) => {
    const t = setTimeout(resolve, o.firstSweepMs ?? 1000);
    cancelFirst = () => {
      clearTimeout(t);
      resolve();
    };
  })
    .then(() => (stopped ? undefined : sweepUnmatched(s, 0)))
    .catch(() => undefined) // the next sweep tries again
    .finally(() => {
      running = false;
    });
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    // Advisory jobs queued a moment ago are not lost, only waiting: leave them a few minutes.
    sweepUnmatched(s, 5 * 60_000)
      .catch(() => undefined) // the next sweep tries again
      .finally(() => {
        running = false;
      });
  }, o.sweepMs ?? 60_000);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    cancelFirst();
    await first;
  };
}

/** Enqueue the current SBOMs and advisory versions not matched yet (singleton keys dedupe). */
export async function sweepUnmatched(s: Services, graceMs: number): Promise<void> {
  const jobs = s.jobs;
  if (!jobs) return;
  // One write for the whole backlog (the same jobs and keys enqueueSbomMatch makes).
  await jobs.enqueueMany<VulnMatchJob>(
    VULN_MATCH_JOB,
    (await unmatchedSbomIds(s.db.read, 10_000)).map((sbomId) => ({
      data: { kind: 'sbom', sbomId },
      singletonKey: `sbom:${sbomId}`,
    })),
    RETRY,
  );
  const before = new Date(s.clock().getTime() - graceMs).toISOString();
  const versions = await unmatchedAdvisoryVersions(s.db.read, 100_000, before);
  for (let i = 0; i < versions.length; i += 500)
    await enqueueAdvisoryMatch(
      s,
      versions.slice(i, i + 500).map((v) => ({ id: v.advisory_id, version: v.version_no })),
    );
}

/** Run one matching job (idempotent: running it twice leaves the same findings). */
export async function runVulnMatch(s: Services, job: VulnMatchJob): Promise<ReconcileOutcome> {
  if (job.kind === 'sbom') {
    const o = await matchSbom(s, job.sbomId);
    if (o.opened > 0) await draftVexForSbom(s, job.sbomId);
    return o;
  }
  const total: ReconcileOutcome = { opened: 0, updated: 0, closed: 0 };
  const ids = [...new Set(job.items.map((i) => i.id))];
  // Advisories a group at a time, each step for the whole group: for most advisories the round
  // trips and the commit were the bulk of the cost, a dozen and one per advisory.
  for (let i = 0; i < ids.length; i += MATCH_TOGETHER) {
    const o = await matchAdvisories(s, ids.slice(i, i + MATCH_TOGETHER));
    total.opened += o.opened;
    total.updated += o.updated;
    total.closed += o.closed;
  }
  // Seed 001, "CVE published affecting your components": a draft under_investigation statement
  // per affected product, within the job that found them (the 24–48 h clock starts here).
  if (total.opened > 0) await draftVexForFindings(s, { advisoryIds: ids });
  return total;
}

async function draftVexForSbom(s: Services, sbomId: number): Promise<void> {
  const sbom = await s.db.read
    .selectFrom('sboms')
    .select('artifact_id')
    .where('id', '=', sbomId)
    .executeTakeFirst();
  if (sbom) await draftVexForFindings(s, { artifactId: sbom.artifact_id });
}

/**
 * Match the artifact of an SBOM: its current SBOMs' components against the advisories naming
 * their packages. Findings no longer affected close: as `fixed` when the SBOM that had them was
 * superseded, else as `withdrawn` or `not_affected` by the advisory's change.
 */
async function matchSbom(s: Services, sbomId: number): Promise<ReconcileOutcome> {
  const read = s.db.read;
  const sbom = await read
    .selectFrom('sboms')
    .select(['id', 'artifact_id', 'current'])
    .where('id', '=', sbomId)
    .executeTakeFirst();
  const none = { opened: 0, updated: 0, closed: 0 };
  if (!sbom) return none;
  const at = s.clock().toISOString();
  if (sbom.current !== 1) {
    // Superseded before its job ran: the newer SBOM's job matches the artifact.
    await s.db.writes.run((trx) => recordSbomScan(trx, sbomId, at, 0));
    return none;
  }
  const current = await currentSbomIdsOfArtifact(read, sbom.artifact_id);
  // With no advisory naming any package (no feed loaded yet) nothing can match: reading and
  // parsing every component only to look them up in an empty table was most of the job's cost.
  // Open findings of the artifact still close below, as they would with an empty lookup.
  const anyNamed = await read
    .selectFrom('advisory_packages')
    .select('advisory_id')
    .limit(1)
    .executeTakeFirst();
  let rows = new Map<string, AdvisoryRow>();
  let desired: DesiredFinding[] = [];
  if (anyNamed) {
    const components = await componentsOfSboms(read, current);
    const keys: { ecosystem: string; name: string }[] = [];
    for (const c of components) {
      const ref = osvRef(c.purl);
      if (ref) for (const name of ref.names) keys.push({ ecosystem: ref.ecosystem, name });
    }
    rows = await advisoriesById(read, await advisoryIdsForPackages(read, keys));
    const records = [...rows.values()].filter((r) => r.withdrawn === null).map(recordOf);
    desired = desiredFindings(components, createAdvisoryIndex(records));
  }
  const currentSet = new Set(current);
  return s.db.writes.run(async (trx) => {
    const o = await reconcileFindings(trx, { artifactId: sbom.artifact_id }, desired, {
      at,
      closedSbomId: sbomId,
      reasonOf: (f) =>
        !currentSet.has(f.sbom_id)
          ? 'fixed'
          : rows.get(f.advisory_id)?.withdrawn
            ? 'withdrawn'
            : 'not_affected',
    });
    await recordSbomScan(trx, sbomId, at, desired.length);
    return o;
  });
}

/**
 * Match advisories (each its current version) against the whole portfolio through the component
 * index: the inventory packages each may name (package dictionary keys, and for distributions
 * the binary packages built from the source package it names), their components in current
 * SBOMs, then vuln/'s version rules on each. Then their affected lists are ready (`matched_at`).
 */
async function matchAdvisories(s: Services, ids: readonly string[]): Promise<ReconcileOutcome> {
  const read = s.db.read;
  const rows = await advisoriesById(read, ids);
  const matched = ids.flatMap((id) => rows.get(id) ?? []);
  if (matched.length === 0) return { opened: 0, updated: 0, closed: 0 };
  // What each advisory names, then every look-up once for the group.
  const wanted = new Map<string, { record: OsvRecord; lookups: PackageLookup[] }>();
  for (const row of matched) {
    if (row.withdrawn !== null) continue;
    const record = recordOf(row);
    const lookups: PackageLookup[] = [];
    for (const a of record.affected)
      if (a.package)
        lookups.push(packageLookupOf(splitOsvEcosystem(a.package.ecosystem).base, a.package.name));
    wanted.set(row.id, { record, lookups });
  }
  const all = [...wanted.values()].flatMap((w) => w.lookups);
  const byKey = await packageIdsByKey(read, [...new Set(all.flatMap((l) => l.keys))]);
  const caseless = new Set(all.flatMap((l) => l.caseless));
  const byCaseless =
    caseless.size > 0 ? await packageIdsByKeyIgnoringCase(read, [...caseless]) : new Map();
  const byUpstream = new Map<string, number[]>();
  for (const u of all.flatMap((l) => l.upstream)) {
    const k = `${u.prefix}${u.source}`;
    if (!byUpstream.has(k)) byUpstream.set(k, await packageIdsByUpstream(read, u.prefix, u.source));
  }
  const packagesOf = new Map<string, Set<number>>();
  for (const [id, w] of wanted) {
    const ps = new Set<number>();
    for (const l of w.lookups) {
      for (const k of l.keys) {
        const p = byKey.get(k);
        if (p !== undefined) ps.add(p);
      }
      for (const k of l.caseless) for (const p of byCaseless.get(k) ?? []) ps.add(p);
      for (const u of l.upstream)
        for (const p of byUpstream.get(`${u.prefix}${u.source}`) ?? []) ps.add(p);
    }
    packagesOf.set(id, ps);
  }
  const components = new Map<number, PlacedComponent[]>();
  for (const c of await currentComponentsOfPackages(read, [
    ...new Set([...packagesOf.values()].flatMap((ps) => [...ps])),
  ])) {
    const list = components.get(c.package_id);
    if (list) list.push(c);
    else components.set(c.package_id, [c]);
  }
  const desired: DesiredFinding[] = [];
  for (const [id, w] of wanted) {
    const mine = [...(packagesOf.get(id) ?? [])].flatMap((p) => components.get(p) ?? []);
    desired.push(...desiredFindings(mine, createAdvisoryIndex([w.record])));
  }
  const current = await currentAmong(read, await openFindingSbomIds(read, ids));
  const at = s.clock().toISOString();
  return s.db.writes.run(async (trx) => {
    const o = await reconcileFindings(trx, { advisoryIds: matched.map((r) => r.id) }, desired, {
      at,
      reasonOf: (f) =>
        !current.has(f.sbom_id)
          ? 'fixed'
          : (rows.get(f.advisory_id)?.withdrawn ?? null) !== null
            ? 'withdrawn'
            : 'not_affected',
    });
    await markAdvisoriesMatched(
      trx,
      matched.map((r) => ({ id: r.id, versionNo: r.version_no })),
      at,
    );
    return o;
  });
}

/** Stored records were checked on ingest; this reads them back into the model. */
function recordOf(r: AdvisoryRow): OsvRecord {
  return osvRecordFromJson(JSON.parse(r.record), `stored advisory ${r.id}`);
}

function osvRef(purl: string) {
  try {
    return osvPackageOfPurl(parsePurl(purl));
  } catch {
    return undefined;
  }
}

/**
 * One finding per (advisory, artifact, package): every affected version of the package the
 * artifact's SBOMs hold, the first fixed version, and the highest severity of the entries hit.
 */
function desiredFindings(
  components: readonly PlacedComponent[],
  index: AdvisoryIndex,
): DesiredFinding[] {
  const matches = new Map<string, PurlMatch>();
  // The same hit (record and affected entries) comes back for every release holding an affected
  // version: its severity (CVSS computed from vectors) is worked out once.
  const severities = new Map<string, ReturnType<typeof severityOf>>();
  const groups = new Map<string, DesiredFinding & { purls: Set<string>; vs: Set<string> }>();
  for (const c of components) {
    let m = matches.get(c.purl);
    if (!m) {
      m = matchPurl(index, c.purl);
      matches.set(c.purl, m);
    }
    if (m.kind !== 'matched') continue;
    for (const hit of m.hits) {
      const k = `${hit.record.id}\u0000${c.artifact_id}\u0000${c.package_id}`;
      const sevKey = `${hit.record.id}\u0000${hit.affectedIndexes.join(',')}`;
      let sev = severities.get(sevKey);
      if (sev === undefined) {
        sev = severityOf(hit.record, hit.affectedIndexes);
        severities.set(sevKey, sev);
      }
      let g = groups.get(k);
      if (!g) {
        g = {
          advisoryId: hit.record.id,
          teamId: c.team_id,
          productId: c.product_id,
          releaseId: c.release_id,
          artifactId: c.artifact_id,
          sbomId: c.sbom_id,
          packageId: c.package_id,
          purl: c.purl,
          versions: [],
          fixed: hit.fixed ?? null,
          severityScore: sev.score,
          severityRating: sev.rating,
          purls: new Set(),
          vs: new Set(),
        };
        groups.set(k, g);
      }
      g.sbomId = Math.max(g.sbomId, c.sbom_id);
      g.purls.add(c.purl);
      g.vs.add(m.ref.version ?? '');
      if (g.fixed === null && hit.fixed !== undefined) g.fixed = hit.fixed;
      if ((sev.score ?? -1) > (g.severityScore ?? -1)) {
        g.severityScore = sev.score;
        g.severityRating = sev.rating;
      }
    }
  }
  return [...groups.values()].map(({ purls, vs, ...d }) => ({
    ...d,
    purl: [...purls].sort()[0] as string,
    versions: [...vs].sort(),
  }));
}
