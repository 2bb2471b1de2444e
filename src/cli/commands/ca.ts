import type { Command } from 'commander';
import { CoreError } from '../../core/index.js';
import { type CliIO, settingsOf } from '../io.js';
import { registerCaEmergency } from './ca-emergency.js';

const DATA_DIR_HELP = 'data directory (env CUSTODY_DATA_DIR, default ./.custody)';

/**
 * `custody ca init`: Custody's certificate authority for keyless signing — a root and an
 * intermediate in `<dataDir>/ca/` (keys 0600), added to `<dataDir>/trusted_root.json` together
 * with the log's entry when `--log-url` names a running `custody serve`.
 */
export function registerCa(program: Command, io: CliIO): void {
  const ca = program.command('ca').description("Custody's certificate authority (keyless signing)");
  ca.command('init')
    .description('create the root and intermediate CA and add them to trusted_root.json')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option(
      '--uri <url>',
      "the CA's URL in the trusted root (the service's base URL)",
      'http://127.0.0.1:8080',
    )
    .option('--org <name>', 'organization in the CA names', 'Custody')
    .option(
      '--cn <name>',
      'common name of the root (the intermediate adds " intermediate")',
      'custody',
    )
    .option('--key-type <type>', 'ecdsa-p256 or ecdsa-p384', 'ecdsa-p256')
    .option('--log-url <url>', "also trust this custody serve's log (reads its GET /api/v1/tlog)")
    .option(
      '--force',
      'replace an existing CA (the old one stays trusted until `custody trust remove`)',
    )
    .action(
      async (o: {
        dataDir?: string;
        uri: string;
        org: string;
        cn: string;
        keyType: string;
        logUrl?: string;
        force?: boolean;
      }) => {
        if (o.keyType !== 'ecdsa-p256' && o.keyType !== 'ecdsa-p384') {
          throw new CoreError('USAGE', `--key-type is ecdsa-p256 or ecdsa-p384, not ${o.keyType}`);
        }
        const { resolve } = await import('node:path');
        const { initCa } = await import('../../app/ca/init-ca.js');
        const dataDir = resolve(io.cwd, o.dataDir ?? settingsOf(io).dataDir ?? '.custody');
        const r = await initCa({
          dataDir,
          uri: o.uri,
          organization: o.org,
          commonName: o.cn,
          keyType: o.keyType,
          now: new Date(),
          ...(o.force ? { force: true } : {}),
        });
        if (o.logUrl !== undefined) {
          const { trustLogAt } = await import('../../app/trust/edit-trust-store.js');
          await trustLogAt(r.trustedRootPath, o.logUrl);
        }
        io.stderr.write(
          `Created a CA in ${r.paths.dir} (keys 0600; keep root-key.pem offline once the intermediate is made).\nTrusted root: ${r.trustedRootPath}\n`,
        );
        io.stdout.write(r.chainPem.join(''));
      },
    );
  registerCaEmergency(ca, io);
}
