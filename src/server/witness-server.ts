import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createWitness,
  type Witness,
  type WitnessOptions,
  type WitnessReply,
} from '../app/tlog-follow/witness-cosigner.js';

/**
 * A C2SP tlog-witness over node:http: `POST /add-checkpoint` and the monitoring API
 * `GET /<hex sha256(origin)>/checkpoint`. What to answer is decided by the witness
 * (src/app/tlog-follow/witness-cosigner.ts); this file only speaks HTTP.
 */

export interface WitnessServiceOptions extends WitnessOptions {
  /** Largest request body accepted. Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface WitnessService {
  readonly server: Server;
  /** The vkey clients verify this witness's cosignatures with. */
  readonly vkey: string;
  listen(host: string, port: number): Promise<AddressInfo>;
  close(): Promise<void>;
}

/**
 * Build the witness and its HTTP server (not yet listening).
 * @throws TlogError TLOG_KEY_INVALID for a bad name or key, TLOG_ARCHIVE_INVALID for a bad state file
 */
export function createWitnessService(o: WitnessServiceOptions): WitnessService {
  return serveWitness(createWitness(o), o.maxBodyBytes);
}

/** The HTTP server of an open witness. */
export function serveWitness(witness: Witness, maxBodyBytes = 1 << 20): WitnessService {
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://witness');
    if (url.pathname === '/add-checkpoint') {
      if (req.method !== 'POST') return reply(res, 405, 'use POST\n', { allow: 'POST' });
      const body = await readBody(req, maxBodyBytes);
      if (body === undefined) return reply(res, 413, 'request body too large\n');
      return send(res, witness.addCheckpoint(body));
    }
    const m = /^\/([0-9a-f]{64})\/checkpoint$/.exec(url.pathname);
    if (m !== null && (req.method === 'GET' || req.method === 'HEAD')) {
      const note = witness.cosignedCheckpoint(m[1] as string);
      if (note === undefined) return reply(res, 404, 'no checkpoint cosigned for that log\n');
      return reply(res, 200, note, { 'cache-control': 'no-cache' });
    }
    return reply(res, 404, 'not found\n');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      witness.emit({ event: 'witness.error', message: (e as Error)?.message ?? String(e) });
      if (!res.headersSent) reply(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;

  return {
    server,
    vkey: witness.vkey,
    listen: (host, port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}

function send(res: ServerResponse, r: WitnessReply): void {
  reply(res, r.status, r.body, r.headers);
}

async function readBody(req: IncomingMessage, max: number): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  // Drained to the end even when too large, so the 413 reaches the client on a live connection
  // (node's requestTimeout bounds a body that never ends).
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total <= max) chunks.push(chunk);
  }
  return total > max ? undefined : Buffer.concat(chunks).toString('utf8');
}

function reply(
  res: ServerResponse,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}
