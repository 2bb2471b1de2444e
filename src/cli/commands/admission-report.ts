import type { Command } from 'commander';
import type { WouldDenyReport } from '../../admission/report.js';
import { CustodyError } from '../../core/index.js';
import type { CliIO } from '../io.js';
import { clientFor, type ServiceFlags, withServiceOptions } from '../service.js';

/**
 * `custody admission report`: the would-deny report of the service at CUSTODY_URL, per namespace
 * over the last N days: what enforce would have denied while the namespace ran in audit or warn.
 * Other `custody admission …` commands may register the same parent: it is found, not made twice.
 */
export function registerAdmissionReport(program: Command, io: CliIO): void {
  const admission =
    program.commands.find((c) => c.name() === 'admission') ??
    program.command('admission').description('the admission gate: decisions, reports, exceptions');
  withServiceOptions(
    admission
      .command('report')
      .description(
        'what enforce would have denied per namespace while it ran in audit or warn, by reason and image: to decide when to move to enforce',
      )
      .option('--days <n>', 'window in days, 1–366', '7')
      .option('--namespace <ns>', 'only this namespace')
      .option('--top <n>', 'images listed per namespace, 1–100', '5')
      .option('--json', 'print the report as JSON'),
  ).action(
    async (o: ServiceFlags & { days: string; namespace?: string; top: string; json?: boolean }) => {
      if (!/^\d{1,3}$/.test(o.days))
        throw new CustodyError('USAGE', '--days is a whole number, 1–366');
      const client = clientFor(o, io);
      const { body } = await client.request<WouldDenyReport>('GET', '/api/v1/admission/report', {
        query: {
          days: o.days,
          top: o.top,
          ...(o.namespace !== undefined ? { namespace: o.namespace } : {}),
        },
      });
      io.stdout.write(o.json ? `${JSON.stringify(body, null, 2)}\n` : formatReport(body));
    },
  );
}

/** A table per namespace, then its top images. */
export function formatReport(r: WouldDenyReport): string {
  const out = [`Would-deny report, ${r.days} day(s): ${r.since} to ${r.until}`, ''];
  if (r.namespaces.length === 0) return `${out.join('\n')}No decisions in the window.\n`;
  const rows = [
    ['NAMESPACE', 'DECISIONS', 'DENIED', 'AUDIT/WARN', 'WOULD-DENY', 'RATIO', 'IMAGES', 'READY'],
    ...r.namespaces.map((n) => [
      n.namespace,
      String(n.decisions),
      String(n.denied),
      String(n.notEnforced),
      String(n.wouldDeny),
      n.wouldDenyRatio === null ? '–' : `${(n.wouldDenyRatio * 100).toFixed(1)}%`,
      String(n.images),
      n.readyForEnforce ? 'yes' : n.notEnforced === 0 ? 'enforced' : 'no',
    ]),
  ];
  const widths =
    rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  for (const row of rows)
    out.push(
      row
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    );
  for (const n of r.namespaces) {
    if (n.wouldDeny === 0) continue;
    const reasons = Object.entries(n.byReason)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    out.push('', `${n.namespace}: ${reasons} (first ${n.firstAt}, last ${n.lastAt})`);
    for (const i of n.topImages)
      out.push(`  ${String(i.decisions).padStart(6)}  ${i.image}  [${i.reasons.join(', ')}]`);
    if (n.wouldDenyImages > n.topImages.length)
      out.push(`  … and ${n.wouldDenyImages - n.topImages.length} more image(s)`);
  }
  if (r.truncated)
    out.push('', 'The image groups were cut at their limit: per-image figures are partial.');
  return `${out.join('\n')}\n`;
}
