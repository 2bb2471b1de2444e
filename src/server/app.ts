import type { Socket } from 'node:net';
import { Transform } from 'node:stream';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { AccessError, type Caller, type Permission, requirePermission } from '../access/index.js';
import type { AdmissionFace } from '../app/admission/face.js';
import {
  type ReconcileDeps,
  startAdmissionReconciliation,
} from '../app/admission/records/index.js';
import type { CaFailureSink } from '../app/ca/ca-failures.js';
import type { CaService, DevOidcIssuer } from '../app/ca/index.js';
import type { OidcLogin } from '../app/login/index.js';
import type { Services } from '../app/services.js';
import { TokenAuthenticator } from '../app/tokens.js';
import {
  type ActionExecutor,
  overdueActionCount,
  type RetryPolicy,
  reportOpenedFindings,
  startEventPoller,
  type TriggerEngine,
  TriggerRuntime,
} from '../app/triggers/index.js';
import { logTrustedRoot } from '../app/trust/served-trusted-root.js';
import { startVulnMatching } from '../app/vulnerabilities/match-jobs.js';
import type { SloSettings } from '../config/index.js';
import { CustodyError } from '../core/index.js';
import type { Logger } from '../log/logger.js';
import { registerAdmissionWebhook } from './admission/webhook.js';
import { type ErrorBody, errorBody, fromFastifyError } from './errors.js';
import { Metrics } from './metrics.js';
import { OpenApiCollector } from './openapi.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerAdmissionDecisionRoutes } from './routes/admission-decisions.js';
import {
  type AdmissionGovernanceRouteOptions,
  registerAdmissionGovernanceRoutes,
} from './routes/admission-governance.js';
import { registerAuditChainRoutes } from './routes/audit-chain.js';
import { registerDashboardRoutes } from './routes/dashboard.js';
import { registerDevOidcRoutes } from './routes/dev-oidc.js';
import { registerEmergencyRoutes } from './routes/emergency.js';
import { registerEventRoutes } from './routes/events.js';
import { type EvidenceRouteOptions, registerEvidenceRoutes } from './routes/evidence.js';
import { registerFollowUpRoutes } from './routes/follow-ups.js';
import { registerFulcioRoutes } from './routes/fulcio.js';
import { registerInventoryRoutes } from './routes/inventory.js';
import { type KpiRouteOptions, registerKpiRoutes } from './routes/kpis.js';
import { registerLoginRoutes } from './routes/login.js';
import { registerPolicyRoutes } from './routes/policies.js';
import { registerProvenanceRoutes } from './routes/provenance.js';
import { registerSbomBundleRoutes } from './routes/sbom-bundles.js';
import { registerSystemRoutes } from './routes/system.js';
import { registerTlogRoutes, type TlogRouteOptions } from './routes/tlog.js';
import { registerTlogReportRoutes } from './routes/tlog-reports.js';
import { registerVexRoutes } from './routes/vex.js';
import { registerVulnerabilityRoutes } from './routes/vulnerabilities.js';
import { registerWebAssets } from './web-assets.js';

declare module 'fastify' {
  /** OpenAPI annotations, read by OpenApiCollector. */
  interface FastifySchema {
    summary?: string;
    description?: string;
    tags?: string[];
    consumes?: string[];
  }
  interface FastifyRequest {
    caller: Caller;
  }
  interface FastifyContextConfig {
    /** Reachable without a token (health; later the public log and certificate endpoints). */
    public?: boolean;
    /** Leave out of the OpenAPI document. */
    hidden?: boolean;
    /** For the OpenAPI document: the permission the handler checks. */
    permission?: string;
    /** Checked before the body is read, so a refused caller cannot make the server parse it. */
    requires?: Permission;
  }
}

