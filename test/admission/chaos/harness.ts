import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** What a gate does to a class of requests: forward, reset the connection, or answer late. */
export type GateState = 'up' | 'down' | 'slow';

/**
 * A loopback HTTP forwarder in front of a real upstream (docker-registry, the Custody server)
 * whose request classes can each be made unavailable (the connection is reset, as a dead peer
 * or a partition looks to a client) or slow (every answer held back `slowMs` before it is even
 * asked of the upstream), and counts what reached it per class.
 */
export interface Gate {
  /** `127.0.0.1:<port>` */
  host: string;
  url: string;
  set(cls: string, state: GateState): void;
  /** Every class at once (a partition, or healed). */
  all(state: GateState): void;
  /** Requests that reached the gate per class (`writes:<class>` counts PUT/POST/PATCH/DELETE). */
  seen(cls: string): number;
  stop(): Promise<void>;
}

export async function startGate(
  target: string,
  o: { classify?: (path: string) => string; slowMs?: number } = {},
): Promise<Gate> {
  const url = new URL(target);
  const classify = o.classify ?? (() => 'all');
  const slowMs = o.slowMs ?? 2_000;
  const states = new Map<string, GateState>();
  const counts = new Map<string, number>();
  let fallback: GateState = 'up';
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);

  const server: Server = createServer((req, res) => {
    const cls = classify(req.url ?? '/');
    bump(cls);
    if (req.method !== 'GET' && req.method !== 'HEAD') bump(`writes:${cls}`);
    const state = states.get(cls) ?? fallback;
    if (state === 'down') {
      req.socket.destroy();
      return;
    }
    const forward = () => {
      if (res.destroyed || req.socket.destroyed) return;
      const up = httpRequest(
        {
          host: url.hostname,
          port: Number(url.port),
          method: req.method,
          path: req.url,
          // The Host header kept: docker-registry builds upload locations from it.
          headers: req.headers,
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    };
    if (state === 'slow') {
      // Held before the upstream is asked: the body waits in the socket meanwhile.
      req.pause();
      const t = setTimeout(() => {
        timers.delete(t);
        req.resume();
        forward();
      }, slowMs);
      timers.add(t);
      return;
    }
    forward();
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  const dropAll = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    host,
    url: `http://${host}`,
    set(cls, state) {
      states.set(cls, state);
      if (state === 'down') dropAll();
    },
    all(state) {
      states.clear();
      fallback = state;
      if (state === 'down') dropAll();
    },
    seen: (cls) => counts.get(cls) ?? 0,
    async stop() {
      for (const t of timers) clearTimeout(t);
      dropAll();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** The Custody server's request classes: the CA, the OIDC provider, the log, the rest. */
export function custodyClass(path: string): 'ca' | 'oidc' | 'log' | 'api' {
  if (path.startsWith('/dev-oidc')) return 'oidc';
  if (path.startsWith('/api/v2/')) return 'ca';
  if (
    path.startsWith('/api/v1/log/') ||
    path.startsWith('/tlog/') ||
    path.startsWith('/api/v1/tlog')
  )
    return 'log';
  return 'api';
}
