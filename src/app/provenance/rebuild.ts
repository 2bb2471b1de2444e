import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CoreError } from '../../core/index.js';
import { readSbom } from '../../formats/index.js';
import { type DiffPackage, diffSboms, type SbomDiff } from '../../sbom/diff/index.js';
import { generateSbom } from '../generate-sbom.js';

/**
 * The local half of `custody slsa rebuild-check`: run the user's rebuild command, hash what it
 * produced, and on a mismatch describe the rebuilt tree as an SBOM and diff it with the SBOM the
 * release was shipped with (issue [1]'s diff), so a non-reproducible build shows what differs.
 */
export interface RebuildRun {
  /** `sha256:<hex>` of the output file. */
  digest: string;
  /** The command's last lines of output, for the report when it fails. */
  log: string;
}

const MAX_LOG = 4000;

/**
 * Run `command` with `sh -c` in `cwd` and hash `output` afterwards.
 * @throws CoreError USAGE when the command fails or leaves no output file
 */
export function runRebuild(o: {
  command: string;
  cwd: string;
  output: string;
  env: Readonly<Record<string, string | undefined>>;
  timeoutMs?: number;
}): RebuildRun {
  const r = spawnSync('sh', ['-c', o.command], {
    cwd: o.cwd,
    env: o.env as NodeJS.ProcessEnv,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: o.timeoutMs ?? 60 * 60 * 1000,
  });
  const log = `${r.stdout ?? ''}${r.stderr ?? ''}`.slice(-MAX_LOG);
  if (r.error !== undefined || r.status !== 0) {
    throw new CoreError(
      'USAGE',
      `The rebuild command failed (${r.error ? r.error.message : `exit ${r.status}`}); fix it so it builds the artifact: ${log.trim().split('\n').slice(-5).join(' | ')}`,
    );
  }
  return { digest: fileDigest(o.output), log };
}

/** @throws CoreError FILE_NOT_FOUND */
export function fileDigest(path: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new CoreError('FILE_NOT_FOUND', `${path} does not exist or cannot be read`);
  }
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * The SBOM diff from the released SBOM to the rebuilt tree's: the tree cataloged as
 * `custody sbom generate` does, or the output of `sbomCommand` (an SBOM on stdout).
 * @throws SbomError (cataloging, reading); CoreError USAGE when sbomCommand fails
 */
export async function rebuiltSbomDiff(o: {
  released: Uint8Array;
  tree: string;
  sbomCommand?: string;
  env: Readonly<Record<string, string | undefined>>;
}): Promise<SbomDiff> {
  const before = readSbom(o.released, 'the release SBOM').document;
  let after: ReturnType<typeof readSbom>['document'];
  if (o.sbomCommand !== undefined) {
    const r = spawnSync('sh', ['-c', o.sbomCommand], {
      cwd: o.tree,
      env: o.env as NodeJS.ProcessEnv,
      maxBuffer: 256 * 1024 * 1024,
    });
    if (r.status !== 0) {
      throw new CoreError(
        'USAGE',
        `The SBOM command failed (exit ${r.status}); it must print an SBOM`,
      );
    }
    after = readSbom(new Uint8Array(r.stdout), 'the rebuilt SBOM').document;
  } else {
    after = (await generateSbom(o.tree, { deterministic: true, env: o.env })).document;
  }
  return diffSboms(before, after);
}

/** What a rebuild check stores of a diff: the counts and the first names of each kind. */
export function diffSummary(d: SbomDiff): Record<string, unknown> {
  const names = (xs: DiffPackage[]) =>
    xs.slice(0, 20).map((x) => x.purl ?? `${x.identity}${x.version ? `@${x.version}` : ''}`);
  return {
    summary: d.summary,
    added: names(d.added),
    removed: names(d.removed),
    upgraded: d.upgraded.slice(0, 20),
    downgraded: d.downgraded.slice(0, 20),
    hashChanged: d.hashChanged.slice(0, 20),
  };
}
