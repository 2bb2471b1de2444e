import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { splitSignedCommit } from '../../app/git/commit.js';
import { type GpgInvocation, gpgStatus, parseGpgArgs } from '../../app/git/gpg-args.js';
import { CoreError, isCustodyError } from '../../core/index.js';
import type { CmsSigner } from '../../sign/cms.js';
import { SignError } from '../../sign/errors.js';
import type { IdentityPolicy } from '../../sign/verify/index.js';
import { CliExit } from '../exit.js';
import type { CliIO } from '../io.js';

/**
 * Commits signed as gitsign signs them: git calls `custody-gitsign` (gpg.format x509,
 * gpg.x509.program custody-gitsign) with gpg's arguments; Custody gets a 10-minute certificate
 * for the caller's OIDC identity from its certificate authority, writes a detached CMS signature,
 * and logs the signature in its transparency log. Verification (git verify-commit, or
 * `custody git verify <commit>`) checks the CMS signature, the certificate chain to a trusted
 * authority, the identity policy, and the log entry, whose integrated time is when the
 * short-lived certificate must have been valid.
 */

export interface GitSettings {
  /** The Custody service: certificate authority and transparency log. */
  url: string | undefined;
  trustedRoot: string | undefined;
  policy: IdentityPolicy;
}

/** Settings from flags, else CUSTODY_* variables, else `git config custody.*`. */
export function gitSettings(
  io: CliIO,
  flags: {
    url?: string;
    trustedRoot?: string;
    certificateIdentity?: string;
    certificateIdentityRegexp?: string;
    certificateOidcIssuer?: string;
    certificateOidcIssuerRegexp?: string;
  } = {},
): GitSettings {
  const fromGit = (key: string): string | undefined => {
    const r = spawnSync('git', ['config', '--get', `custody.${key}`], {
      cwd: io.cwd,
      encoding: 'utf8',
    });
    const v = r.status === 0 ? r.stdout.trim() : '';
    return v === '' ? undefined : v;
  };
  const pick = (flag: string | undefined, env: string, git: string): string | undefined =>
    flag ?? (io.env[env] || undefined) ?? fromGit(git);
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
    trustedRoot: trustedRoot === undefined ? undefined : resolve(io.cwd, trustedRoot),
    policy: {
      ...(identity ? { identity } : {}),
      ...(identityRegexp ? { identityRegexp } : {}),
      ...(issuer ? { issuer } : {}),
      ...(issuerRegexp ? { issuerRegexp } : {}),
    },
  };
}

/** What the git commands need from the outside world; the CLI wires the real ones. */
export interface GitPorts {
  /** A keyless signer: an ephemeral key and a certificate for the caller's identity. */
  keylessSigner(settings: GitSettings): Promise<CmsSigner>;
  /** Log `signature` over `digest` (hex SHA-256 of the signed attributes); returns the index. */
  logSignature(
    settings: GitSettings,
    entry: { digestHex: string; signature: Uint8Array; certificatePem: string },
  ): Promise<number>;
  /**
   * Check a signature's log entry and certificate: chain, identity policy, inclusion, and the
   * certificate's validity at the integrated time. Returns the signer's identity and issuer.
   */
  verifyLogged(
    settings: GitSettings,
    signed: { digestHex: string; signature: Uint8Array; chain: Uint8Array[] },
  ): Promise<{ identity: string; issuer: string | undefined; index: number; time: Date }>;
}

const pem = (der: Uint8Array): string =>
  `-----BEGIN CERTIFICATE-----\n${(
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? []
  ).join('\n')}\n-----END CERTIFICATE-----\n`;

function fingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex').toUpperCase().slice(0, 40);
}

/** Sign `payload` keylessly; returns the armoured signature and the status lines for git. */
export async function gitSign(
  payload: Uint8Array,
  settings: GitSettings,
  ports: GitPorts,
  now: Date,
): Promise<{ armored: string; status: string; index: number }> {
  // pkijs loads only when a commit is signed or verified, not with every command.
  const { armorSignedMessage, signDetached } = await import('../../sign/cms.js');
  const signer = await ports.keylessSigner(settings);
  const signed = await signDetached(payload, signer, now);
  const leaf = signed.chain[0];
  if (leaf === undefined)
    throw new SignError('SIGN_CSR_INVALID', 'The CA returned no certificate.');
  const index = await ports.logSignature(settings, {
    digestHex: createHash('sha256').update(signed.signedAttributes).digest('hex'),
    signature: signed.signature,
    certificatePem: pem(leaf),
  });
  return {
    armored: armorSignedMessage(signed.der),
    status: gpgStatus.sigCreated(fingerprint(leaf), now),
    index,
  };
}

/** Verify an armoured signature over `payload`. */
export async function gitVerify(
  signatureText: string,
  payload: Uint8Array,
  settings: GitSettings,
  ports: GitPorts,
): Promise<{
  identity: string;
  issuer: string | undefined;
  index: number;
  time: Date;
  fingerprint: string;
}> {
  const { dearmorSignedMessage, verifyDetached } = await import('../../sign/cms.js');
  const cms = await verifyDetached(dearmorSignedMessage(signatureText), payload);
  const leaf = cms.chain[0];
  if (leaf === undefined)
    throw new SignError('SIGN_BUNDLE_MALFORMED', 'The signature carries no certificate.');
  const logged = await ports.verifyLogged(settings, {
    digestHex: createHash('sha256').update(cms.signedAttributes).digest('hex'),
    signature: cms.signature,
    chain: cms.chain,
  });
  return { ...logged, fingerprint: fingerprint(leaf) };
}

function readStdin(): Uint8Array {
  return readFileSync(0);
}

