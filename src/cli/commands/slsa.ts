import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ReleaseSlsaView } from '../../app/provenance/assess-release.js';
import type { RebuildCheckView } from '../../app/provenance/views.js';
import { CustodyError } from '../../core/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT, settingsOf } from '../io.js';
import { clientFor, type ServiceFlags, withServiceOptions } from '../service.js';
import {
  type CommitCheckFlags,
  checkReleaseCommit,
  withCommitCheckOptions,
} from './commit-check.js';

/** `product@release`, split at the last `@` (product names may hold one, versions do not). */
export function releaseRef(ref: string): { product: string; release: string } {
  const at = ref.lastIndexOf('@');
  if (at <= 0 || at === ref.length - 1) {
    throw new CustodyError('USAGE', `${ref} is not <product>@<release>, e.g. shop@1.4.0`);
  }
  return { product: ref.slice(0, at), release: ref.slice(at + 1) };
}

/** `L2` or `2` → 2. @throws CustodyError USAGE */
export function levelFlag(s: string): 0 | 1 | 2 | 3 {
  const m = /^[Ll]?([0-3])$/.exec(s.trim());
  if (!m) throw new CustodyError('USAGE', `${s} is not a SLSA Build level; give L0, L1, L2 or L3`);
  return Number(m[1]) as 0 | 1 | 2 | 3;
}

export const releasePath = (r: { product: string; release: string }) =>
  `/api/v1/products/${encodeURIComponent(r.product)}/releases/${encodeURIComponent(r.release)}`;

interface ReleaseDetail {
  id: number;
  artifacts: { digest: string; name: string | null; sboms: { id: number; current: boolean }[] }[];
}

