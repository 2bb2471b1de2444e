import type { MatchReport } from './match-sbom.js';

/** `custody vuln match`'s text report: one table row per finding, then what else was found. */
export function formatMatchText(r: MatchReport): string {
  const kev = r.stats.kev !== undefined;
  const epss = r.stats.epss !== undefined;
  const head = [
    'SEVERITY',
    'PACKAGE',
    'ADVISORY',
    'FIXED',
    ...(kev ? ['KEV'] : []),
    ...(epss ? ['EPSS'] : []),
    'VEX',
  ];
  const rows = r.findings.map((f) => {
    const cve = f.aliases.find((a) => a.startsWith('CVE-'));
    return [
      `${f.severity.rating}${f.severity.score === null ? '' : ` ${f.severity.score.toFixed(1)}`}`,
      printable(f.purl),
      printable(cve === undefined || cve === f.id ? f.id : `${f.id} (${cve})`),
      printable(f.fixed ?? '-'),
      ...(kev ? [f.kev ? `yes ${f.kev.dateAdded}` : '-'] : []),
      ...(epss
        ? [f.epss ? `${f.epss.score.toFixed(3)} (${Math.round(f.epss.percentile * 100)}%)` : '-']
        : []),
      f.vex.status,
    ];
  });
  const lines: string[] = [];
  if (rows.length > 0) lines.push(...table([head, ...rows]));
  const s = r.stats;
  lines.push(
    `${s.findings} finding(s), ${s.unsuppressed} not settled by VEX, in ${s.components} component(s); ${s.advisories} advisories read from ${s.advisoryFiles} file(s)${s.withdrawn > 0 ? ` (${s.withdrawn} withdrawn, ignored)` : ''}`,
  );
  if (r.problems.length > 0) {
    lines.push(
      `${r.problems.length} advisory(ies) could not be evaluated for a component's version:`,
    );
    for (const p of r.problems.slice(0, 20))
      lines.push(`  ${printable(p.purl)} ${printable(p.id)}: ${printable(p.message)}`);
    if (r.problems.length > 20)
      lines.push(`  … and ${r.problems.length - 20} more (--json lists all)`);
  }
  const skipped = r.skipped.filter((x) => x.reason !== 'ecosystem-unknown');
  if (skipped.length > 0)
    lines.push(
      `${skipped.length} component(s) not matched (no purl, no version or a malformed purl; --json lists them)`,
    );
  if (r.refused.length > 0) {
    lines.push(`${r.refused.length} advisory file(s) or record(s) refused as malformed:`);
    for (const x of r.refused.slice(0, 20))
      lines.push(`  ${printable(x.file)}: ${x.code}: ${printable(x.message)}`);
    if (r.refused.length > 20)
      lines.push(`  … and ${r.refused.length - 20} more (--json lists all)`);
  }
  return `${lines.join('\n')}\n`;
}

function table(rows: string[][]): string[] {
  const widths = (rows[0] ?? []).map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) =>
    r
      .map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}

// Advisory text is untrusted: no terminal escapes reach the screen.
function printable(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}
