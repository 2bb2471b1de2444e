import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { KeyedSigningOptions } from '../../app/sign/open-signer.js';
import type { SignOutcome } from '../../app/sign/sign-artifact.js';
import { type CliIO, settingsOf } from '../io.js';

export interface KeyedFlags {
  key?: string;
  certificate?: string;
  passphraseEnv?: string;
  output?: string;
  url?: string;
  log: boolean;
}

/**
 * `custody sign <file> --key <pem>`: a Sigstore bundle (v0.3) with a message signature, logged in
 * Custody's transparency log when a server is given (--url or CUSTODY_URL; --no-log opts out).
 */
export function registerSign(program: Command, io: CliIO): void {
  withKeyedOptions(
    program
      .command('sign <file>')
      .description(
        'sign a file (a Sigstore bundle with a message signature), or an image in a configured registry (stored next to it)',
      ),
  ).action(async (file: string, o: KeyedFlags) => {
    // An image in a configured registry (not a file here): sign its manifest digest and store
    // the signature in its repository (cosign's .sig tag and an OCI referrer).
    const { imageRefIfConfigured } = await import('../../app/oci/registry.js');
    const image = imageRefIfConfigured(file, io.cwd, settingsOf(io).environment);
    if (image !== undefined) {
      const { signImage } = await import('../../app/oci/sign-image.js');
      const r = await signImage(image, keyedOptions(o, io), settingsOf(io).environment);
      await writeBundle(
        io,
        o,
        r,
        `Signed ${r.image}; stored as ${r.stored.cosignTag} and referrer ${r.stored.referrer}`,
      );
      return;
    }
    const { signFile } = await import('../../app/sign/sign-artifact.js');
    const r = await signFile(resolve(io.cwd, file), keyedOptions(o, io));
    await writeBundle(io, o, r, `Signed ${file} (${r.digest})`);
  });
}

/** The options `sign` and `attest` share. */
export function withKeyedOptions(cmd: Command): Command {
  return cmd
    .option(
      '--key <pem|pkcs11:…>',
      'private key file (PKCS#8 PEM, from custody keys generate) or a PKCS#11 URI; none: keyless (an OIDC identity gets a 10-minute certificate from the Custody server)',
    )
    .option(
      '--certificate <pem>',
      'with --key: sign under this certificate for the key (an emergency certificate from `custody ca emergency fetch`); the signature is logged',
    )
    .option(
      '--passphrase-env <VAR>',
      'the key’s passphrase is in $VAR (default CUSTODY_KEY_PASSPHRASE)',
    )
    .option('-o, --output <file>', 'write the bundle here (default: stdout)')
    .option(
      '--url <url>',
      'log the signature in this Custody server’s transparency log (env CUSTODY_URL)',
    )
    .option('--no-log', 'do not log the signature, even when CUSTODY_URL is set');
}

export function keyedOptions(o: KeyedFlags, io: CliIO): KeyedSigningOptions {
  const url = o.log ? (o.url ?? settingsOf(io).url) : undefined;
  const server = (o.url ?? settingsOf(io).url ?? '').replace(/\/+$/, '');
  const how: Pick<KeyedSigningOptions, 'keyFile' | 'pkcs11' | 'keyless'> =
    o.key === undefined
      ? {
          keyless: {
            caUrl: server,
            idToken: async () =>
              (await import('../../app/sign/identity-token.js')).idToken(
                settingsOf(io).environment,
                server,
              ),
          },
        }
      : o.key.startsWith('pkcs11:')
        ? { pkcs11: o.key }
        : { keyFile: resolve(io.cwd, o.key) };
  return {
    ...how,
    ...(o.certificate !== undefined ? { certificateFile: resolve(io.cwd, o.certificate) } : {}),
    env: settingsOf(io).environment,
    ...(o.passphraseEnv !== undefined ? { passphraseEnv: o.passphraseEnv } : {}),
    ...(url !== undefined && url !== '' ? { url } : {}),
    log: {
      onRetry: (attempt, delayMs, reason) =>
        io.stderr.write(
          `custody: the transparency log did not answer (${reason}); retry ${attempt} in ${delayMs} ms\n`,
        ),
    },
  };
}

/** The bundle to -o or stdout; what happened to stderr. */
export async function writeBundle(
  io: CliIO,
  o: KeyedFlags,
  r: SignOutcome,
  what: string,
): Promise<void> {
  const logged = r.logIndex !== undefined ? `; logged at index ${r.logIndex}` : '; not logged';
  if (o.output !== undefined) {
    const { writeBundleFile } = await import('../../app/sign/sign-artifact.js');
    writeBundleFile(resolve(io.cwd, o.output), r.bundle);
    io.stderr.write(`${what}${logged}; bundle in ${o.output}\n`);
  } else {
    io.stdout.write(`${JSON.stringify(r.bundle)}\n`);
    io.stderr.write(`${what}${logged}\n`);
  }
}
