import { readNotationTrustPolicy, readNotationTrustStore } from '../../fs/notation-files.js';
import { readTrustedRoots } from '../../fs/trusted-root-files.js';
import { loadNotation, type NotationTrust, type TrustedRoot } from '../../sign/index.js';

/**
 * The trusted roots named on the command line, or the shipped public-good root.
 * @throws SignError SIGN_INPUT_UNREADABLE, SIGN_TRUSTED_ROOT_INVALID
 */
export function readTrustedRootArgs(paths: readonly string[], cwd: string): TrustedRoot[] {
  return readTrustedRoots(paths, cwd);
}

/**
 * Notation's trust policy file and trust store directory (its own layout, `x509/<type>/<name>/`),
 * read and parsed for `custody oci verify`.
 * @throws SignError SIGN_INPUT_UNREADABLE; NotationError SIGN_NOTATION_* for an invalid policy
 */
export async function readNotationTrustArgs(
  policyPath: string,
  storeDir: string,
  cwd: string,
): Promise<NotationTrust> {
  const n = await loadNotation();
  const policy = n.parseTrustPolicy(readNotationTrustPolicy(policyPath, cwd));
  const store = readNotationTrustStore(storeDir, cwd);
  return { policy, trustStores: n.buildTrustStores(store.files, store.stores) };
}
