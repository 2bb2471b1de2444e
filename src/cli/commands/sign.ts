import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { KeyedSigningOptions } from '../../app/sign/open-signer.js';
import type { SignOutcome } from '../../app/sign/sign-artifact.js';
import { CoreError } from '../../core/index.js';
import { type CliIO, settingsOf } from '../io.js';

export interface KeyedFlags {
  key?: string;
  certificate?: string;
  passphraseEnv?: string;
  output?: string;
  url?: string;
  log: boolean;
  /** `--ca-url`: the keyless CA (and dev OIDC issuer), when not the --url server. */
  caUrl?: string;
}

/** `sign`'s options for outages (`--log-later`, `--spool`, `--fallback-key`). */
export interface ResilienceFlags {
  publicLog?: string;
  logLater?: boolean;
  spool?: string;
  fallbackKey?: string;
}

/**
 * `custody sign <file> --key <pem>`: a Sigstore bundle (v0.3) with a message signature, logged in
 * Custody's transparency log when a server is given (--url or CUSTODY_URL; --no-log opts out).
 */
export function registerSign(program: Command, io: CliIO): void {
  withResilienceOptions(
    withKeyedOptions(
      program
        .command('sign <file>')
        .description(
          'sign a file (a Sigstore bundle with a message signature), or an image in a configured registry (stored next to it)',
        ),
    ),
  ).action(async (file: string, o: KeyedFlags & ResilienceFlags) => {
    if (o.logLater === true || o.fallbackKey !== undefined || o.publicLog !== undefined) {
      await signResilient(file, o, io);
      return;
    }
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

/** `custody sign … --log-later / --fallback-key`: the outage-tolerant path (app/sign/resilient-sign). */
async function signResilient(
  file: string,
  o: KeyedFlags & ResilienceFlags,
  io: CliIO,
): Promise<void> {
  const r = await resilienceOf(o, io);
  const { imageRefIfConfigured } = await import('../../app/oci/registry.js');
  const env = settingsOf(io).environment;
  const image = imageRefIfConfigured(file, io.cwd, env);
  const { signFileResilient, signImageResilient } = await import(
    '../../app/sign/resilient-sign.js'
  );
  const bundlePath = o.output === undefined ? undefined : resolve(io.cwd, o.output);
  if (image !== undefined) {
    const out = await signImageResilient(image, keyedOptions(o, io), env, r, {}, bundlePath);
    await writeBundle(
      io,
      o,
      out,
      `Signed ${out.image}; stored as ${out.stored.cosignTag} and referrer ${out.stored.referrer}`,
    );
    tellResilience(io, o, out);
    return;
  }
  const out = await signFileResilient(resolve(io.cwd, file), keyedOptions(o, io), r, bundlePath);
  await writeBundle(io, o, out, `Signed ${file} (${out.digest})`);
  tellResilience(io, o, out);
}

/**
 * `custody attest … --fallback-key / --log-later / --public-log`: for attest.ts, whose action
 * starts with `if (await attestResilientCommand(subject, o, io)) return;` (and whose command is
 * wrapped in withResilienceOptions). False when none of those flags is given.
 */
export async function attestResilientCommand(
  subject: string,
  o: KeyedFlags & ResilienceFlags & { predicate: string; type: string; subjectName?: string },
  io: CliIO,
): Promise<boolean> {
  if (o.logLater !== true && o.fallbackKey === undefined && o.publicLog === undefined) return false;
  const r = await resilienceOf(o, io);
  const env = settingsOf(io).environment;
  const { imageRefIfConfigured } = await import('../../app/oci/registry.js');
  const image = imageRefIfConfigured(subject, io.cwd, env);
  const { attestResilient, attestImageResilient } = await import(
    '../../app/sign/resilient-sign.js'
  );
  const bundlePath = o.output === undefined ? undefined : resolve(io.cwd, o.output);
  const predicate = { predicateFile: resolve(io.cwd, o.predicate), predicateType: o.type };
  if (image !== undefined) {
    const out = await attestImageResilient(
      image,
      { ...keyedOptions(o, io), ...predicate },
      env,
      r,
      {},
      bundlePath,
    );
    await writeBundle(
      io,
      o,
      out,
      `Attested ${out.statement.predicateType} about ${out.image}; stored as ${out.stored.cosignTag} and referrer ${out.stored.referrer}`,
    );
    tellResilience(io, o, out);
    return true;
  }
  const out = await attestResilient(
    {
      ...keyedOptions(o, io),
      ...predicate,
      subject: subject.startsWith('sha256:') ? subject : resolve(io.cwd, subject),
      ...(o.subjectName !== undefined ? { subjectName: o.subjectName } : {}),
    },
    r,
    bundlePath,
  );
  await writeBundle(
    io,
    o,
    out,
    `Attested ${out.statement.predicateType} about ${subject} (${out.digest})`,
  );
  tellResilience(io, o, out);
  return true;
}

/** `--fallback-key`, `--log-later` and `--spool <dir>` on a command (`sign`; `attest` may add them). */
export function withResilienceOptions(cmd: Command): Command {
  return cmd
    .option(
      '--log-later',
      'when the transparency log cannot be reached, sign anyway and spool the entry for `custody log upload` (needs -o)',
    )
    .option(
      '--spool <dir>',
      'with --log-later: the spool folder (default $CUSTODY_DATA_DIR/log-later or ~/.custody/log-later)',
    )
    .option(
      '--fallback-key <pkcs11:…>',
      'sign keylessly, or with this HSM key when the CA or the OIDC provider is down (the signature is marked as a fallback)',
    )
    .option('--ca-url <url>', 'the keyless CA (and dev OIDC issuer), when not the --url server')
    .option(
      '--public-log <url>',
      'log in this public (Rekor-compatible) log first; when it is down the --url Custody log stands in and the public entry is spooled for `custody log upload --public`',
    );
}

/** The app's Resilience from the flags. */
export async function resilienceOf(
  o: ResilienceFlags,
  io: CliIO,
): Promise<import('../../app/sign/resilient-sign.js').Resilience> {
  const { spoolDir } = await import('../../app/log-later/spool.js');
  const dir = spoolDir(
    o.spool === undefined ? undefined : resolve(io.cwd, o.spool),
    settingsOf(io).environment,
  );
  if (o.publicLog !== undefined && !/^https?:\/\//.test(o.publicLog))
    throw new CoreError(
      'USAGE',
      `--public-log must be an http(s) URL, not ${JSON.stringify(o.publicLog)}`,
    );
  return {
    ...(o.fallbackKey !== undefined ? { fallbackKey: o.fallbackKey } : {}),
    ...(o.logLater === true ? { logLater: { spoolDir: dir } } : {}),
    ...(o.publicLog !== undefined ? { publicLog: { url: o.publicLog, spoolDir: dir } } : {}),
  };
}

/** Says loudly that a fallback key signed, and that a signature is not logged yet. */
export function tellResilience(
  io: CliIO,
  o: ResilienceFlags,
  out: { fallback?: { reason: string; at: string }; spooled: string[]; publicPending: string[] },
): void {
  if (out.publicPending.length > 0)
    io.stderr.write(
      `custody: WARNING: the public log ${o.publicLog ?? ''} could not be reached; the private Custody log stood in. The public entry is pending (${out.publicPending.join(', ')}): submit it with \`custody log upload --public${o.spool !== undefined ? ` --spool ${o.spool}` : ''}\`.\n`,
    );
  if (out.fallback !== undefined)
    io.stderr.write(
      `custody: WARNING: keyless signing failed (${out.fallback.reason}); signed with the FALLBACK key ${redactPin(o.fallbackKey ?? '')} instead. The signature is marked as a fallback (dev.custody.fallback): it is accepted only where fallback signatures are.\n`,
    );
  if (out.spooled.length > 0)
    io.stderr.write(
      `custody: WARNING: the signature is NOT logged yet: the transparency log could not be reached. ${out.spooled.length} entr${out.spooled.length === 1 ? 'y' : 'ies'} spooled (${out.spooled.join(', ')}); upload with \`custody log upload${o.spool !== undefined ? ` --spool ${o.spool}` : ''}\` once the log is back. Until then verifiers that require a log entry refuse it.\n`,
    );
}

function redactPin(uri: string): string {
  return uri.replace(/(pin-value=)[^&;]*/g, '$1***');
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
  const server = (o.caUrl ?? o.url ?? settingsOf(io).url ?? '').replace(/\/+$/, '');
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
