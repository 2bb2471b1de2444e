import { resolve } from 'node:path';
import type { Command } from 'commander';
import { type CliIO, settingsOf } from '../io.js';

/**
 * `custody keys generate`: a key pair for keyed signing, as PKCS#8 PEM. The private key is
 * encrypted when --passphrase-env names a variable holding the passphrase (never an argument,
 * which other users can read in the process list).
 */
export function registerKeys(program: Command, io: CliIO): void {
  const keys = program.command('keys').description('make key pairs for keyed signing');
  keys
    .command('generate')
    .description('generate a key pair: <out> (private, mode 0600) and <out minus .key>.pub')
    .option('--type <type>', 'ecdsa-p256, ecdsa-p384, ed25519 or rsa-3072', 'ecdsa-p256')
    .option('-o, --output <file>', 'private key file', 'custody.key')
    .option('--passphrase-env <VAR>', 'encrypt the private key with the passphrase in $VAR')
    .option('--force', 'overwrite existing files')
    .option('--json', 'print the paths, type and key hint as JSON')
    .action(
      async (o: {
        type: string;
        output: string;
        passphraseEnv?: string;
        force?: boolean;
        json?: boolean;
      }) => {
        const { generateKeyPairFiles } = await import('../../app/sign/generate-key-pair.js');
        const k = generateKeyPairFiles({
          path: resolve(io.cwd, o.output),
          type: o.type,
          env: settingsOf(io).environment,
          ...(o.passphraseEnv !== undefined ? { passphraseEnv: o.passphraseEnv } : {}),
          ...(o.force ? { force: true } : {}),
        });
        const encrypted = o.passphraseEnv !== undefined;
        if (o.json) {
          io.stdout.write(
            `${JSON.stringify({ type: k.type, privateKey: k.privatePath, publicKey: k.publicPath, hint: k.hint, encrypted }, null, 2)}\n`,
          );
          return;
        }
        io.stderr.write(
          `Wrote ${k.type} private key ${k.privatePath}${encrypted ? ' (encrypted)' : ''} and public key ${k.publicPath}\n`,
        );
        io.stdout.write(`${k.publicPath}\n`);
      },
    );
}
