import type { GitPorts } from '../../app/git/ports.js';
import { type CliIO, settingsOf } from '../io.js';

/** The git commands' outside world: Custody's CA and log, with the caller's OIDC identity. */
export async function gitPorts(io: CliIO): Promise<GitPorts> {
  const { custodyGitPorts } = await import('../../app/git/custody-ports.js');
  return custodyGitPorts(settingsOf(io).environment);
}