export interface ServerOptions {
  services: Services;
  logger: Logger;
  /** Largest SBOM a push may send. */
  maxSbomBytes: number;
  /** Largest body of any other request. */
  maxBodyBytes: number;
  /** How long requests may take to arrive and connections may stay silent (defaults below). */
  timeouts?: Partial<ServerTimeouts>;
  /** The transparency log's HTTP settings (the log itself is `services.tlog`). */
  tlog?: Partial<TlogRouteOptions>;
  /** Keyless signing: the certificate authority (Fulcio's API) and, for one machine, a dev issuer. */
  keyless?: {
    ca: CaService;
    devOidc?: DevOidcIssuer;
    /** The CA's failed requests, counted in /metrics (custody_ca_failures_total). */
    failures?: CaFailureSink;
  };
  /**
   * The trusted root clients verify with (served at /api/v1/trusted-root): this service's log,
   * and its CA when keyless signing is on. Absent: built from the log alone.
   */
  trustedRoot?: () => unknown;
  /** Trigger intake (events, webhooks, the directory poller), actions as jobs, notifications. */
  triggers?: TriggerOptions;
  /** The Kubernetes admission webhook under /admission (no API token; the caller is a cluster). */
  admission?: { face: AdmissionFace; maxBodyBytes?: number; unidentifiedRatePerS?: number };
  /** Admission records: what reconciliation re-checks images with, and the SLO of `/metrics`. */
  admissionRecords?: {
    reconcile?: ReconcileDeps;
    /** How often degraded decisions are reconciled (default 60 s; 0: only when asked). */
    reconcileIntervalMs?: number;
    slo?: SloSettings;
  };
  /** Admission governance's routes: the default mode and the blast radius of overrides. */
  admissionGovernance?: AdmissionGovernanceRouteOptions;
  /** The KPI catalogue's routes and, for `custody serve`, its daily snapshot. */
  kpi?: KpiRouteOptions;
  /** Where the built dashboard is (default: the package's dist/web; web-assets.ts). */
  webDir?: string;
  /** Dashboard login with an OIDC provider (app/login/openLogin); absent: API tokens only. */
  login?: OidcLogin;
  /** Evidence export and runbooks: the log's witnesses and the service's public URL. */
  evidence?: EvidenceRouteOptions;
}

export interface TriggerOptions {
  /** The trigger engine (triggers/), passed in by the composition root. */
  engine: TriggerEngine;
  /** What runs each action target (`sbom`, `vex`, `*`); a target without one stays pending. */
  executors?: Readonly<Record<string, ActionExecutor>>;
  /** The secret of inbound webhooks that name no team (CUSTODY_WEBHOOK_SECRET). */
  webhookSecret?: string | undefined;
  /** Poll this directory for event files (`custody serve --events-dir`). */
  eventsDir?: string | undefined;
  /** How often the events directory is polled; default 2 s. */
  pollIntervalMs?: number;
  /** How often open actions are checked for alerts; default 60 s, 0: never. */
  alertSweepMs?: number;
  /** Take jobs from `services.jobs` (default true when there is a queue). */
  workers?: boolean;
  actionRetry?: RetryPolicy;
  notifyRetry?: RetryPolicy;
  /** Overdue items for `/metrics` (default: trigger actions past their deadline). */
  overdue?: () => Promise<number>;
}

/**
 * Time-outs in milliseconds (config/'s CUSTODY_*_TIMEOUT settings; the defaults here are
 * config/'s: 30 s, 30 s + 1 s per 512 KiB of `maxSbomBytes`, 120 s).
 */
export interface ServerTimeouts {
  /** A request's headers and body must have arrived within this. */
  requestMs: number;
  /** The same for uploads: routes whose body limit is above `maxBodyBytes` (SBOMs, log entries). */
  uploadMs: number;
  /** A connection with no traffic either way for this long is closed. */
  connectionMs: number;
}

export interface CustodyServer {
  app: FastifyInstance;
  metrics: Metrics;
  auth: TokenAuthenticator;
  /** The trigger runtime, when `triggers` was given. */
  triggers?: TriggerRuntime;
}

/**
 * The HTTP face: Fastify with a token check on every route but the public ones, coded errors, an
 * OpenAPI document built from the routes' own schemas, and Prometheus metrics.
 */
