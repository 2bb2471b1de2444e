/**
 * Running slsa-verifier's regression cases (upstream-cases.ts) against Custody: where the files are,
 * the artifacts' digests (a file's, or OMITTED_SHA256.txt's for binaries left out of the snapshot),
 * and the expansion of each case over builder versions and builder-ID variants as
 * main_regression_test.go does it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { conformancePath } from '../../helpers/conformance.js';

export const SLSA = conformancePath('slsa', 'slsa-verifier');
export const TESTDATA = join(SLSA, 'cli', 'slsa-verifier', 'testdata');

const OMITTED = new Map(
  readFileSync(join(SLSA, 'OMITTED_SHA256.txt'), 'utf8')
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((p) => p.length === 3)
    .map((p) => [p[2] as string, p[0] as string]),
);

/**
 * What to pass as the artifact: the file when it is in the snapshot, else `sha256:<digest>` from
 * OMITTED_SHA256.txt; the one blob missing from the snapshot (binary-linux-amd64-sharded, only a
 * "hash not in provenance" case) gets the digest of its name, which no provenance lists.
 */
export function artifactArg(rel: string): string {
  const path = join(TESTDATA, rel);
  if (existsSync(path)) return path;
  const omitted = OMITTED.get(`cli/slsa-verifier/testdata/${rel}`);
  if (omitted !== undefined) return `sha256:${omitted}`;
  return `sha256:${createHash('sha256').update(rel).digest('hex')}`;
}

/** Go's semver.Compare for the vX.Y.Z directory names. */
export function semverCompare(a: string, b: string): number {
  const p = (v: string) =>
    v
      .replace(/^v/, '')
      .split('.')
      .map((x) => Number.parseInt(x, 10) || 0);
  const [x, y] = [p(a), p(b)];
  for (let i = 0; i < 3; i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

/** getBuildersAndVersions: `<builder>/<version>` for each version directory ≥ min. */
export function buildersAndVersions(min: string, builders: readonly string[]): string[] {
  return builders.flatMap((b) =>
    readdirSync(join(TESTDATA, b))
      .filter((v) => statSync(join(TESTDATA, b, v)).isDirectory())
      .filter((v) => min === '' || semverCompare(min, v) <= 0)
      .sort()
      .map((v) => `${b}/${v}`),
  );
}

/** A legacy `.intoto.jsonl` DSSE envelope (no log entry inside), as opposed to a Sigstore bundle. */
export function isLegacyEnvelope(path: string): boolean {
  const text = readFileSync(path, 'utf8');
  return !text.includes('"mediaType"') && text.includes('"payloadType"');
}
