import { isCustodyError } from '../../core/index.js';
import type { GitSettings } from '../git/git-settings.js';
import type { GitPorts } from '../git/ports.js';
import { readSignedCommit } from '../git/signed-commit.js';
import { gitVerify } from '../git/verify-commit.js';

export interface ReleaseCommitCheck {
  commit: string;
  /** true: signed by an identity the policy allows, and logged; false: unsigned or not verified. */
  signed: boolean;
  identity?: string;
  issuer?: string;
  logIndex?: number;
  reason: string;
}

/** Settings the user has to give (exit 2), not a verdict on the commit. */
const INPUT_ERRORS: ReadonlySet<string> = new Set([
  'USAGE',
  'SIGN_INPUT_UNREADABLE',
  'SIGN_TRUSTED_ROOT_INVALID',
]);

/**
 * Whether a release's commit is signed by an allowed identity: `custody git verify`'s check (CMS
 * signature, certificate chain, identity policy, log entry) on the commit in a checkout.
 * @throws CoreError USAGE when git cannot show the commit or a setting is missing
 */
export async function verifyReleaseCommit(
  repo: string,
  commit: string,
  settings: GitSettings,
  ports: GitPorts,
): Promise<ReleaseCommitCheck> {
  const split = readSignedCommit(repo, commit);
  if (split === undefined) return { commit, signed: false, reason: 'the commit is not signed' };
  try {
    const v = await gitVerify(split.signature, Buffer.from(split.payload), settings, ports);
    return {
      commit,
      signed: true,
      identity: v.identity,
      ...(v.issuer !== undefined ? { issuer: v.issuer } : {}),
      logIndex: v.index,
      reason: `signed by ${v.identity}, logged at index ${v.index}`,
    };
  } catch (e) {
    if (!isCustodyError(e) || INPUT_ERRORS.has(e.code)) throw e;
    return { commit, signed: false, reason: `${e.code}: ${e.message}` };
  }
}
