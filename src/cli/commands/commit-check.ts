import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { ReleaseCommitCheck } from '../../app/provenance/release-commit.js';
import type { CliIO } from '../io.js';
import type { ServiceFlags } from '../service.js';

/** The flags of a release-commit check (`slsa assess`, `policy eval`, `policy show-evidence`). */
export interface CommitCheckFlags extends ServiceFlags {
  verifyCommit?: string | boolean;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  trustedRoot?: string;
}

export function withCommitCheckOptions(c: Command): Command {
  return c
    .option(
      '--verify-commit [repo]',
      'verify the release commit’s signature in this checkout (default: the working directory), as custody git verify does',
    )
    .option('--certificate-identity <id>', 'with --verify-commit: the signer identity required')
    .option('--certificate-identity-regexp <re>', 'with --verify-commit: a pattern for it')
    .option('--certificate-oidc-issuer <url>', 'with --verify-commit: the OIDC issuer required')
    .option('--certificate-oidc-issuer-regexp <re>', 'with --verify-commit: a pattern for it')
    .option('--trusted-root <file>', 'with --verify-commit: the trusted root');
}

/** The release commit checked in a checkout, as `custody git verify` checks commits. */
export async function checkReleaseCommit(
  commit: string,
  o: CommitCheckFlags,
  io: CliIO,
): Promise<ReleaseCommitCheck> {
  const { gitSettings } = await import('../../app/git/git-settings.js');
  const { verifyReleaseCommit } = await import('../../app/provenance/release-commit.js');
  const { gitPorts } = await import('./git-ports.js');
  const repo = resolve(io.cwd, typeof o.verifyCommit === 'string' ? o.verifyCommit : '.');
  const settings = gitSettings(io, {
    ...(o.url !== undefined ? { url: o.url } : {}),
    ...(o.trustedRoot !== undefined ? { trustedRoot: resolve(io.cwd, o.trustedRoot) } : {}),
    ...(o.certificateIdentity !== undefined ? { certificateIdentity: o.certificateIdentity } : {}),
    ...(o.certificateIdentityRegexp !== undefined
      ? { certificateIdentityRegexp: o.certificateIdentityRegexp }
      : {}),
    ...(o.certificateOidcIssuer !== undefined
      ? { certificateOidcIssuer: o.certificateOidcIssuer }
      : {}),
    ...(o.certificateOidcIssuerRegexp !== undefined
      ? { certificateOidcIssuerRegexp: o.certificateOidcIssuerRegexp }
      : {}),
  });
  return verifyReleaseCommit(repo, commit, settings, await gitPorts(io));
}