export async function buildServer(o: ServerOptions): Promise<CustodyServer> {
  const requestMs = o.timeouts?.requestMs ?? 30_000;
  const timeouts: ServerTimeouts = {
    requestMs,
    uploadMs: requestMs + Math.ceil(o.maxSbomBytes / (512 * 1024)) * 1000,
    connectionMs: 120_000,
    ...o.timeouts,
  };
  // Node's own limit on a whole request is the backstop behind the per-route deadlines below,
  // and the only one for headers that never finish. Node checks it every
  // connectionsCheckingInterval, so that interval is kept well under the time-out.
  const slowest = Math.max(timeouts.requestMs, timeouts.uploadMs);
  const app: FastifyInstance = Fastify({
    logController: new OneLinePerRequest(),
    loggerInstance: o.logger as FastifyBaseLogger,
    bodyLimit: o.maxBodyBytes,
    trustProxy: false,
    return503OnClosing: true,
    requestTimeout: slowest + 1000,
    connectionTimeout: timeouts.connectionMs,
    http: {
      headersTimeout: timeouts.requestMs,
      connectionsCheckingInterval: Math.max(100, Math.min(30_000, timeouts.requestMs / 4)),
    },
    clientErrorHandler: answerClientError,
    frameworkErrors: answerFrameworkError,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  });
  const auth = new TokenAuthenticator(o.services);
  const metrics = new Metrics(o.services);
  o.keyless?.failures?.listen((f) => metrics.caFailures.inc({ stage: f.stage, kind: f.kind }));
  const openapi = new OpenApiCollector();
  app.addHook('onRoute', openapi.onRoute);

  app.decorateRequest('caller', null as unknown as Caller);
  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config.public || req.routeOptions.url === undefined) return;
    req.caller = { principal: await auth.authenticate(bearer(req)), source: req.ip };
    const requires = req.routeOptions.config.requires;
    if (requires !== undefined) requirePermission(req.caller.principal, requires);
  });
  app.addHook('preParsing', async (req, _reply, payload) => {
    if (!hasBody(req)) return payload;
    const upload = (req.routeOptions.bodyLimit ?? 0) > o.maxBodyBytes;
    return withDeadline(payload, upload ? timeouts.uploadMs : timeouts.requestMs);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler(async (err, req, reply) => {
    const mapped = fromFastifyError(err as Parameters<typeof fromFastifyError>[0]);
    if (mapped) {
      if (mapped.status >= 500) req.log.error({ err, status: mapped.status }, 'request failed');
      else req.log.info({ code: mapped.body.error.code, status: mapped.status }, 'request refused');
      // A body that did not arrive in time is abandoned half-read: the connection cannot carry
      // another request.
      if (mapped.status === 408) reply.header('connection', 'close');
      return reply.code(mapped.status).send(mapped.body);
    }
    req.log.error({ err }, 'internal error');
    return reply
      .code(500)
      .send(
        errorBody(
          'INTERNAL',
          'Something went wrong inside Custody; the server log has the details',
        ),
      );
  });
  // The dashboard's own routes (`/releases/42`) are answered with its index.html (web-assets.ts).
  let webFallback: ReturnType<typeof registerWebAssets> | undefined;
  app.setNotFoundHandler(
    async (req, reply) =>
      webFallback?.(req, reply) ??
      reply
        .code(404)
        .send(
          errorBody(
            'NOT_FOUND',
            `There is no ${req.method} ${req.url.split('?')[0]}; see /openapi.json`,
          ),
        ),
  );

  const deps = { services: o.services, metrics, auth, maxSbomBytes: o.maxSbomBytes };
  registerSystemRoutes(app, { ...deps, openapi });
  registerInventoryRoutes(app, deps);
  registerFollowUpRoutes(app, deps);
  registerVulnerabilityRoutes(app, deps);
  registerSbomBundleRoutes(app, deps, { trustedRoot: o.trustedRoot });
  registerAdminRoutes(app, deps);
  registerAuditChainRoutes(app, deps);
  registerTlogReportRoutes(app, deps);
  registerLoginRoutes(app, deps, { oidc: o.login });
  registerVexRoutes(app, deps, { trustedRoot: o.trustedRoot });
  registerProvenanceRoutes(app, deps, { trustedRoot: o.trustedRoot });
  registerPolicyRoutes(app, deps);
  registerAdmissionDecisionRoutes(app, deps, { reconcile: o.admissionRecords?.reconcile });
  if (o.admissionRecords?.slo) metrics.admission.slo = o.admissionRecords.slo;
  // Degraded admission decisions are re-verified periodically (one run per interval across
  // replicas when there is a job queue) wherever images can be checked.
  const reconcileDeps = o.admissionRecords?.reconcile;
  if (reconcileDeps && o.admissionRecords?.reconcileIntervalMs !== 0) {
    const interval = o.admissionRecords?.reconcileIntervalMs;
    const stopReconcile = await startAdmissionReconciliation(o.services, reconcileDeps, {
      ...(interval !== undefined ? { intervalMs: interval } : {}),
      onRun: (r) => metrics.admission.reconciled(r),
      onError: (err) => o.logger.error({ err }, 'admission reconciliation failed'),
    });
    app.addHook('onClose', async () => stopReconcile());
  }
  registerAdmissionGovernanceRoutes(app, deps, o.admissionGovernance);
  await registerKpiRoutes(app, deps, { slo: o.admissionRecords?.slo, ...o.kpi });
  registerEvidenceRoutes(app, deps, {
    ...o.evidence,
    trustedRoot: o.trustedRoot,
    ca: o.keyless?.ca,
  });
  registerTlogRoutes(app, deps, {
    requireToken: o.tlog?.requireToken ?? false,
    ratePerClient: o.tlog?.ratePerClient ?? 1000,
    // A DSSE envelope carries its whole payload (an SBOM attestation is as big as the SBOM),
    // while the leaf keeps only its hashes: appends take bodies as large as an SBOM push.
    maxEntryBodyBytes: o.tlog?.maxEntryBodyBytes ?? o.maxSbomBytes,
  });
  if (o.keyless) {
    registerFulcioRoutes(app, { ca: o.keyless.ca });
    registerEmergencyRoutes(app, { ...deps, ca: o.keyless.ca });
    if (o.keyless.devOidc) registerDevOidcRoutes(app, { devOidc: o.keyless.devOidc });
  }
  let triggers: TriggerRuntime | undefined;
  if (o.triggers) {
    const t = o.triggers;
    const log = o.logger;
    triggers = new TriggerRuntime(o.services, {
      engine: t.engine,
      jobs: o.services.jobs,
      metrics: metrics.triggers,
      webhookSecret: t.webhookSecret,
      ...(t.executors ? { executors: t.executors } : {}),
      ...(t.actionRetry ? { actionRetry: t.actionRetry } : {}),
      ...(t.notifyRetry ? { notifyRetry: t.notifyRetry } : {}),
      ...(t.alertSweepMs !== undefined ? { alertSweepMs: t.alertSweepMs } : {}),
      log: (level, msg, fields) => log[level](fields, msg),
    });
    const rt = triggers;
    app.addHook('onClose', async () => rt.stop());
    metrics.overdueActions = t.overdue ?? (() => overdueActionCount(o.services));
    registerEventRoutes(app, deps, triggers);
    if (t.workers !== false) await triggers.startWorkers();
    if (t.eventsDir !== undefined) {
      const poller = startEventPoller(triggers, t.eventsDir, {
        intervalMs: t.pollIntervalMs ?? 2000,
        onError: (err) => log.error({ err, dir: t.eventsDir }, 'event poll failed'),
      });
      app.addHook('onClose', () => poller.stop());
    }
  }
  // Vulnerability matching (after SBOM ingest, after advisory ingest) runs on the job queue;
  // findings it opens become `cve-published` events for their teams when triggers run.
  if (o.services.jobs) {
    const rt = triggers;
    const stopSweep = await startVulnMatching(
      o.services,
      rt ? { onOpened: (groups) => reportOpenedFindings(rt, groups) } : {},
    );
    app.addHook('onClose', async () => stopSweep());
  }
  const trustedRoot = o.trustedRoot ?? logTrustedRoot(o.services);
  if (trustedRoot)
    app.get(
      '/api/v1/trusted-root',
      {
        config: { public: true },
        schema: {
          summary:
            "The Sigstore trusted root: this service's log, and its CA when keyless signing is on (verify offline with it; `custody trust fetch` saves it)",
          tags: ['keyless'],
        },
      },
      async () => trustedRoot(),
    );
  if (o.admission) await registerAdmissionWebhook(app, o.admission);
  registerDashboardRoutes(app, deps);
  webFallback = registerWebAssets(app, o.webDir !== undefined ? { dir: o.webDir } : {});
  await app.ready();
  return { app, metrics, auth, ...(triggers ? { triggers } : {}) };
}

function bearer(req: FastifyRequest): string {
  const h = req.headers.authorization;
  const m = h === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m) {
    throw new AccessError(
      'AUTH_TOKEN_MISSING',
      'This endpoint needs a token: send Authorization: Bearer <token> (custody token create makes one)',
    );
  }
  return m[1] as string;
}

