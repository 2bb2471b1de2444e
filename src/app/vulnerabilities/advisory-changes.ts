import { canonicalize } from '../../core/index.js';
import type { OsvAffected, OsvRecord } from '../../formats/index.js';
import { severityOf } from '../../vuln/index.js';

/** What changed from one version of an advisory to the next (kept with the new version). */
export interface AdvisoryChanges {
  /** The previous version's `modified`. */
  previousModified: string;
  /** Top-level fields that differ (`modified` aside), in the record's own spelling. */
  fields: string[];
  aliases?: { added: string[]; removed: string[] };
  /** Affected packages (`ecosystem/name`) named or no longer named. */
  packages?: { added: string[]; removed: string[] };
  /** Packages whose ranges or versions lists changed: each range as `TYPE: introduced 0, fixed 1.2.3`. */
  ranges?: { package: string; before: string[]; after: string[] }[];
  severity?: { before: SeverityBrief; after: SeverityBrief };
  withdrawn?: { before: string | null; after: string | null };
}

interface SeverityBrief {
  score: number | null;
  rating: string;
}

const FIELDS: readonly [string, (r: OsvRecord) => unknown][] = [
  ['summary', (r) => r.summary],
  ['details', (r) => r.details],
  ['published', (r) => r.published],
  ['withdrawn', (r) => r.withdrawn],
  ['aliases', (r) => [...r.aliases].sort()],
  ['related', (r) => r.related],
  ['upstream', (r) => r.upstream],
  ['severity', (r) => r.severity],
  ['affected', (r) => r.affected],
  ['references', (r) => r.references],
  ['credits', (r) => r.credits],
  ['database_specific', (r) => r.databaseSpecific],
  ['schema_version', (r) => r.schemaVersion],
];

/** Compare two versions of one advisory (pure). */
export function advisoryChanges(before: OsvRecord, after: OsvRecord): AdvisoryChanges {
  const out: AdvisoryChanges = { previousModified: before.modified, fields: [] };
  for (const [name, get] of FIELDS) {
    if (canonicalize(get(before) ?? null) !== canonicalize(get(after) ?? null))
      out.fields.push(name);
  }
  const aliases = diff(before.aliases, after.aliases);
  if (aliases) out.aliases = aliases;
  const pb = packagesOf(before);
  const pa = packagesOf(after);
  const packages = diff([...pb.keys()], [...pa.keys()]);
  if (packages) out.packages = packages;
  const ranges: NonNullable<AdvisoryChanges['ranges']> = [];
  for (const [pkg, a] of pa) {
    const b = pb.get(pkg);
    if (b === undefined) continue;
    const rb = b.flatMap(rangeText);
    const ra = a.flatMap(rangeText);
    if (canonicalize(rb) !== canonicalize(ra)) ranges.push({ package: pkg, before: rb, after: ra });
  }
  if (ranges.length > 0) out.ranges = ranges;
  const sb = brief(before);
  const sa = brief(after);
  if (sb.score !== sa.score || sb.rating !== sa.rating) out.severity = { before: sb, after: sa };
  if ((before.withdrawn ?? null) !== (after.withdrawn ?? null))
    out.withdrawn = { before: before.withdrawn ?? null, after: after.withdrawn ?? null };
  return out;
}

function diff(
  before: readonly string[],
  after: readonly string[],
): { added: string[]; removed: string[] } | undefined {
  const b = new Set(before);
  const a = new Set(after);
  const added = [...a].filter((x) => !b.has(x)).sort();
  const removed = [...b].filter((x) => !a.has(x)).sort();
  return added.length + removed.length > 0 ? { added, removed } : undefined;
}

function packagesOf(r: OsvRecord): Map<string, OsvAffected[]> {
  const m = new Map<string, OsvAffected[]>();
  for (const a of r.affected) {
    if (!a.package) continue;
    const k = `${a.package.ecosystem}/${a.package.name}`;
    const list = m.get(k);
    if (list) list.push(a);
    else m.set(k, [a]);
  }
  return m;
}

function rangeText(a: OsvAffected): string[] {
  const ranges = a.ranges.map(
    (r) => `${r.type}: ${r.events.map((e) => `${e.kind} ${e.version}`).join(', ')}`,
  );
  if (a.versions.length > 0) ranges.push(`versions: ${a.versions.length}`);
  return ranges;
}

function brief(r: OsvRecord): SeverityBrief {
  const s = severityOf(
    r,
    r.affected.map((_, i) => i),
  );
  return { score: s.score, rating: s.rating };
}