/** `custody slsa assess` and `custody slsa rebuild-check`. */
export function registerSlsa(program: Command, io: CliIO): void {
  const slsa = program.command('slsa').description('SLSA Build levels and rebuild checks');
  withServiceOptions(
    withCommitCheckOptions(slsa.command('assess <product@release>'))
      .description(
        'the SLSA v1.0 Build level (L0–L3) the release’s evidence supports, the evidence, and the gaps to the next level',
      )
      .option('--require <level>', 'exit 1 when the release is below this level (L0–L3)')
      .option('--json', 'print the assessment as JSON'),
  ).action(async (ref: string, o: AssessFlags) => {
    const r = releaseRef(ref);
    const required = o.require === undefined ? undefined : levelFlag(o.require);
    const { body } = await clientFor(o, io).request<ReleaseSlsaView>(
      'GET',
      `${releasePath(r)}/slsa`,
    );
    let a: Omit<ReleaseSlsaView, 'releaseCommit'> & { releaseCommit: CommitField } = body;
    if (o.verifyCommit !== undefined && body.releaseCommit.commit !== null) {
      a = { ...body, releaseCommit: await checkReleaseCommit(body.releaseCommit.commit, o, io) };
    }
    if (o.json) io.stdout.write(`${JSON.stringify(a, null, 2)}\n`);
    else io.stdout.write(assessmentText(a));
    if (required !== undefined && a.level < required) {
      io.stderr.write(`${r.product} ${r.release} is SLSA Build L${a.level}, below L${required}\n`);
      throw new CliExit(EXIT.no);
    }
  });

  withServiceOptions(
    slsa
      .command('rebuild-check <product@release>')
      .description(
        'rebuild a release artifact with your command, compare digests, store the result; on a mismatch diff the rebuilt tree’s SBOM with the release’s',
      )
      .requiredOption(
        '--command <shell>',
        'the command that rebuilds the artifact (run with sh -c)',
      )
      .requiredOption('--output <file>', 'the file the command builds (relative to the workdir)')
      .option('--artifact <path-or-digest>', 'the released artifact: a file or sha256:<hex>')
      .option('--workdir <dir>', 'where to run the command (e.g. a checkout of the tag)')
      .option(
        '--sbom-command <shell>',
        'print the rebuilt tree’s SBOM (default: custody’s own cataloging)',
      )
      .option('--json', 'print the stored check as JSON'),
  ).action(
    async (
      ref: string,
      o: ServiceFlags & {
        command: string;
        output: string;
        artifact?: string;
        workdir?: string;
        sbomCommand?: string;
        json?: boolean;
      },
    ) => {
      const r = releaseRef(ref);
      const { fileDigest, runRebuild, rebuiltSbomDiff, diffSummary } = await import(
        '../../app/provenance/rebuild.js'
      );
      const client = clientFor(o, io);
      const { body: release } = await client.request<ReleaseDetail>('GET', releasePath(r));
      const wanted =
        o.artifact === undefined
          ? undefined
          : o.artifact.startsWith('sha256:')
            ? o.artifact.toLowerCase()
            : fileDigest(resolve(io.cwd, o.artifact));
      const artifact =
        wanted === undefined
          ? release.artifacts.length === 1
            ? release.artifacts[0]
            : undefined
          : release.artifacts.find((a) => a.digest === wanted);
      if (artifact === undefined) {
        throw new CustodyError(
          'USAGE',
          wanted === undefined
            ? `${ref} has ${release.artifacts.length} artifacts; name one with --artifact`
            : `${wanted} is not an artifact of ${ref}`,
        );
      }
      const workdir = resolve(io.cwd, o.workdir ?? '.');
      const run = runRebuild({
        command: o.command,
        cwd: workdir,
        output: resolve(workdir, o.output),
        env: settingsOf(io).environment,
      });
      const matches = run.digest === artifact.digest;
      let diff: ReturnType<typeof diffSummary> | undefined;
      let diffNote: string | undefined;
      if (!matches) {
        const sbom = artifact.sboms.find((x) => x.current) ?? artifact.sboms[0];
        if (sbom === undefined) diffNote = 'the release has no SBOM for this artifact to diff with';
        else {
          const { body } = await client.request<string>('GET', `/api/v1/sboms/${sbom.id}/document`);
          const bytes = new TextEncoder().encode(
            typeof body === 'string' ? body : JSON.stringify(body),
          );
          diff = diffSummary(
            await rebuiltSbomDiff({
              released: bytes,
              tree: workdir,
              env: settingsOf(io).environment,
              ...(o.sbomCommand !== undefined ? { sbomCommand: o.sbomCommand } : {}),
            }),
          );
        }
      }
      const { body: stored } = await client.request<RebuildCheckView>(
        'POST',
        `${releasePath(r)}/rebuild-checks`,
        {
          body: {
            artifact: artifact.digest,
            rebuiltDigest: run.digest,
            command: o.command,
            ...(diff !== undefined ? { sbomDiff: diff } : {}),
          },
        },
      );
      if (o.json) io.stdout.write(`${JSON.stringify(stored, null, 2)}\n`);
      else {
        io.stdout.write(
          `${stored.matches ? 'reproducible' : 'NOT reproducible'}  ${r.product} ${r.release}: expected ${stored.expectedDigest}, rebuilt ${stored.rebuiltDigest} (check ${stored.id})\n`,
        );
        if (diff !== undefined) {
          const s = (diff as { summary: Record<string, number> }).summary;
          io.stdout.write(
            `  SBOM diff (release → rebuilt tree): ${Object.entries(s)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}\n`,
          );
          for (const k of ['added', 'removed'] as const) {
            for (const n of (diff as Record<string, string[]>)[k] ?? [])
              io.stdout.write(`  ${k === 'added' ? '+' : '-'} ${n}\n`);
          }
        }
        if (diffNote) io.stdout.write(`  ${diffNote}\n`);
      }
      if (!stored.matches) throw new CliExit(EXIT.no);
    },
  );
}

type CommitField = {
  commit: string | null;
  signed: boolean | 'unknown';
  reason: string;
  identity?: string;
};

interface AssessFlags extends CommitCheckFlags {
  require?: string;
  json?: boolean;
}

function assessmentText(
  a: Omit<ReleaseSlsaView, 'releaseCommit'> & { releaseCommit: CommitField },
): string {
  const lines = [
    `${a.product} ${a.version}: SLSA Build L${a.level}${a.ticket ? ` (ticket ${a.ticket})` : ''}`,
  ];
  for (const x of a.artifacts) {
    lines.push(`  ${x.artifact}: L${x.level}`);
    for (const e of x.evidence) lines.push(`    + ${e}`);
  }
  if (a.gaps.length > 0) {
    lines.push(`gaps to L${Math.min(a.level + 1, 3)}:`);
    for (const g of a.gaps) lines.push(`  - ${g.code}: ${g.message}`);
  }
  lines.push(`reproducible: ${a.reproducible.verdict} (${a.reproducible.reason})`);
  const d = a.dependencies;
  lines.push(
    d.total === 0
      ? 'resolved dependencies: none listed'
      : `resolved dependencies: ${d.pinned}/${d.total} pinned by digest (${Math.round((d.ratio ?? 0) * 1000) / 10} %)`,
  );
  lines.push(
    `release commit: ${a.releaseCommit.commit ?? '(none)'} signed: ${a.releaseCommit.signed} (${a.releaseCommit.reason})`,
  );
  return `${lines.join('\n')}\n`;
}
