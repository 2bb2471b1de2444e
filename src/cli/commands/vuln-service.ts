import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readFeedFile, readLocalAdvisories } from '../../app/vulnerabilities/advisory-files.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';
import { progress } from '../output.js';
import { clientFor, type ServiceFlags, withServiceOptions } from '../service.js';

/** Records per request: well under the service's 5,000 and its body limit for real OSV data. */
const BATCH = 500;

interface IngestAnswer {
  created: number;
  updated: number;
  unchanged: number;
  stale: number;
  records: { id: string; outcome: string; version: number }[];
  matchJob: string | null;
}

interface Affected {
  team: string;
  product: string;
  release: string;
  component: string;
  versions: string[];
  fixed: string | null;
  openedAt: string;
  closedAt: string | null;
  closeReason: string | null;
}

interface MatchProblemsAnswer {
  product: string;
  sboms: number;
  components: number;
  problems: { release: string; purl: string; advisory: string; kind: string; detail: string }[];
  skipped: { release: string; purl: string; reason: string; detail: string }[];
  truncated: boolean;
}

interface Vulnerability {
  id: string;
  aliases: string[];
  severity: { score: number | null; rating: string };
  kev: { cve: string } | null;
  epss: { score: number } | null;
  affected: Affected[];
}

/**
 * The service side of `custody vuln`: `ingest` (OSV files, folders, ZIPs), `kev`, `epss` and
 * `list`, against the service at CUSTODY_URL. Attaches to the `vuln` command the offline
 * `custody vuln match` registers (or creates it).
 */
