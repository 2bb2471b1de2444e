import { spawnSync } from 'node:child_process';
import { CoreError } from '../../core/index.js';

/**
 * A git commit object split the way git verifies it: the signature is the `gpgsig` header (its
 * continuation lines start with one space), and the signed payload is the commit without that
 * header (git's parse_signed_commit).
 */
export function splitSignedCommit(raw: string): { payload: string; signature: string } | undefined {
  const lines = raw.split('\n');
  const out: string[] = [];
  const sig: string[] = [];
  let inHeader = true;
  let inSig = false;
  for (const line of lines) {
    if (inHeader && line === '') inHeader = false;
    if (inHeader && line.startsWith('gpgsig ')) {
      inSig = true;
      sig.push(line.slice('gpgsig '.length));
      continue;
    }
    if (inHeader && inSig && line.startsWith(' ')) {
      sig.push(line.slice(1));
      continue;
    }
    inSig = false;
    out.push(line);
  }
  if (sig.length === 0) return undefined;
  return { payload: out.join('\n'), signature: `${sig.join('\n')}\n` };
}

/**
 * A commit of the repository at `cwd`, split into signature and signed payload; undefined when
 * the commit is not signed.
 * @throws CoreError USAGE when git cannot show the commit
 */
export function readSignedCommit(
  cwd: string,
  commit: string,
): { payload: string; signature: string } | undefined {
  const r = spawnSync('git', ['cat-file', 'commit', commit], { cwd, encoding: 'utf8' });
  if (r.status !== 0)
    throw new CoreError('USAGE', `git cat-file commit ${commit} failed: ${r.stderr.trim()}`);
  return splitSignedCommit(r.stdout);
}
