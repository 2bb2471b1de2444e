import type { Command } from 'commander';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT, settingsOf } from '../io.js';

/**
 * `custody trust fetch` saves a running service's trusted root (its log, and its CA when it has
 * one), checked against the service's log key. `custody trust add|remove|list` edits a Sigstore trusted root (default
 * `<dataDir>/trusted_root.json`). Several CAs and logs are trusted at once, so a new authority is
 * added before the old one is retired (`remove --at`) or removed — pipelines keep verifying.
 */
const trustStore = () => import('../../app/trust/edit-trust-store.js');
const fetching = () => import('../../app/trust/fetch-trusted-root.js');

export function registerTrust(program: Command, io: CliIO): void {
  const trust = program
    .command('trust')
    .description('the CAs and logs signatures are verified against');
  const fileOpt = [
    '--trusted-root <file>',
    'trusted root to edit (default <data dir>/trusted_root.json)',
  ] as const;
  const dirOpt = [
    '--data-dir <dir>',
    'data directory (env CUSTODY_DATA_DIR, default ./.custody)',
  ] as const;

  trust
    .command('fetch [url]')
    .description(
      "save the trusted root a custody serve publishes (its log, and its CA when it has one), after checking it holds the service's log key",
    )
    .requiredOption('-o, --output <file>', 'where to write it (e.g. trusted_root.json)')
    .option(
      '--vkey <vkey>',
      'the verifier key `custody serve` printed at start: the log must sign with it',
    )
    .action(async (url: string | undefined, o: { output: string; vkey?: string }) => {
      const service = url ?? settingsOf(io).url;
      if (service === undefined) {
        io.stderr.write('custody: USAGE: give the service URL (or set CUSTODY_URL)\n');
        throw new CliExit(EXIT.usage);
      }
      const { fetchTrustedRoot } = await fetching();
      const r = await fetchTrustedRoot(service, o.output, {
        cwd: io.cwd,
        ...(o.vkey !== undefined ? { expectVkey: o.vkey } : {}),
      });
      io.stderr.write(
        `Saved the trusted root of ${service} to ${r.path}: ${r.tlogs} log(s), ${r.certificateAuthorities} CA(s).\n` +
          `Its log ${r.origin} signs with ${r.vkey}${o.vkey === undefined ? ' (compare with the key custody serve printed at start, or pass it as --vkey)' : ' (as --vkey expects)'}.\n`,
      );
    });

  trust
    .command('list')
    .description('list trusted CAs, logs, CT logs and timestamp authorities')
    .option(...fileOpt)
    .option(...dirOpt)
    .option('--json', 'JSON output')
    .action(async (o: { trustedRoot?: string; dataDir?: string; json?: boolean }) => {
      const { listTrusted, trustStorePath } = await trustStore();
      const rows = listTrusted(trustStorePath(io.cwd, settingsOf(io).environment, o));
      if (o.json) {
        io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      for (const r of rows) {
        const until = r.validFor.end ? ` until ${r.validFor.end}` : '';
        io.stdout.write(
          `${r.kind.padEnd(5)}  ${r.id.slice(0, 16)}  ${r.uri}  from ${r.validFor.start}${until}\n`,
        );
      }
    });

  trust
    .command('add')
    .description(
      'trust a CA (certificate chain), a log (a custody serve URL), or everything in another trusted root',
    )
    .option('--ca <pem>', 'CA chain file: issuing certificate first, root last')
    .option('--uri <url>', "the CA's URL (with --ca)")
    .option('--log-url <url>', 'a custody serve whose log to trust (reads its GET /api/v1/tlog)')
    .option('--from <trusted_root.json>', 'every CA and log of another trusted root')
    .option(
      '--valid-from <time>',
      'start of trust (RFC 3339; default now, or the certificate notBefore)',
    )
    .option(...fileOpt)
    .option(...dirOpt)
    .action(
      async (o: {
        ca?: string;
        uri?: string;
        logUrl?: string;
        from?: string;
        validFrom?: string;
        trustedRoot?: string;
        dataDir?: string;
      }) => {
        const { addTrust, trustStorePath } = await trustStore();
        const path = trustStorePath(io.cwd, settingsOf(io).environment, o);
        const added = await addTrust(path, io.cwd, {
          ...(o.ca !== undefined ? { ca: o.ca } : {}),
          ...(o.uri !== undefined ? { uri: o.uri } : {}),
          ...(o.validFrom !== undefined ? { validFrom: o.validFrom } : {}),
          ...(o.logUrl !== undefined ? { logUrl: o.logUrl } : {}),
          ...(o.from !== undefined ? { from: o.from } : {}),
        });
        io.stderr.write(`Trusted ${added} in ${path}\n`);
      },
    );

  trust
    .command('remove <id>')
    .description('stop trusting an entry (id or a prefix of 8+ digits, from `trust list`)')
    .option(
      '--at <time>',
      'retire it at this time (RFC 3339) instead: earlier signatures still verify',
    )
    .option(...fileOpt)
    .option(...dirOpt)
    .action(async (id: string, o: { at?: string; trustedRoot?: string; dataDir?: string }) => {
      const { removeTrusted, trustStorePath } = await trustStore();
      const path = trustStorePath(io.cwd, settingsOf(io).environment, o);
      removeTrusted(path, id, o.at);
      io.stderr.write(`${o.at ? `Retired ${id} at ${o.at}` : `Removed ${id}`} in ${path}\n`);
    });
}
