import type { Command } from 'commander';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';
import { clientFor, type ServiceFlags, withServiceOptions } from '../service.js';

interface SearchFlags extends ServiceFlags {
  name?: string;
  version?: string;
  range?: string;
  ecosystem?: string;
  hash?: string;
  license?: string;
  direct?: boolean;
  transitive?: boolean;
  history?: boolean;
  limit?: string;
  all?: boolean;
  json?: boolean;
}

interface Hit {
  purl: string | null;
  name: string;
  version: string | null;
  direct: boolean;
  current: boolean;
  release: { id: number; version: string; createdAt: string };
  product: { name: string; team: string };
  artifact: { digest: string };
}

/**
 * `custody search`: where does the portfolio ship a component? By purl (exact version or every
 * version), name and version, version range (vers), hash or licence.
 */
export function registerSearch(program: Command, io: CliIO): void {
  withServiceOptions(
    program
      .command('search [purl]')
      .description(
        'find the releases that contain a component (by purl, name, range, hash or licence)',
      )
      .option('--name <name>', 'component name')
      .option('--version <version>', 'exact version (with a purl without version, or --name)')
      .option('--range <vers>', 'version range, e.g. "vers:npm/>=4.0.0|<4.17.21"')
      .option('--ecosystem <type>', 'purl type narrowing a --name search (npm, pypi, …)')
      .option('--hash <digest>', 'component hash: sha256:<hex> or bare hex')
      .option('--license <id>', 'SPDX licence id')
      .option('--direct', 'only direct dependencies')
      .option('--transitive', 'only transitive dependencies')
      .option('--history', 'include superseded SBOM versions')
      .option('--limit <n>', 'page size (1–500)', '50')
      .option('--all', 'follow every page')
      .option('--json', 'print the hits as JSON'),
  ).action(async (purl: string | undefined, o: SearchFlags) => {
    if (o.direct && o.transitive) {
      io.stderr.write('custody: USAGE: give --direct or --transitive, not both\n');
      throw new CliExit(EXIT.usage);
    }
    const client = clientFor(o, io);
    const query: Record<string, string | undefined> = {
      purl,
      name: o.name,
      version: o.version,
      range: o.range,
      ecosystem: o.ecosystem,
      hash: o.hash,
      license: o.license,
      direct: o.direct ? 'true' : o.transitive ? 'false' : undefined,
      history: o.history ? 'true' : undefined,
      limit: o.limit,
    };
    const hits: Hit[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: { items: Hit[]; nextCursor: string | null } } = await client.request<{
        items: Hit[];
        nextCursor: string | null;
      }>('GET', '/api/v1/components', {
        query: { ...query, ...(cursor ? { cursor } : {}) },
      });
      const body = res.body;
      hits.push(...body.items);
      cursor = o.all ? body.nextCursor : null;
      if (!o.all && body.nextCursor && !o.json) {
        io.stderr.write(`(more results: --all follows every page)\n`);
      }
    } while (cursor);
    if (o.json) {
      io.stdout.write(`${JSON.stringify(hits, null, 2)}\n`);
      return;
    }
    if (hits.length === 0) {
      io.stderr.write('no component matches\n');
      return;
    }
    const rows = hits.map((h) => [
      h.product.name,
      h.release.version,
      `${h.artifact.digest.slice(0, 19)}…`,
      h.purl ?? `${h.name}@${h.version ?? '?'}`,
      h.direct ? 'direct' : 'transitive',
    ]);
    const header = ['PRODUCT', 'RELEASE', 'ARTIFACT', 'COMPONENT', 'DEPENDENCY'];
    const widths = header.map((t, i) =>
      Math.max(t.length, ...rows.map((r) => (r[i] as string).length)),
    );
    for (const r of [header, ...rows]) {
      io.stdout.write(
        `${r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] as number))).join('  ')}\n`,
      );
    }
  });
}