export type RouteDeps = {
  services: Services;
  metrics: Metrics;
  auth: TokenAuthenticator;
  maxSbomBytes: number;
};

// A body follows when it has a length or is chunked (RFC 9112 §6.3).
function hasBody(req: FastifyRequest): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/**
 * The body as it arrives, failing with REQUEST_TIMEOUT (408) when it has not all arrived within
 * `ms`: a client that trickles a body cannot hold a connection open indefinitely.
 */
function withDeadline(payload: NodeJS.ReadableStream, ms: number): Transform {
  const pass = new Transform({
    transform(chunk, _enc, done) {
      done(null, chunk);
    },
  });
  const timer = setTimeout(() => {
    pass.destroy(
      new CustodyError(
        'REQUEST_TIMEOUT',
        `The request body did not arrive within ${Math.round(ms / 1000)} s; send it faster or in smaller parts`,
      ),
    );
    payload.unpipe(pass);
  }, ms);
  const stop = () => clearTimeout(timer);
  pass.on('end', stop).on('close', stop).on('error', stop);
  payload.on('error', (e) => pass.destroy(e));
  return payload.pipe(pass);
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (headers over the size limit, a
 * request that timed out, malformed HTTP), answered in the coded form every other answer has.
 */
function answerClientError(this: FastifyInstance, err: Error & { code?: string }, socket: Socket) {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let status: number;
  let body: ErrorBody;
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    body = errorBody(
      'REQUEST_HEADERS_TOO_LARGE',
      'The request headers are over the size limit (16 KiB in all); send fewer or shorter headers',
    );
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    body = errorBody(
      'REQUEST_TIMEOUT',
      'The request did not arrive in time; send its headers and body without pauses',
    );
  } else {
    status = 400;
    body = errorBody('REQUEST_INVALID', 'The request is not well-formed HTTP/1.1');
  }
  this.log.info({ code: body.error.code, status, err: err.code }, 'request refused');
  if (socket.writable) {
    const text = JSON.stringify(body);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
    );
  }
  socket.destroy(err);
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  408: 'Request Timeout',
  431: 'Request Header Fields Too Large',
};

