import { openAdmission } from '../app/admission/open-admission.js';
import { startPeriodicAnchoring } from '../app/audit/periodic-anchoring.js';
import { openKeyless } from '../app/ca/open-keyless.js';
import { startCosigning } from '../app/collect-cosignatures.js';
import { openLogin } from '../app/login/index.js';
import { openServices } from '../app/services.js';
import { bootstrapAdminToken } from '../app/tokens.js';
import { type ActionExecutor, SEED_001_ENGINE, type TriggerEngine } from '../app/triggers/index.js';
import { logTrustedRoot } from '../app/trust/served-trusted-root.js';
import {
  loadAuditSettings,
  loadKpiSettings,
  loadLoginSettings,
  type ServeConfig,
} from '../config/index.js';
import type { Logger } from '../log/logger.js';
import { startAdmissionListener } from './admission/listener.js';
import { buildServer } from './app.js';

export interface StartServiceOptions {
  /** Run the development OIDC issuer (signs any subject: one machine only). */
  devOidc?: boolean;
  /** Blob store root; default `<dataDir>/blobs`. */
  blobDir?: string | undefined;
  /**
   * The trigger engine and what runs each action target; default: seed 001's decision tables
   * (triggers/) and no executors (actions wait, and count as overdue past their deadline). The
   * service takes events (`/api/v1/events`, webhooks, `--events-dir`) and runs actions as jobs.
   */
  triggers?: { engine: TriggerEngine; executors?: Readonly<Record<string, ActionExecutor>> };
  /** The environment (CUSTODY_ADMISSION_*, CUSTODY_OCI_*) and the directory relative files are read from. */
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  /** `--admission-default-mode`: what a namespace with no configuration answers (default enforce). */
  admissionDefaultMode?: string | undefined;
  /** Where the start-up lines go: the address on stderr, a first admin token on stdout. */
  out: { stdout: { write(s: string): unknown }; stderr: { write(s: string): unknown } };
}

export interface RunningService {
  /** `http://host:port` */
  address: string;
  /** Resolves once SIGINT or SIGTERM has shut the service down. */
  stopped: Promise<void>;
}

/**
 * The service's composition root: open the store, the log and the worker pools, the keyless CA,
 * the witness collector and the HTTP server, listen, and on SIGINT/SIGTERM stop taking requests,
 * let the ones in flight finish and close everything.
 */
