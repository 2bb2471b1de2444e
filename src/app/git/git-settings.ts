import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { IdentityPolicy } from '../../sign/index.js';

export interface GitSettings {
  /** The Custody service: certificate authority and transparency log. */
  url: string | undefined;
  trustedRoot: string | undefined;
  policy: IdentityPolicy;
}

export interface GitSettingFlags {
  url?: string;
  trustedRoot?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
}

/** Settings from flags, else CUSTODY_* variables, else `git config custody.*` (read in `cwd`). */
export function gitSettings(
  at: { cwd: string; env: Readonly<Record<string, string | undefined>> },
  flags: GitSettingFlags = {},
): GitSettings {
  const fromGit = (key: string): string | undefined => {
    const r = spawnSync('git', ['config', '--get', `custody.${key}`], {
      cwd: at.cwd,
      encoding: 'utf8',
    });
    const v = r.status === 0 ? r.stdout.trim() : '';
    return v === '' ? undefined : v;
  };
  const pick = (flag: string | undefined, env: string, git: string): string | undefined =>
    flag ?? (at.env[env] || undefined) ?? fromGit(git);
  const identity = pick(flags.certificateIdentity, 'CUSTODY_GIT_IDENTITY', 'identity');
  const identityRegexp = pick(
    flags.certificateIdentityRegexp,
    'CUSTODY_GIT_IDENTITY_REGEXP',
    'identityRegexp',
  );
  const issuer = pick(flags.certificateOidcIssuer, 'CUSTODY_GIT_ISSUER', 'issuer');
  const issuerRegexp = pick(
    flags.certificateOidcIssuerRegexp,
    'CUSTODY_GIT_ISSUER_REGEXP',
    'issuerRegexp',
  );
  const trustedRoot = pick(flags.trustedRoot, 'CUSTODY_TRUSTED_ROOT', 'trustedRoot');
  return {
    url: pick(flags.url, 'CUSTODY_URL', 'url')?.replace(/\/+$/, ''),
    trustedRoot: trustedRoot === undefined ? undefined : resolve(at.cwd, trustedRoot),
    policy: {
      ...(identity ? { identity } : {}),
      ...(identityRegexp ? { identityRegexp } : {}),
      ...(issuer ? { issuer } : {}),
      ...(issuerRegexp ? { issuerRegexp } : {}),
    },
  };
}
