import type { Command } from 'commander';
import type { Review } from '../../app/triggers/index.js';
import type { CliIO } from '../io.js';
import { clientFor, type ServiceFlags, withServiceOptions } from '../service.js';

/**
 * `custody review --since <date>`: the scheduled review (Pattern 3) of the service at
 * CUSTODY_URL: per product, the changes since its last SBOM; the advisories ingested or changed
 * since the date with the products they affect; and the batched SBOM and VEX work.
 */
export function registerReview(program: Command, io: CliIO): void {
  withServiceOptions(
    program
      .command('review')
      .description(
        "the scheduled review: changes since each product's last SBOM, new and changed advisories, and the SBOMs to generate and VEX statements to draft or update",
      )
      .requiredOption(
        '--since <date>',
        'advisories ingested or changed since (2026-12-01 or RFC 3339)',
      )
      .option('--json', 'print the review as JSON'),
  ).action(async (o: ServiceFlags & { since: string; json?: boolean }) => {
    const client = clientFor(o, io);
    const { body } = await client.request<Review>('GET', '/api/v1/review', {
      query: { since: o.since },
    });
    if (o.json) {
      io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      return;
    }
    io.stdout.write(formatReview(body));
  });
}

function formatReview(r: Review): string {
  const out: string[] = [`Review since ${r.since} (at ${r.generatedAt})`, ''];
  out.push('Products:');
  if (r.products.length === 0) out.push('  (none)');
  for (const p of r.products) {
    out.push(
      `  ${p.product} (team ${p.team}): last SBOM ${p.lastSbomAt ?? 'never'}; ${p.changes.length} change(s) since, ${p.withoutSbom.length} without an SBOM`,
    );
    for (const c of p.changes)
      out.push(
        `    event ${c.eventId} ${c.kind} at ${c.receivedAt}${c.context ? `: ${c.context}` : ''}`,
      );
  }
  out.push('', `Advisories (${r.advisoriesChanged} ingested or changed since; affecting yours):`);
  if (r.advisories.length === 0) out.push('  (none)');
  for (const a of r.advisories) {
    const where = a.products.map((p) => `${p.product} ${p.releases.join(', ')}`).join('; ');
    out.push(`  ${a.id} ${a.change}${a.withdrawn ? ' (withdrawn)' : ''} [${a.severity}]: ${where}`);
  }
  out.push('', 'Work:');
  for (const w of r.work.sboms) {
    const what = w.version ?? w.commit ?? w.digest ?? `event ${w.eventId}`;
    out.push(
      `  SBOM  ${w.product ?? '-'} ${what} (${w.kind}, ${w.action})${w.deadline ? ` due ${w.deadline}` : ''}${w.overdue ? ' OVERDUE' : ''}`,
    );
  }
  for (const v of r.work.vex)
    out.push(
      `  VEX   ${v.product} ${v.vulnerability}: ${v.action}${v.status ? ` (now ${v.status})` : ''}`,
    );
  if (r.work.sboms.length + r.work.vex.length === 0) out.push('  nothing to do');
  if (r.truncated) out.push('', 'The lists were cut at their limit: use a later --since.');
  return `${out.join('\n')}\n`;
}
