import { readTrustedRoots } from '../../fs/trusted-root-files.js';
import type { TrustedRoot } from '../../sign/index.js';

/**
 * The trusted roots named on the command line, or the shipped public-good root.
 * @throws SignError SIGN_INPUT_UNREADABLE, SIGN_TRUSTED_ROOT_INVALID
 */
export function readTrustedRootArgs(paths: readonly string[], cwd: string): TrustedRoot[] {
  return readTrustedRoots(paths, cwd);
}