/** `custody git gpg …`: the program git runs, for both signing and verifying. */
export async function runGpgProgram(
  argv: readonly string[],
  io: CliIO,
  ports: GitPorts,
  now: () => Date = () => new Date(),
): Promise<number> {
  let inv: GpgInvocation;
  try {
    inv = parseGpgArgs(argv);
  } catch (e) {
    io.stderr.write(`${(e as Error).message}\n`);
    return 2;
  }
  const status = (text: string): void => {
    if (inv.statusFd === 1) io.stdout.write(text);
    else if (inv.statusFd === 2 || inv.statusFd === undefined) io.stderr.write(text);
    else spawnSync('true'); // other descriptors are not used by git
  };
  const settings = gitSettings(io);
  if (inv.mode === 'sign') {
    try {
      const r = await gitSign(readStdin(), settings, ports, now());
      io.stdout.write(r.armored);
      status(r.status);
      io.stderr.write(`custody: signed with a keyless certificate; logged at index ${r.index}\n`);
      return 0;
    } catch (e) {
      io.stderr.write(`custody: signing failed: ${(e as Error).message}\n`);
      return 1;
    }
  }
  const payload = inv.dataFile === '-' ? readStdin() : readFileSync(resolve(io.cwd, inv.dataFile));
  const sigText = readFileSync(resolve(io.cwd, inv.signatureFile), 'utf8');
  try {
    const v = await gitVerify(sigText, payload, settings, ports);
    status(gpgStatus.good(v.fingerprint, v.identity, v.time));
    io.stderr.write(
      `custody: good signature from ${v.identity}${v.issuer ? ` (issuer ${v.issuer})` : ''}, logged at index ${v.index} on ${v.time.toISOString()}\n`,
    );
    return 0;
  } catch (e) {
    const reason = isCustodyError(e) ? `${e.code}: ${e.message}` : (e as Error).message;
    status(
      isCustodyError(e, 'SIGN_SIGNATURE_INVALID')
        ? gpgStatus.bad('-', '-')
        : gpgStatus.error(reason),
    );
    io.stderr.write(`custody: bad signature: ${reason}\n`);
    return 1;
  }
}

export function registerGit(program: Command, io: CliIO, ports: () => Promise<GitPorts>): void {
  const git = program
    .command('git')
    .description('sign and verify git commits keylessly, as gitsign does');
  git
    .command('gpg')
    .description(
      "the program git runs (gpg.format x509, gpg.x509.program custody-gitsign): gpg's signing and verifying arguments",
    )
    .allowUnknownOption(true)
    .helpOption(false)
    .argument('[args...]')
    .action(async (args: string[]) => {
      throw new CliExit(await runGpgProgram(args, io, await ports()));
    });
  git
    .command('verify')
    .description('verify a signed commit: CMS signature, certificate chain, identity, log entry')
    .argument('[commit]', 'the commit (default HEAD)', 'HEAD')
    .option('--certificate-identity <id>', 'the signer identity (SAN) required')
    .option('--certificate-identity-regexp <re>', 'a regular expression the identity must match')
    .option('--certificate-oidc-issuer <url>', 'the OIDC issuer required')
    .option('--certificate-oidc-issuer-regexp <re>', 'a regular expression the issuer must match')
    .option('--trusted-root <file>', 'the Sigstore trusted root (env CUSTODY_TRUSTED_ROOT)')
    .option('--url <url>', 'the Custody service holding the log (env CUSTODY_URL)')
    .option('--json', 'JSON output')
    .action(async (commit: string, o: Record<string, string | boolean | undefined>) => {
      const r = spawnSync('git', ['cat-file', 'commit', commit], { cwd: io.cwd, encoding: 'utf8' });
      if (r.status !== 0)
        throw new CoreError('USAGE', `git cat-file commit ${commit} failed: ${r.stderr.trim()}`);
      const split = splitSignedCommit(r.stdout);
      if (split === undefined) {
        io.stderr.write(`${commit} is not signed\n`);
        throw new CliExit(1);
      }
      const settings = gitSettings(io, {
        ...(typeof o['url'] === 'string' ? { url: o['url'] } : {}),
        ...(typeof o['trustedRoot'] === 'string' ? { trustedRoot: o['trustedRoot'] } : {}),
        ...(typeof o['certificateIdentity'] === 'string'
          ? { certificateIdentity: o['certificateIdentity'] }
          : {}),
        ...(typeof o['certificateIdentityRegexp'] === 'string'
          ? { certificateIdentityRegexp: o['certificateIdentityRegexp'] }
          : {}),
        ...(typeof o['certificateOidcIssuer'] === 'string'
          ? { certificateOidcIssuer: o['certificateOidcIssuer'] }
          : {}),
        ...(typeof o['certificateOidcIssuerRegexp'] === 'string'
          ? { certificateOidcIssuerRegexp: o['certificateOidcIssuerRegexp'] }
          : {}),
      });
      try {
        const v = await gitVerify(
          split.signature,
          Buffer.from(split.payload),
          settings,
          await ports(),
        );
        if (o['json'])
          io.stdout.write(`${JSON.stringify({ verified: true, commit, ...v }, null, 2)}\n`);
        else
          io.stdout.write(
            `Verified ${commit}: signed by ${v.identity}${v.issuer ? ` (${v.issuer})` : ''}, logged at index ${v.index} on ${v.time.toISOString()}\n`,
          );
      } catch (e) {
        if (!isCustodyError(e)) throw e;
        if (o['json'])
          io.stdout.write(
            `${JSON.stringify({ verified: false, commit, error: e.toJSON() }, null, 2)}\n`,
          );
        io.stderr.write(`Not verified: ${e.code}: ${e.message}\n`);
        throw new CliExit(1);
      }
    });
}
