import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type GpgInvocation, gpgStatus, parseGpgArgs } from '../../app/git/gpg-args.js';
import type { GitPorts } from '../../app/git/ports.js';
import { isCustodyError } from '../../core/index.js';
import { CliExit } from '../exit.js';
import type { CliIO } from '../io.js';

/**
 * `custody git gpg` (what git runs as gpg.x509.program) and `custody git verify`: the commit
 * signing and verifying of app/git/, with gpg's status lines and git's exit codes.
 */

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
  const { gitSettings } = await import('../../app/git/git-settings.js');
  const settings = gitSettings(io);
  if (inv.mode === 'sign') {
    try {
      const { gitSign } = await import('../../app/git/sign-commit.js');
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
    const { gitVerify } = await import('../../app/git/verify-commit.js');
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
      const { readSignedCommit } = await import('../../app/git/signed-commit.js');
      const split = readSignedCommit(io.cwd, commit);
      if (split === undefined) {
        io.stderr.write(`${commit} is not signed\n`);
        throw new CliExit(1);
      }
      const { gitSettings } = await import('../../app/git/git-settings.js');
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
        const { gitVerify } = await import('../../app/git/verify-commit.js');
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
        // Unreadable input or a missing setting is exit 2 (main prints the code), not "not verified".
        if (INPUT_ERRORS.has(e.code)) throw e;
        if (o['json'])
          io.stdout.write(
            `${JSON.stringify({ verified: false, commit, error: e.toJSON() }, null, 2)}\n`,
          );
        io.stderr.write(`Not verified: ${e.code}: ${e.message}\n`);
        throw new CliExit(1);
      }
    });
}

/** Codes that say the verifier could not read what it was given (exit 2), not that it said no. */
const INPUT_ERRORS: ReadonlySet<string> = new Set([
  'USAGE',
  'SIGN_INPUT_UNREADABLE',
  'SIGN_TRUSTED_ROOT_INVALID',
]);
