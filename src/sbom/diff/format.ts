import type { SbomDiff } from './diff.js';

/**
 * The diff for people: counts first, then groups with markers — `!` hash changed at the same
 * version (first: it is the one to investigate) and licence changes, `+` added, `-` removed,
 * `↑` upgraded, `↓` downgraded; dependency edges with `+`/`-`.
 */
export function formatDiffText(diff: SbomDiff): string {
  const s = diff.summary;
  const total = Object.values(s).reduce((a, b) => a + b, 0);
  if (total === 0) return 'SBOM diff: no differences\n';
  const lines = [
    `SBOM diff: ${s.added} added, ${s.removed} removed, ${s.upgraded} upgraded, ${s.downgraded} downgraded, ` +
      `${s.licenseChanged} licence changed, ${s.hashChanged} hash changed at the same version, ` +
      `${s.edgesAdded} dependency edges added, ${s.edgesRemoved} removed`,
  ];
  const group = (title: string, items: string[]) => {
    if (items.length > 0)
      lines.push('', `${title} (${items.length}):`, ...items.map((i) => `  ${i}`));
  };
  group(
    'HASH CHANGED AT THE SAME VERSION — the bytes changed but the version did not',
    diff.hashChanged.map(
      (h) => `! ${h.identity}@${h.version} ${h.alg}: ${short(h.from)} → ${short(h.to)}`,
    ),
  );
  group(
    'Added',
    diff.added.map((p) => `+ ${at(p.identity, p.version)}`),
  );
  group(
    'Removed',
    diff.removed.map((p) => `- ${at(p.identity, p.version)}`),
  );
  group(
    'Upgraded',
    diff.upgraded.map((c) => `↑ ${c.identity} ${c.from} → ${c.to}`),
  );
  group(
    'Downgraded',
    diff.downgraded.map((c) => `↓ ${c.identity} ${c.from} → ${c.to}`),
  );
  group(
    'Licence changed',
    diff.licenseChanged.map(
      (l) => `! ${at(l.identity, l.toVersion)}: ${lic(l.from)} → ${lic(l.to)}`,
    ),
  );
  group(
    'Dependency edges added',
    diff.edgesAdded.map((e) => `+ ${e.from} → ${e.to}`),
  );
  group(
    'Dependency edges removed',
    diff.edgesRemoved.map((e) => `- ${e.from} → ${e.to}`),
  );
  return `${lines.join('\n')}\n`;
}

function at(identity: string, version: string): string {
  return version === '' ? identity : `${identity}@${version}`;
}

function short(digests: string[]): string {
  return digests.map((d) => (d.length > 16 ? `${d.slice(0, 16)}…` : d)).join(',');
}

function lic(l: string[]): string {
  return l.length === 0 ? '(none)' : l.join(' AND ');
}
