import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  generateWitnessKeyFile,
  openWitness,
  readWitnessConfig,
} from '../../app/tlog-follow/witness-cosigner.js';
import { CoreError } from '../../core/index.js';
import type { CliIO } from '../io.js';

/**
 * `custody witness serve|key generate`: a C2SP tlog-witness that cosigns checkpoints of the logs
 * in its config (Ed25519 tlog-cosignature/v1). Runs until SIGINT/SIGTERM.
 */
export function registerWitness(program: Command, io: CliIO): void {
  const witness = program
    .command('witness')
    .description('run a transparency log witness (C2SP tlog-witness)');

  witness
    .command('serve')
    .description('serve POST /add-checkpoint and GET /<origin hash>/checkpoint')
    .requiredOption(
      '--config <json>',
      'config file: {"name": "witness.example/w1", "state": "state.json", "logs": [{"origin": "…", "vkeys": ["…"]}]}',
    )
    .requiredOption(
      '--key <pem>',
      'the Ed25519 private key (PKCS#8 PEM), from `custody witness key generate`',
    )
    .option('--listen <host:port>', 'address to listen on', '127.0.0.1:8090')
    .option(
      '--state <file>',
      'state file (overrides the config; default witness-state.json beside it)',
    )
    .action(async (o: { config: string; key: string; listen: string; state?: string }) => {
      const { config, logs, statePath } = readWitnessConfig(
        resolve(io.cwd, o.config),
        o.state === undefined ? undefined : resolve(io.cwd, o.state),
      );
      const { host, port } = parseListen(o.listen);
      // Loaded here, not at the top: the server's modules cost every other command their start-up.
      const { serveWitness } = await import('../../server/main.js');
      const service = serveWitness(
        openWitness({
          name: config.name,
          keyPath: resolve(io.cwd, o.key),
          logs,
          statePath,
          now: () => Math.floor(Date.now() / 1000),
          onEvent: (e) =>
            io.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...e })}\n`),
        }),
      );
      const addr = await service.listen(host, port);
      io.stderr.write(
        `Witness ${config.name} listening on http://${addr.address}:${addr.port} for ${logs.length} log(s); vkey:\n`,
      );
      io.stdout.write(`${service.vkey}\n`);
      await new Promise<void>((done) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          service.close().then(done, done);
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });

  witness
    .command('key')
    .description('witness keys')
    .command('generate')
    .description('make an Ed25519 witness key; prints its vkey (publish it to the logs)')
    .requiredOption('--name <name>', 'the witness name, e.g. witness.example/w1')
    .requiredOption(
      '-o, --output <pem>',
      'where to write the private key (created 0600, never overwritten)',
    )
    .action((o: { name: string; output: string }) => {
      const vkey = generateWitnessKeyFile(o.name, resolve(io.cwd, o.output), o.output);
      io.stderr.write(`Wrote the private key to ${o.output}; the vkey is:\n`);
      io.stdout.write(`${vkey}\n`);
    });
}

function parseListen(v: string): { host: string; port: number } {
  const m = /^(.*):(\d{1,5})$/.exec(v);
  const port = Number(m?.[2]);
  if (m === null || port > 65535)
    throw new CoreError('USAGE', `--listen takes host:port, not ${v}`);
  return { host: (m[1] as string).replace(/^\[(.*)\]$/, '$1') || '127.0.0.1', port };
}
