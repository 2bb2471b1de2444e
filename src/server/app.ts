import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { AccessError, type Caller, type Permission, requirePermission } from '../access/index.js';
import type { CaService, DevOidcIssuer } from '../app/ca/index.js';
import type { Services } from '../app/services.js';
import { TokenAuthenticator } from '../app/tokens.js';
import type { Logger } from '../log/logger.js';
import { errorBody, fromFastifyError } from './errors.js';
import { Metrics } from './metrics.js';
import { OpenApiCollector } from './openapi.js';
import { registerAdminRoutes } from './routes/admin.js';
import { registerDevOidcRoutes } from './routes/dev-oidc.js';
import { registerEmergencyRoutes } from './routes/emergency.js';
import { registerFulcioRoutes } from './routes/fulcio.js';
import { registerInventoryRoutes } from './routes/inventory.js';
import { registerSbomBundleRoutes } from './routes/sbom-bundles.js';
import { registerSystemRoutes } from './routes/system.js';
import { registerTlogRoutes, type TlogRouteOptions } from './routes/tlog.js';

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
  /** Extra facts for /healthz. */
  health?: () => Record<string, unknown>;
  /** The transparency log's HTTP settings (the log itself is `services.tlog`). */
  tlog?: Partial<TlogRouteOptions>;
  /** Keyless signing: the certificate authority (Fulcio's API) and, for one machine, a dev issuer. */
  keyless?: {
    ca: CaService;
    devOidc?: DevOidcIssuer;
    /** The trusted root clients verify with (served at /api/v1/trusted-root). */
    trustedRoot?: () => unknown;
  };
}

export interface CustodyServer {
  app: FastifyInstance;
  metrics: Metrics;
  auth: TokenAuthenticator;
}

/**
 * The HTTP face: Fastify with a token check on every route but the public ones, coded errors, an
 * OpenAPI document built from the routes' own schemas, and Prometheus metrics.
 */
export async function buildServer(o: ServerOptions): Promise<CustodyServer> {
  const app: FastifyInstance = Fastify({
    logController: new OneLinePerRequest(),
    loggerInstance: o.logger as FastifyBaseLogger,
    bodyLimit: o.maxBodyBytes,
    trustProxy: false,
    return503OnClosing: true,
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: false } },
  });
  const auth = new TokenAuthenticator(o.services);
  const metrics = new Metrics(o.services);
  const openapi = new OpenApiCollector();
  app.addHook('onRoute', openapi.onRoute);

  app.decorateRequest('caller', null as unknown as Caller);
  app.addHook('onRequest', async (req) => {
    if (req.routeOptions.config.public || req.routeOptions.url === undefined) return;
    req.caller = { principal: await auth.authenticate(bearer(req)), source: req.ip };
    const requires = req.routeOptions.config.requires;
    if (requires !== undefined) requirePermission(req.caller.principal, requires);
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  app.setErrorHandler(async (err, req, reply) => {
    const mapped = fromFastifyError(err as Parameters<typeof fromFastifyError>[0]);
    if (mapped) {
      req.log.info({ code: mapped.body.error.code, status: mapped.status }, 'request refused');
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
  app.setNotFoundHandler(async (req, reply) =>
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
  registerSystemRoutes(app, { ...deps, openapi, health: o.health ?? (() => ({})) });
  registerInventoryRoutes(app, deps);
  registerSbomBundleRoutes(app, deps, { trustedRoot: o.keyless?.trustedRoot });
  registerAdminRoutes(app, deps);
  registerTlogRoutes(app, deps, {
    requireToken: o.tlog?.requireToken ?? false,
    ratePerClient: o.tlog?.ratePerClient ?? 1000,
    maxEntryBodyBytes: o.tlog?.maxEntryBodyBytes ?? o.maxBodyBytes,
  });
  if (o.keyless) {
    registerFulcioRoutes(app, { ca: o.keyless.ca });
    registerEmergencyRoutes(app, { ...deps, ca: o.keyless.ca });
    if (o.keyless.devOidc) registerDevOidcRoutes(app, { devOidc: o.keyless.devOidc });
    const trustedRoot = o.keyless.trustedRoot;
    if (trustedRoot)
      app.get(
        '/api/v1/trusted-root',
        {
          config: { public: true },
          schema: {
            summary:
              "The Sigstore trusted root: this service's CA and log (verify offline with it)",
            tags: ['keyless'],
          },
        },
        async () => trustedRoot(),
      );
  }
  await app.ready();
  return { app, metrics, auth };
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

/**
 * One log line per request (on completion, with status and time) instead of Fastify's two: under
 * load the second line doubles the logging cost and adds nothing the first does not say.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}
}
