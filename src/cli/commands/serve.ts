import type { Command } from 'commander';
import { type CliIO, serveConfigOf, settingsOf } from '../io.js';

/**
 * `custody serve`: the service. Runs until SIGINT/SIGTERM, then stops taking requests, lets the
 * ones in flight finish, and closes the database.
 */
export function registerServe(program: Command, io: CliIO): void {
  program
    .command('serve')
    .description(
      'run the Custody service: API, inventory, metrics (SQLite in --data-dir, or CUSTODY_DATABASE_URL)',
    )
    .option(
      '--data-dir <dir>',
      'data directory: SQLite database and blob store (env CUSTODY_DATA_DIR, default ./.custody)',
    )
    .option(
      '--listen <host:port>',
      'address to listen on (env CUSTODY_LISTEN, default 127.0.0.1:8080)',
    )
    .option(
      '--events-dir <dir>',
      'poll this directory for trigger event files (JSON; moved to done/ or failed/) (env CUSTODY_EVENTS_DIR)',
    )
    .option(
      '--admission-default-mode <mode>',
      'what the admission webhook does for a namespace with no configuration: enforce (default: an unsigned image is denied), warn or audit (env CUSTODY_ADMISSION_DEFAULT_MODE)',
    )
    .option(
      '--dev-oidc',
      'run a local OIDC issuer for keyless signing on one machine (it signs any subject: never in production)',
    )
    .action(
      async (o: {
        dataDir?: string;
        listen?: string;
        devOidc?: boolean;
        eventsDir?: string;
        admissionDefaultMode?: string;
      }) => {
        const { createLogger } = await import('../../log/logger.js');
        // The service's composition root: the one place the CLI reaches into server/.
        const { startService } = await import('../../server/main.js');
        const { resolve } = await import('node:path');

        const cfg = serveConfigOf(io, {
          ...(o.dataDir ? { dataDir: resolve(io.cwd, o.dataDir) } : {}),
          ...(o.listen ? { listen: o.listen } : {}),
          ...(o.eventsDir ? { eventsDir: resolve(io.cwd, o.eventsDir) } : {}),
        });
        const logger = createLogger(cfg.logLevel);
        const service = await startService(cfg, logger, {
          devOidc: o.devOidc === true,
          blobDir: settingsOf(io).blobDir,
          env: settingsOf(io).environment,
          cwd: io.cwd,
          admissionDefaultMode: o.admissionDefaultMode,
          out: { stdout: io.stdout, stderr: io.stderr },
        });
        await service.stopped;
      },
    );
}
