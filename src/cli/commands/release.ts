import type { Command } from 'commander';
import type { PortfolioFigures } from '../../app/inventory/portfolio-figures.js';
import type { SbomDiff } from '../../sbom/diff/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';
import { clientFor, type ServiceFlags, withServiceOptions } from '../service.js';

interface ReleaseRef {
  id: number;
  version: string;
}

/**
 * `custody release diff` and `custody portfolio`: the service's release diff and portfolio
 * figures, for people at a terminal and for CI (`--json`).
 */
export function registerRelease(program: Command, io: CliIO): void {
  const release = program.command('release').description('releases in the inventory');
  withServiceOptions(
    release
      .command('diff <from> <to>')
      .description(
        'SBOM diff between two releases of a product (components added, removed, changed)',
      )
      .requiredOption('--product <name>', 'the product')
      .option('--json', 'print the diff as JSON'),
  ).action(
    async (from: string, to: string, o: ServiceFlags & { product: string; json?: boolean }) => {
      const client = clientFor(o, io);
      const ref = async (version: string) =>
        (
          await client.request<ReleaseRef>(
            'GET',
            `/api/v1/products/${encodeURIComponent(o.product)}/releases/${encodeURIComponent(version)}`,
          )
        ).body;
      const [a, b] = await Promise.all([ref(from), ref(to)]);
      const { body } = await client.request<{ diff: SbomDiff }>(
        'GET',
        `/api/v1/releases/${b.id}/diff`,
        {
          query: { against: a.id },
        },
      );
      if (o.json) {
        io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
        return;
      }
      const { formatDiffText } = await import('../../app/sbom/index.js');
      io.stdout.write(`${o.product} ${a.version} → ${b.version}\n`);
      io.stdout.write(formatDiffText(body.diff));
    },
  );

  withServiceOptions(
    release
      .command('set <product@release>')
      .description('record a change ticket, tag, commit or deployment on a release')
      .option('--ticket <id>', 'change ticket (SOX / SOC 2), e.g. CHG-123')
      .option('--tag <tag>', 'VCS tag')
      .option('--commit <sha>', 'VCS commit')
      .option('--deployed', 'mark the release deployed')
      .option('--json', 'print the release as JSON'),
  ).action(
    async (
      ref: string,
      o: ServiceFlags & {
        ticket?: string;
        tag?: string;
        commit?: string;
        deployed?: boolean;
        json?: boolean;
      },
    ) => {
      const { releaseRef, releasePath } = await import('./slsa.js');
      const r = releaseRef(ref);
      const patch = {
        ...(o.ticket !== undefined ? { ticket: o.ticket } : {}),
        ...(o.tag !== undefined ? { tag: o.tag } : {}),
        ...(o.commit !== undefined ? { commit: o.commit } : {}),
        ...(o.deployed ? { deployed: true } : {}),
      };
      if (Object.keys(patch).length === 0) {
        io.stderr.write('custody: USAGE: give --ticket, --tag, --commit or --deployed\n');
        throw new CliExit(EXIT.usage);
      }
      const client = clientFor(o, io);
      const { body: found } = await client.request<ReleaseRef>('GET', releasePath(r));
      const { body } = await client.request<ReleaseRef & { ticket: string | null }>(
        'PATCH',
        `/api/v1/releases/${found.id}`,
        { body: patch },
      );
      if (o.json) io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      else
        io.stdout.write(
          `${r.product} ${body.version}: ${Object.entries(patch)
            .map(([k, v]) => `${k} ${v}`)
            .join(', ')}\n`,
        );
    },
  );

  withServiceOptions(
    program
      .command('portfolio')
      .description('coverage, freshness and SBOM quality across the portfolio the token sees')
      .option('--json', 'print the figures as JSON'),
  ).action(async (o: ServiceFlags & { json?: boolean }) => {
    const { body: f } = await clientFor(o, io).request<PortfolioFigures>(
      'GET',
      '/api/v1/portfolio',
    );
    if (o.json) {
      io.stdout.write(`${JSON.stringify(f, null, 2)}\n`);
      return;
    }
    const pct = (x: number) => `${Math.round(x * 1000) / 10} %`;
    const c = f.coverage;
    const lines = [
      `products ${c.products}, releases ${c.releases}, artifacts ${c.artifacts}, SBOMs ${f.index.sboms} (${f.index.currentSboms} current), components indexed ${f.index.components}`,
      `coverage   releases with an SBOM ${c.releasesWithSbom}/${c.releases} (${pct(c.releaseCoverage)}); artifacts ${c.artifactsWithSbom}/${c.artifacts} (${pct(c.artifactCoverage)}); signed ${c.artifactsWithSignedSbom} (${pct(c.signedCoverage)})`,
      `signed     current SBOMs signed ${f.signed.signedSboms}/${f.signed.currentSboms} (${pct(f.signed.share)})${f.signed.teams.map((t) => `; ${t.team} ${t.signedSboms}/${t.currentSboms}`).join('')}`,
      `freshness  deployed releases ${f.freshness.deployedReleases}; newest SBOM age median ${f.freshness.medianAgeDays ?? '–'} d, max ${f.freshness.maxAgeDays ?? '–'} d; stale ${f.freshness.stale.length}; without SBOM ${f.freshness.withoutSbom.length}`,
      `quality    mean ${f.quality.meanScore ?? '–'}/10 over ${f.quality.sboms} SBOMs; by score 0…10: ${f.quality.histogram.join(' ')}`,
      ...f.freshness.stale.map(
        (r) => `  stale: ${r.product} ${r.version} (SBOM ${r.newestSbom}, rebuilt ${r.rebuiltAt})`,
      ),
      ...f.freshness.withoutSbom.map((r) => `  no SBOM: ${r.product} ${r.version}`),
    ];
    io.stdout.write(`${lines.join('\n')}\n`);
  });
}
