import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import {
  backoffDelay,
  CircuitBreakers,
  HttpClient,
  NetError,
  parseRetryAfter,
} from '../../src/net/http.js';
import { expectCustodyErrorAsync } from '../helpers/expect-error.js';

// Real loopback servers: each answers with the handler of its n-th request.
type Handler = (req: IncomingMessage, res: ServerResponse) => void;
const servers: Server[] = [];
async function serve(...handlers: Handler[]): Promise<{ url: string; hits: () => number }> {
  let n = 0;
  const server = createServer((req, res) => {
    const h = handlers[Math.min(n, handlers.length - 1)] as Handler;
    n++;
    h(req, res);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/x`, hits: () => n };
}
after(() => {
  for (const s of servers) s.closeAllConnections?.();
  for (const s of servers) s.close();
});

const status =
  (code: number, headers: Record<string, string> = {}): Handler =>
  (_req, res) => {
    res.writeHead(code, headers);
    res.end(String(code));
  };
const ok = status(200);
const hang: Handler = () => {};
const drop: Handler = (req) => req.socket.destroy();

function client(o: ConstructorParameters<typeof HttpClient>[0] = {}) {
  const sleeps: number[] = [];
  const http = new HttpClient({
    backoffMs: 100,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    ...o,
  });
  return { http, sleeps };
}

describe('HttpClient', () => {
  it('times out an attempt that gets no answer: NET_TIMEOUT after the retries', async () => {
    const s = await serve(hang);
    const { http, sleeps } = client({ timeoutMs: 100, retries: 1 });
    const e = await expectCustodyErrorAsync(() => http.request(s.url), NetError, 'NET_TIMEOUT');
    assert.equal(e.details?.['attempts'], 2);
    assert.equal(s.hits(), 2);
    assert.equal(sleeps.length, 1);
  });

  it('retries transient failures (503, 502, a dropped connection) and returns the answer', async () => {
    const s = await serve(status(503), status(502), drop, ok);
    const { http, sleeps } = client({ retries: 4 });
    const r = await http.request(s.url);
    assert.equal(r.response.status, 200);
    assert.equal(await r.response.text(), '200');
    assert.equal(r.attempts, 4);
    assert.equal(sleeps.length, 3);
  });

  it('backs off exponentially with jitter in [½, 1], capped', () => {
    assert.equal(
      backoffDelay(1, 100, 10_000, () => 1),
      100,
    );
    assert.equal(
      backoffDelay(3, 100, 10_000, () => 1),
      400,
    );
    assert.equal(
      backoffDelay(3, 100, 10_000, () => 0),
      200,
    );
    assert.equal(
      backoffDelay(20, 100, 10_000, () => 1),
      10_000,
    );
  });

  it('does not retry a 4xx answer, nor a request that is not idempotent', async () => {
    const s = await serve(status(404), ok);
    const { http } = client();
    const r = await http.request(s.url);
    assert.equal(r.response.status, 404);
    assert.equal(r.attempts, 1);
    assert.equal(s.hits(), 1);

    const p = await serve(status(503), ok);
    const post = await client().http.request(p.url, { method: 'POST', body: '{}' });
    assert.equal(post.response.status, 503);
    assert.equal(p.hits(), 1);
    const again = await client().http.request(p.url, {
      method: 'POST',
      body: '{}',
      idempotent: true,
    });
    assert.equal(again.response.status, 200);
  });

  it('honours Retry-After on 429 (seconds, capped by the longest backoff)', async () => {
    const s = await serve(
      status(429, { 'retry-after': '2' }),
      status(429, { 'retry-after': '60' }),
      ok,
    );
    const { http, sleeps } = client({ maxBackoffMs: 5000 });
    const r = await http.request(s.url);
    assert.equal(r.response.status, 200);
    assert.deepEqual(sleeps, [2000, 5000]);
    assert.equal(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
      10_000,
    );
    assert.equal(parseRetryAfter('soon'), undefined);
  });

  it('returns the last retryable answer once the retries are spent', async () => {
    const s = await serve(status(503));
    const { http } = client({ retries: 2 });
    const r = await http.request(s.url);
    assert.equal(r.response.status, 503);
    assert.equal(r.attempts, 3);
  });

  it('an unreachable origin is NET_UNREACHABLE with fetch’s error as the cause', async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((r) => closed.close(() => r()));
    const { http } = client({ retries: 0 });
    const e = await expectCustodyErrorAsync(
      () => http.request(`http://127.0.0.1:${port}/`),
      NetError,
      'NET_UNREACHABLE',
    );
    assert.ok(e.cause instanceof Error);
    assert.match(e.message, /ECONNREFUSED/);
  });
});

describe('circuit breaker', () => {
  it('opens after N consecutive failures, refuses during the cool-down, then half-opens for one trial', async () => {
    let now = 0;
    const s = await serve(status(503), status(503), status(503), ok, ok);
    const { http } = client({
      retries: 0,
      breaker: { failureThreshold: 3, coolDownMs: 1000 },
      now: () => now,
    });
    const origin = new URL(s.url).origin;
    for (let i = 0; i < 3; i++) assert.equal((await http.request(s.url)).response.status, 503);
    assert.equal(http.breakers?.state(origin), 'open');
    const e = await expectCustodyErrorAsync(
      () => http.request(s.url),
      NetError,
      'NET_CIRCUIT_OPEN',
    );
    assert.equal(e.details?.['attempts'], 0);
    assert.equal(s.hits(), 3, 'an open circuit sends nothing');

    now = 1000;
    assert.equal(http.breakers?.state(origin), 'half-open');
    assert.equal((await http.request(s.url)).response.status, 200);
    assert.equal(http.breakers?.state(origin), 'closed');
    assert.equal((await http.request(s.url)).response.status, 200);
  });

  it('a failed trial opens the circuit again; other origins are not affected', async () => {
    let now = 0;
    const b = new CircuitBreakers({ failureThreshold: 2, coolDownMs: 100 }, () => now);
    b.failed('a');
    assert.equal(b.allow('a'), true);
    b.failed('a');
    assert.equal(b.allow('a'), false);
    assert.equal(b.allow('b'), true);
    now = 100;
    assert.equal(b.allow('a'), true, 'the trial');
    assert.equal(b.allow('a'), false, 'one trial at a time');
    b.failed('a');
    assert.equal(b.state('a'), 'open');
    now = 150;
    assert.equal(b.allow('a'), false);
    now = 200;
    assert.equal(b.allow('a'), true);
    b.succeeded('a');
    assert.equal(b.state('a'), 'closed');
  });

  it('4xx answers are the origin working: they close, never open, the circuit', async () => {
    const s = await serve(status(400));
    const { http } = client({ retries: 0, breaker: { failureThreshold: 1 } });
    for (let i = 0; i < 3; i++) assert.equal((await http.request(s.url)).response.status, 400);
    assert.equal(http.breakers?.state(new URL(s.url).origin), 'closed');
  });
});