/** Fastify's own refusals before routing (a malformed URL, an over-long path parameter). */
function answerFrameworkError(err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  let status: number;
  let body: ErrorBody;
  if (err.code === 'FST_ERR_BAD_URL') {
    status = 400;
    body = errorBody(
      'REQUEST_URL_INVALID',
      'The URL is not well-formed (a bad percent-encoding?); encode it with encodeURIComponent',
    );
  } else if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    status = 414;
    body = errorBody(
      'REQUEST_URI_TOO_LONG',
      'A path parameter is longer than this service takes (100 characters); see /openapi.json',
    );
  } else {
    const mapped = fromFastifyError(err);
    status = mapped?.status ?? 400;
    body = mapped?.body ?? errorBody('REQUEST_INVALID', err.message);
  }
  req.log.info({ code: body.error.code, status }, 'request refused');
  void reply.code(status).send(body);
}

/**
 * One log line per request (on completion, with status and time) instead of Fastify's two: under
 * load the second line doubles the logging cost and adds nothing the first does not say.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  /**
   * Reads that succeed are logged at debug level (CUSTODY_LOG_LEVEL=debug shows them): at
   * thousands of searches a second the info line cost as much as Fastify's own routing, and the
   * Prometheus metrics count every request by route, status and time anyway. Writes, refusals and
   * failures stay at info and above.
   */
  override requestCompleted(
    error: Error | null | undefined,
    req: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (!error && reply.statusCode < 400 && (req.method === 'GET' || req.method === 'HEAD')) {
      reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
      return;
    }
    super.requestCompleted(error, req, reply);
  }
}
