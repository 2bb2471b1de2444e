import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Role } from '../../../src/access/index.js';
import type {
  ActionExecutor,
  RetryPolicy,
  TriggerEngine,
} from '../../../src/app/triggers/index.js';
import { createLogger } from '../../../src/log/logger.js';
import { buildServer } from '../../../src/server/app.js';
import { ensureTeam } from '../../../src/store/catalogue.js';
import type { TestServer } from '../../helpers/server.js';
import { tokenFor } from '../../helpers/server.js';
import { type Backend, freshServices } from '../../helpers/store.js';
import { TinyEngine } from './tiny-engine.js';

export interface TriggerServer extends TestServer {
  engine: TinyEngine;
  token(role: Role, teams?: readonly string[], person?: string): Promise<string>;
}

export interface TriggerServerOptions {
  executors?: Readonly<Record<string, ActionExecutor>>;
  eventsDir?: string;
  webhookSecret?: string;
  clock?: () => Date;
  retry?: RetryPolicy;
  /** Another engine than the tiny one (the service's own, seed 001's tables). */
  engine?: TriggerEngine;
  /** Open the transparency log (and the VEX-signing key): VEX publishing needs it. */
  tlog?: boolean;
}

/** A Custody server with trigger intake on the tiny engine, jobs on, teams `a` and `b`. */
export async function startTriggerServer(
  backend: Backend,
  o: TriggerServerOptions = {},
): Promise<TriggerServer> {
  const services = await freshServices(backend, o.clock, {
    ...(o.tlog ? {} : { tlog: false as const }),
    jobs: { pollMs: backend === 'sqlite' ? 50 : 500 },
  });
  for (const t of ['a', 'b']) await ensureTeam(services.db.kysely, t, '2026-12-01T00:00:00.000Z');
  const engine = new TinyEngine();
  const retry = o.retry ?? { limit: 1, delaySeconds: 0, backoff: false };
  const custody = await buildServer({
    services,
    logger: createLogger(process.env['CUSTODY_TEST_LOG'] ?? 'silent'),
    maxSbomBytes: 8 * 1024 * 1024,
    maxBodyBytes: 1024 * 1024,
    triggers: {
      engine: o.engine ?? engine,
      actionRetry: retry,
      notifyRetry: retry,
      pollIntervalMs: 100,
      ...(o.executors ? { executors: o.executors } : {}),
      ...(o.eventsDir ? { eventsDir: o.eventsDir } : {}),
      ...(o.webhookSecret ? { webhookSecret: o.webhookSecret } : {}),
    },
  });
  await custody.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = custody.app.server.address() as AddressInfo;
  return {
    services,
    custody,
    engine,
    base: `http://127.0.0.1:${port}`,
    token: (role, teams, person) => tokenFor(services, role, teams, person),
    async close() {
      await custody.app.close();
      await services.close();
    },
  };
}

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  /** The signature checked against the secret, as a receiver would. */
  signatureOk: boolean;
}

/**
 * A webhook receiver on loopback that checks each delivery's signature. `answer` picks the status
 * for the n-th delivery (0-based), so a test can make the first ones fail.
 */
export async function startReceiver(
  secret: string,
  answer: (n: number) => number = () => 204,
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const expected = `sha256=${createHmac('sha256', secret).update(raw).digest('hex')}`;
      received.push({
        headers: req.headers,
        body: raw.toString('utf8'),
        signatureOk: req.headers['x-custody-signature'] === expected,
      });
      res.statusCode = answer(n++);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