export async function startService(
  cfg: ServeConfig,
  logger: Logger,
  o: StartServiceOptions,
): Promise<RunningService> {
  const loginSettings = loadLoginSettings(o.env);
  const auditSettings = loadAuditSettings(o.env);
  const services = await openServices({
    dataDir: cfg.dataDir,
    databaseUrl: cfg.databaseUrl,
    blobDir: o.blobDir,
    ingestWorkers: cfg.ingestWorkers,
    searchCacheEntries: cfg.searchCacheEntries,
    tlog: {
      origin: cfg.tlog.origin,
      keyPath: cfg.tlog.keyPath,
      keyType: cfg.tlog.keyType,
      checkWorkers: cfg.tlog.checkWorkers,
    },
    // Background work (vulnerability matching, trigger actions, notifications) runs as jobs:
    // pg-boss on PostgreSQL, the in-process runner on SQLite.
    jobs: { onError: (err) => logger.error({ err }, 'job queue error') },
  });
  const admin = await bootstrapAdminToken(services);
  const keyless = await openKeyless({
    dataDir: cfg.dataDir,
    publicUrl: cfg.publicUrl,
    devOidc: o.devOidc === true,
    issuers: cfg.oidcIssuers,
    maxTokenLifetimeSeconds: cfg.oidcMaxTokenLifetimeSeconds,
    ...(services.tlog ? { logEntry: () => services.tlog?.trustedRootEntry(new Date(0)) } : {}),
    onIssued: (e) => logger.info({ issued: e }, 'certificate issued'),
  });
  const login = await openLogin(services, {
    settings: loginSettings,
    publicUrl: cfg.publicUrl,
    devOidc: keyless?.devOidc,
  });
  // Admission: the webhook on this listener (and on a TLS one when configured), deciding from
  // the registry, this service's index and its own CA and log.
  const admission = openAdmission(services, {
    env: o.env,
    defaultMode: o.admissionDefaultMode,
    ownTrustedRoot: keyless?.trustedRoot ?? logTrustedRoot(services),
    caIssuers: [
      ...cfg.oidcIssuers.map((i) => i.issuer),
      ...(keyless?.devOidc ? [keyless.devOidc.issuer] : []),
    ],
    cwd: o.cwd,
    log: (level, msg, fields) => logger[level](fields, msg),
  });
  const { app, metrics } = await buildServer({
    services,
    logger,
    maxSbomBytes: cfg.maxSbomBytes,
    maxBodyBytes: cfg.maxBodyBytes,
    timeouts: cfg.timeouts,
    tlog: { requireToken: cfg.tlog.requireToken, ratePerClient: cfg.tlog.ratePerClient },
    ...(keyless ? { keyless, trustedRoot: keyless.trustedRoot } : {}),
    admission: {
      face: admission.face,
      unidentifiedRatePerS: admission.settings.unidentifiedRatePerS,
    },
    admissionRecords: { reconcile: admission.reconcile, slo: admission.slo },
    kpi: {
      settings: loadKpiSettings(o.env),
      snapshots: true,
      onError: (err) => logger.error({ err }, 'KPI snapshot failed'),
    },
    admissionGovernance: {
      defaultMode: admission.settings.defaultMode,
      blastRadius: admission.blastRadius,
    },
    ...(login ? { login } : {}),
    evidence: { witnesses: cfg.tlog.witnesses, publicUrl: cfg.publicUrl },
    triggers: {
      ...(o.triggers ?? { engine: SEED_001_ENGINE }),
      webhookSecret: cfg.webhookSecret,
      eventsDir: cfg.eventsDir,
    },
  });
  admission.hooks.current = metrics.admission;
  metrics.admission.engineStats = () => admission.engine.stats();
  const address = await app.listen({ host: cfg.host, port: cfg.port });
  const admissionTls = admission.settings.tls
    ? await startAdmissionListener({
        face: admission.face,
        tls: admission.settings.tls,
        logger,
        unidentifiedRatePerS: admission.settings.unidentifiedRatePerS,
      })
    : undefined;
  let witnessing: { stop(): Promise<void> } | undefined;
  if (services.tlog && cfg.tlog.witnesses.length > 0) {
    witnessing = await startCosigning(services.tlog.log, {
      witnesses: cfg.tlog.witnesses,
      intervalMs: cfg.tlog.witnessIntervalMs,
      onRefusal: (witness, error) => logger.warn({ witness, error }, 'witness did not cosign'),
    });
  }
  // The audit chain's head, logged in the transparency log (README "Tamper-evident audit trail").
  const stopAnchoring = services.tlog
    ? startPeriodicAnchoring(services, {
        intervalMs: auditSettings.anchorIntervalMs,
        onError: (err) => logger.warn({ err }, 'audit trail not anchored'),
      })
    : undefined;
  const { stdout, stderr } = o.out;
  stderr.write(
    `Custody is listening on ${address} (${services.db.dialect}: ${services.db.location})\n`,
  );
  if (services.tlog)
    stderr.write(
      `Transparency log ${services.tlog.log.origin} at ${address}/tlog/ (${services.tlog.log.size} entries), verifier key ${services.tlog.log.vkey}\n`,
    );
  if (keyless?.devOidc)
    stderr.write(
      `WARNING: --dev-oidc: a development OIDC issuer at ${keyless.devOidc.issuer} signs ID tokens for any subject. Use it on one machine only.\n`,
    );
  stderr.write(
    `Admission webhook at ${address}/admission/validate${admissionTls ? ` and ${admissionTls.url}/admission/validate (TLS)` : ''}; unconfigured namespaces: ${admission.settings.defaultMode}\n`,
  );
  stderr.write(`Dashboard at ${address}/ (log in with an API token)\n`);
  if (keyless)
    stderr.write(
      `Keyless signing: Fulcio v2 API at ${address}/api/v2/, trusted root at ${address}/api/v1/trusted-root\n`,
    );
  if (login)
    stderr.write(
      `Dashboard login with OIDC at ${address}/login/oidc (${login.dev ? 'the development issuer: its admin identity logs in as the first admin token’s person' : login.issuer})\n`,
    );
  if (admin) {
    stdout.write(
      `This is the first start: here is an admin token. It is shown once; store it now.\nexport CUSTODY_URL=${address}\nexport CUSTODY_TOKEN=${admin.token}\n`,
    );
    stdout.write(`Dashboard: ${address}/ (log in with the token above)\n`);
  }
  const stopped = new Promise<void>((done) => {
    const stop = (signal: string) => {
      logger.info({ signal }, 'shutting down');
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      void app
        .close()
        .then(() => admissionTls?.close())
        .then(() => admission.close())
        .then(() => witnessing?.stop())
        .then(() => stopAnchoring?.())
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
  return { address, stopped };
}

/** `custody witness serve`: the witness's own HTTP face, started by the CLI as the service is. */
export { serveWitness } from './witness-server.js';
