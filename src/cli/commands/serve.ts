import type { Command } from 'commander';
import type { CliIO } from '../io.js';

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
      '--dev-oidc',
      'run a local OIDC issuer for keyless signing on one machine (it signs any subject: never in production)',
    )
    .action(async (o: { dataDir?: string; listen?: string; devOidc?: boolean }) => {
      const { loadServeConfig } = await import('../../config/config.js');
      const { createLogger } = await import('../../log/logger.js');
      const { openServices } = await import('../../app/services.js');
      const { bootstrapAdminToken } = await import('../../app/tokens.js');
      const { buildServer } = await import('../../server/app.js');
      const { resolve } = await import('node:path');

      const cfg = loadServeConfig(
        {
          ...(o.dataDir ? { dataDir: resolve(io.cwd, o.dataDir) } : {}),
          ...(o.listen ? { listen: o.listen } : {}),
        },
        io.env,
      );
      const logger = createLogger(cfg.logLevel);
      const services = await openServices({
        dataDir: cfg.dataDir,
        databaseUrl: cfg.databaseUrl,
        blobDir: io.env['CUSTODY_BLOB_DIR'],
        ingestWorkers: cfg.ingestWorkers,
        searchCacheEntries: cfg.searchCacheEntries,
        tlog: {
          origin: cfg.tlog.origin,
          keyPath: cfg.tlog.keyPath,
          keyType: cfg.tlog.keyType,
          checkWorkers: cfg.tlog.checkWorkers,
        },
      });
      const admin = await bootstrapAdminToken(services);
      const { openKeyless } = await import('../../app/ca/open-keyless.js');
      const keyless = await openKeyless({
        dataDir: cfg.dataDir,
        publicUrl: cfg.publicUrl,
        devOidc: o.devOidc === true,
        issuers: cfg.oidcIssuers,
        ...(services.tlog ? { logEntry: () => services.tlog?.trustedRootEntry(new Date(0)) } : {}),
        onIssued: (e) => logger.info({ issued: e }, 'certificate issued'),
      });
      const { app } = await buildServer({
        services,
        logger,
        maxSbomBytes: cfg.maxSbomBytes,
        maxBodyBytes: cfg.maxBodyBytes,
        health: () => ({ dataDir: cfg.dataDir }),
        tlog: { requireToken: cfg.tlog.requireToken, ratePerClient: cfg.tlog.ratePerClient },
        ...(keyless ? { keyless } : {}),
      });
      const address = await app.listen({ host: cfg.host, port: cfg.port });
      let witnessing: { stop(): Promise<void> } | undefined;
      if (services.tlog && cfg.tlog.witnesses.length > 0) {
        const { WitnessCollector } = await import('../../app/tlog-follow/witness-collector.js');
        const { startWitnessing } = await import('../../app/tlog/periodic-witnessing.js');
        const { postAddCheckpoint } = await import('../../net/tlog-client.js');
        const collector = new WitnessCollector({
          witnesses: cfg.tlog.witnesses,
          submit: (url, body) => postAddCheckpoint(url, body),
        });
        witnessing = startWitnessing(
          services.tlog.log,
          collector,
          cfg.tlog.witnessIntervalMs,
          (reports) => {
            for (const r of reports.filter((x) => !x.ok))
              logger.warn({ witness: r.url, error: r.error }, 'witness did not cosign');
          },
        );
      }
      io.stderr.write(
        `Custody is listening on ${address} (${services.db.dialect}: ${services.db.location})\n`,
      );
      if (services.tlog)
        io.stderr.write(
          `Transparency log ${services.tlog.log.origin} at ${address}/tlog/ (${services.tlog.log.size} entries), verifier key ${services.tlog.log.vkey}\n`,
        );
      if (keyless?.devOidc)
        io.stderr.write(
          `WARNING: --dev-oidc: a development OIDC issuer at ${keyless.devOidc.issuer} signs ID tokens for any subject. Use it on one machine only.\n`,
        );
      if (keyless)
        io.stderr.write(
          `Keyless signing: Fulcio v2 API at ${address}/api/v2/, trusted root at ${address}/api/v1/trusted-root\n`,
        );
      if (admin) {
        io.stdout.write(
          `This is the first start: here is an admin token. It is shown once; store it now.\nexport CUSTODY_URL=${address}\nexport CUSTODY_TOKEN=${admin.token}\n`,
        );
      }
      await new Promise<void>((done) => {
        const stop = (signal: string) => {
          logger.info({ signal }, 'shutting down');
          process.off('SIGINT', onInt);
          process.off('SIGTERM', onTerm);
          void app
            .close()
            .then(() => witnessing?.stop())
            .then(() => services.close())
            .then(done, (e: unknown) => {
              logger.error({ err: e }, 'shutdown failed');
              done();
            });
        };
        const onInt = () => stop('SIGINT');
        const onTerm = () => stop('SIGTERM');
        process.on('SIGINT', onInt);
        process.on('SIGTERM', onTerm);
      });
    });
}
