/**
 * The would-deny report: per namespace, over a window, how many decisions enforce would have
 * denied while the namespace ran in audit or warn, why, and which images, so that a team can see
 * when moving to enforce will stop nothing it needs. Pure: the store hands in the aggregates.
 */

/** Per namespace, the real (not dry-run) decisions of the window. */
export interface NamespaceDecisionCounts {
  namespace: string;
  decisions: number;
  denied: number;
  /** Decisions taken in audit or warn. */
  notEnforced: number;
  /** Of those, the ones enforce would have denied (an image failed or its check could not be
   *  made, and no exception waived it). */
  wouldDeny: number;
  /** Distinct image references seen. */
  images: number;
  firstAt: string;
  lastAt: string;
}

/** One image that enforce would have refused, for one reason, in one namespace. */
export interface WouldDenyImageGroup {
  namespace: string;
  image: string;
  reason: string;
  decisions: number;
  firstAt: string;
  lastAt: string;
}

export interface WouldDenyImage {
  image: string;
  /** Decisions it would have been denied in. */
  decisions: number;
  reasons: string[];
  firstAt: string;
  lastAt: string;
}

export interface NamespaceWouldDeny {
  namespace: string;
  decisions: number;
  denied: number;
  notEnforced: number;
  wouldDeny: number;
  /** wouldDeny / notEnforced; null when nothing ran unenforced. */
  wouldDenyRatio: number | null;
  /** Would-deny image decisions per reason (an image counted once per decision and reason). */
  byReason: Record<string, number>;
  images: number;
  wouldDenyImages: number;
  /** The images most often refused, most first. */
  topImages: WouldDenyImage[];
  firstAt: string;
  lastAt: string;
  /** Decisions ran in audit or warn in the window and enforce would have denied none. */
  readyForEnforce: boolean;
}

export interface WouldDenyReport {
  days: number;
  since: string;
  until: string;
  namespaces: NamespaceWouldDeny[];
  totals: { decisions: number; notEnforced: number; wouldDeny: number };
  /** The store cut the image groups at its limit: the per-image figures are partial. */
  truncated: boolean;
}

/**
 * Build the report from the store's aggregates.
 * @param topN how many images each namespace lists (the rest count in `wouldDenyImages`)
 */
export function buildWouldDenyReport(input: {
  days: number;
  since: string;
  until: string;
  counts: readonly NamespaceDecisionCounts[];
  groups: readonly WouldDenyImageGroup[];
  topN?: number;
  truncated?: boolean;
}): WouldDenyReport {
  const topN = input.topN ?? 10;
  const groupsByNs = new Map<string, WouldDenyImageGroup[]>();
  for (const g of input.groups) {
    const list = groupsByNs.get(g.namespace) ?? [];
    list.push(g);
    groupsByNs.set(g.namespace, list);
  }
  const namespaces = [...input.counts]
    .sort((a, b) => compare(a.namespace, b.namespace))
    .map((c) => namespaceReport(c, groupsByNs.get(c.namespace) ?? [], topN));
  return {
    days: input.days,
    since: input.since,
    until: input.until,
    namespaces,
    totals: {
      decisions: sum(namespaces.map((n) => n.decisions)),
      notEnforced: sum(namespaces.map((n) => n.notEnforced)),
      wouldDeny: sum(namespaces.map((n) => n.wouldDeny)),
    },
    truncated: input.truncated ?? false,
  };
}

function namespaceReport(
  c: NamespaceDecisionCounts,
  groups: readonly WouldDenyImageGroup[],
  topN: number,
): NamespaceWouldDeny {
  const byReason: Record<string, number> = {};
  const byImage = new Map<string, WouldDenyImage & { reasonSet: Set<string> }>();
  for (const g of groups) {
    byReason[g.reason] = (byReason[g.reason] ?? 0) + g.decisions;
    const i = byImage.get(g.image) ?? {
      image: g.image,
      decisions: 0,
      reasons: [],
      reasonSet: new Set<string>(),
      firstAt: g.firstAt,
      lastAt: g.lastAt,
    };
    // Groups count decisions per reason; an image refused for two reasons in one decision is in
    // both. The largest group is then a lower bound of its decisions, exact for one reason.
    i.decisions = Math.max(i.decisions, g.decisions);
    i.reasonSet.add(g.reason);
    if (g.firstAt < i.firstAt) i.firstAt = g.firstAt;
    if (g.lastAt > i.lastAt) i.lastAt = g.lastAt;
    byImage.set(g.image, i);
  }
  const images = [...byImage.values()]
    .map(({ reasonSet, ...i }) => ({ ...i, reasons: [...reasonSet].sort() }))
    .sort((a, b) => b.decisions - a.decisions || compare(a.image, b.image));
  return {
    namespace: c.namespace,
    decisions: c.decisions,
    denied: c.denied,
    notEnforced: c.notEnforced,
    wouldDeny: c.wouldDeny,
    wouldDenyRatio: c.notEnforced === 0 ? null : c.wouldDeny / c.notEnforced,
    byReason: Object.fromEntries(Object.entries(byReason).sort(([a], [b]) => compare(a, b))),
    images: c.images,
    wouldDenyImages: images.length,
    topImages: images.slice(0, topN),
    firstAt: c.firstAt,
    lastAt: c.lastAt,
    readyForEnforce: c.notEnforced > 0 && c.wouldDeny === 0,
  };
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