export function registerVulnService(program: Command, io: CliIO): void {
  const vuln =
    program.commands.find((c) => c.name() === 'vuln') ??
    program.command('vuln').description('vulnerabilities: advisories, matching, KEV and EPSS');

  withServiceOptions(
    vuln
      .command('ingest <paths...>')
      .description(
        'send OSV records (files, folders, .zip archives) to the service; re-ingesting a changed record keeps its history',
      )
      .option('--skip-invalid', 'send the valid records even when some are refused locally')
      .option('--json', 'print the result as JSON'),
  ).action(async (paths: string[], o: ServiceFlags & { skipInvalid?: boolean; json?: boolean }) => {
    const client = clientFor(o, io);
    const local = readLocalAdvisories(paths.map((p) => resolve(io.cwd, p)));
    const refused = local.filter((r) => !r.ok);
    for (const r of refused)
      if (!r.ok) io.stderr.write(`refused  ${r.where}: ${r.code}: ${r.message}\n`);
    if (refused.length > 0 && !o.skipInvalid) {
      io.stderr.write(
        `custody: ${refused.length} of ${local.length} records refused; nothing was sent (fix them, or pass --skip-invalid)\n`,
      );
      throw new CliExit(EXIT.usage);
    }
    const values = local.flatMap((r) => (r.ok ? [r.value] : []));
    if (values.length === 0) {
      io.stderr.write(
        'custody: USAGE: no OSV records found (looked for .json files and .zip archives)\n',
      );
      throw new CliExit(EXIT.usage);
    }
    const tick = progress(io, 'ingesting');
    const total = { created: 0, updated: 0, unchanged: 0, stale: 0, jobs: [] as string[] };
    const records: IngestAnswer['records'] = [];
    for (let i = 0; i < values.length; i += BATCH) {
      const { body } = await client.request<IngestAnswer>('POST', '/api/v1/advisories', {
        body: JSON.stringify(values.slice(i, i + BATCH)),
        contentType: 'application/json',
      });
      total.created += body.created;
      total.updated += body.updated;
      total.unchanged += body.unchanged;
      total.stale += body.stale;
      if (body.matchJob) total.jobs.push(body.matchJob);
      records.push(...body.records);
      tick(Math.min(values.length, i + BATCH), values.length);
    }
    if (o.json) {
      io.stdout.write(
        `${JSON.stringify({ ...total, refused: refused.length, records }, null, 2)}\n`,
      );
      return;
    }
    for (const r of records.filter((x) => x.outcome === 'updated'))
      io.stdout.write(`updated  ${r.id} → version ${r.version}\n`);
    io.stdout.write(
      `${values.length} records: ${total.created} new, ${total.updated} updated, ${total.unchanged} unchanged, ${total.stale} stale${refused.length ? `, ${refused.length} refused` : ''}; matching against the portfolio runs in the service\n`,
    );
  });

  for (const [feed, type, what] of [
    ['kev', 'application/json', "CISA's KEV catalogue (known_exploited_vulnerabilities.json)"],
    ['epss', 'text/csv', "FIRST's EPSS scores (epss_scores-YYYY-MM-DD.csv, or .csv.gz)"],
  ] as const) {
    withServiceOptions(
      vuln
        .command(`${feed} <file>`)
        .description(`load ${what} into the service (replaces the one loaded)`),
    ).action(async (file: string, o: ServiceFlags) => {
      const client = clientFor(o, io);
      const bytes = readFeedFile(resolve(io.cwd, file));
      const { body } = await client.request<{ entries: number; version: string | null }>(
        'PUT',
        `/api/v1/feeds/${feed}`,
        { body: bytes, contentType: type },
      );
      io.stdout.write(
        `${feed}: ${body.entries} entries loaded${body.version ? ` (${body.version})` : ''}\n`,
      );
    });
  }

  withServiceOptions(
    vuln
      .command('problems <product>')
      .description(
        "components of a product's current SBOMs the matcher could not judge (unreadable versions, no version)",
      )
      .option('--release <version>', 'only this release')
      .option('--json', 'print the answer as JSON'),
  ).action(async (product: string, o: ServiceFlags & { release?: string; json?: boolean }) => {
    const client = clientFor(o, io);
    const { body } = await client.request<MatchProblemsAnswer>('GET', '/api/v1/match-problems', {
      query: { product, release: o.release },
    });
    if (o.json) {
      io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      return;
    }
    io.stdout.write(
      `${body.product}: ${body.components} component(s) in ${body.sboms} current SBOM(s); ${body.problems.length} not judged, ${body.skipped.length} not matchable${body.truncated ? ' (truncated)' : ''}\n`,
    );
    for (const p of body.problems)
      io.stdout.write(`  ${p.release}  ${p.purl}  ${p.advisory}: ${p.kind} (${p.detail})\n`);
    for (const k of body.skipped)
      io.stdout.write(`  ${k.release}  ${k.purl}  ${k.reason} (${k.detail})\n`);
  });

  withServiceOptions(
    vuln
      .command('list')
      .description('advisories affecting your releases (open findings by default)')
      .option('--severity <ratings>', 'critical, high, medium, low, unknown (comma-separated)')
      .option('--product <name>', 'only this product')
      .option('--id <id>', 'an advisory id or alias (CVE-…)')
      .option('--state <state>', 'open (default), closed or all')
      .option('--json', 'print {"items":[…]} as JSON'),
  ).action(
    async (
      o: ServiceFlags & {
        severity?: string;
        product?: string;
        id?: string;
        state?: string;
        json?: boolean;
      },
    ) => {
      const client = clientFor(o, io);
      const items: Vulnerability[] = [];
      let cursor: string | undefined;
      do {
        const { body } = await client.request<{
          items: Vulnerability[];
          nextCursor: string | null;
        }>('GET', '/api/v1/vulnerabilities', {
          query: {
            severity: o.severity,
            product: o.product,
            id: o.id,
            state: o.state,
            limit: 500,
            cursor,
          },
        });
        items.push(...body.items);
        cursor = body.nextCursor ?? undefined;
      } while (cursor !== undefined);
      if (o.json) {
        io.stdout.write(`${JSON.stringify({ items }, null, 2)}\n`);
        return;
      }
      if (items.length === 0) io.stdout.write('no findings\n');
      for (const v of items) {
        const score = v.severity.score === null ? '' : ` ${v.severity.score}`;
        const kev = v.kev ? ' KEV' : '';
        const epss = v.epss ? ` EPSS ${v.epss.score}` : '';
        io.stdout.write(
          `${v.id} (${v.aliases.join(', ') || 'no aliases'}) ${v.severity.rating}${score}${kev}${epss}\n`,
        );
        for (const a of v.affected) {
          const state = a.closedAt
            ? `closed ${a.closedAt} (${a.closeReason})`
            : `open since ${a.openedAt}`;
          io.stdout.write(
            `  ${a.product} ${a.release}  ${a.component}  fixed in ${a.fixed ?? 'no fixed version'}  ${state}\n`,
          );
        }
      }
    },
  );
}
