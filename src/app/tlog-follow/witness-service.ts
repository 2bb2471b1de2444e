import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreError } from '../../core/index.js';
import {
  cosignatureSigner,
  cosignatureVerifier,
  formatCosignatureVerifierKey,
} from '../../tlog/cosignature.js';
import { TlogError } from '../../tlog/errors.js';
import {
  decodeBase64,
  encodeBase64,
  formatNote,
  parseNote,
  parseVerifierKey,
} from '../../tlog/note.js';
import {
  type AddCheckpointRequest,
  addCheckpoint,
  parseAddCheckpoint,
  type WitnessedLog,
  type WitnessState,
} from '../../tlog/witness.js';
import { writeFileAtomic } from './files.js';

/**
 * A C2SP tlog-witness (v1.0.0) over node:http: `POST /add-checkpoint` cosigns checkpoints of the
 * configured logs with an Ed25519 tlog-cosignature/v1 key, and `GET /<hex sha256(origin)>/checkpoint`
 * serves the latest cosigned checkpoint (the monitoring API). The decision is `addCheckpoint`
 * (src/tlog/witness.ts); this file adds the state file and HTTP.
 */

/** `custody witness serve --config`: the witness's name and the logs it follows. */
export interface WitnessConfig {
  /** The cosigner's key name, e.g. `witness.example/w1`. */
  name: string;
  /** State file (default `witness-state.json` next to the config). */
  state?: string;
  logs: { origin: string; vkeys: string[] }[];
}

export interface WitnessServiceOptions {
  name: string;
  key: KeyObject;
  logs: readonly WitnessedLog[];
  statePath: string;
  /** POSIX seconds, stamped into cosignatures. */
  now: () => number;
  /** Largest request body accepted. Default 1 MiB. */
  maxBodyBytes?: number;
  /** One structured event per request (the CLI writes them as JSON lines on stderr). */
  onEvent?: (event: Record<string, unknown>) => void;
}

/** Per origin: the latest cosigned checkpoint, and the note served to monitors. */
interface StoredLog {
  size: number;
  rootHash: string;
  note: string;
  updatedAt: number;
}

interface StateFile {
  logs: Record<string, StoredLog>;
}

export interface WitnessService {
  readonly server: Server;
  /** The vkey clients verify this witness's cosignatures with. */
  readonly vkey: string;
  listen(host: string, port: number): Promise<AddressInfo>;
  close(): Promise<void>;
}

/**
 * Build the witness. Every request is decided and persisted synchronously, between two awaits of
 * nothing: Node runs one at a time, so the read of the latest size, the check and the write are
 * atomic per the spec's race (a request for N cannot roll back a concurrent one for N+K).
 * @throws TlogError TLOG_KEY_INVALID for a bad name or key, TLOG_ARCHIVE_INVALID for a bad state file
 */
export function createWitnessService(o: WitnessServiceOptions): WitnessService {
  const cosigner = cosignatureSigner(o.name, o.key, o.now);
  const vkey = formatCosignatureVerifierKey(o.name, o.key);
  const logs = new Map(o.logs.map((l) => [l.origin, l]));
  const byHash = new Map(o.logs.map((l) => [sha256Hex(l.origin), l.origin]));
  let state = readState(o.statePath);
  const emit = o.onEvent ?? (() => {});

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://witness');
    if (url.pathname === '/add-checkpoint') {
      if (req.method !== 'POST') return reply(res, 405, 'use POST\n', { allow: 'POST' });
      const body = await readBody(req, o.maxBodyBytes ?? 1 << 20);
      if (body === undefined) return reply(res, 413, 'request body too large\n');
      return addOne(body, res);
    }
    const m = /^\/([0-9a-f]{64})\/checkpoint$/.exec(url.pathname);
    if (m !== null && (req.method === 'GET' || req.method === 'HEAD')) {
      const origin = byHash.get(m[1] as string);
      const stored = origin === undefined ? undefined : state.logs[origin];
      if (stored === undefined) return reply(res, 404, 'no checkpoint cosigned for that log\n');
      return reply(res, 200, stored.note, { 'cache-control': 'no-cache' });
    }
    return reply(res, 404, 'not found\n');
  };

  const addOne = (body: string, res: ServerResponse): void => {
    let req: AddCheckpointRequest;
    try {
      req = parseAddCheckpoint(body);
    } catch (e) {
      emit({ event: 'witness.refused', status: 400, message: (e as Error).message });
      reply(res, 400, `${(e as Error).message}\n`);
      return;
    }
    const origin = req.checkpoint.slice(0, Math.max(0, req.checkpoint.indexOf('\n')));
    const log = logs.get(origin);
    const stored = log === undefined ? undefined : state.logs[origin];
    const latest: WitnessState | undefined =
      stored === undefined
        ? undefined
        : { size: stored.size, rootHash: decodeBase64(stored.rootHash) as Uint8Array };
    const outcome = addCheckpoint(req, log, latest, cosigner);
    if (outcome.status !== 200) {
      // Refusals of a validly signed checkpoint may be evidence of misbehaviour: log the note.
      emit({
        event: 'witness.refused',
        status: outcome.status,
        origin,
        oldSize: req.oldSize,
        message: outcome.message,
        ...(outcome.status === 422 ? { checkpoint: req.checkpoint } : {}),
      });
      if (outcome.status === 409) {
        reply(res, 409, `${outcome.size ?? 0}\n`, { 'content-type': 'text/x.tlog.size' });
        return;
      }
      reply(res, outcome.status, `${outcome.message}\n`);
      return;
    }
    const next: StateFile = {
      logs: {
        ...state.logs,
        [origin]: {
          size: outcome.state.size,
          rootHash: encodeBase64(outcome.state.rootHash),
          note: monitoringNote(req.checkpoint, log as WitnessedLog, outcome.body),
          updatedAt: o.now(),
        },
      },
    };
    // Persist before answering: a cosignature must never be given for a state a crash could lose.
    writeFileAtomic(o.statePath, `${JSON.stringify(next, null, 2)}\n`);
    state = next;
    emit({ event: 'witness.cosigned', origin, oldSize: req.oldSize, size: outcome.state.size });
    reply(res, 200, outcome.body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      emit({ event: 'witness.error', message: (e as Error)?.message ?? String(e) });
      if (!res.headersSent) reply(res, 500, 'internal error\n');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;

  return {
    server,
    vkey,
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

/**
 * Parse and check a witness configuration, reporting every problem at once.
 * @throws CoreError USAGE listing the problems
 */
export function parseWitnessConfig(text: string): { config: WitnessConfig; logs: WitnessedLog[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CoreError('USAGE', `the witness config is not JSON: ${(e as Error).message}`);
  }
  const problems: string[] = [];
  const c = raw as Partial<WitnessConfig>;
  if (typeof c !== 'object' || c === null)
    throw new CoreError('USAGE', 'the witness config is not an object');
  if (typeof c.name !== 'string' || c.name === '')
    problems.push('name: the witness key name is required');
  if (c.state !== undefined && typeof c.state !== 'string') problems.push('state: must be a path');
  if (!Array.isArray(c.logs) || c.logs.length === 0)
    problems.push('logs: at least one log is required');
  const logs: WitnessedLog[] = [];
  const seen = new Set<string>();
  for (const [i, l] of (Array.isArray(c.logs) ? c.logs : []).entries()) {
    if (typeof l?.origin !== 'string' || l.origin === '' || l.origin.includes('\n')) {
      problems.push(`logs[${i}].origin: a non-empty origin line is required`);
      continue;
    }
    if (seen.has(l.origin)) problems.push(`logs[${i}].origin: ${l.origin} is listed twice`);
    seen.add(l.origin);
    if (!Array.isArray(l.vkeys) || l.vkeys.length === 0) {
      problems.push(`logs[${i}].vkeys: at least one vkey is required`);
      continue;
    }
    const verifiers = [];
    for (const [j, v] of l.vkeys.entries()) {
      try {
        verifiers.push(parseVerifierKey(String(v)));
      } catch (e) {
        problems.push(`logs[${i}].vkeys[${j}]: ${(e as Error).message}`);
      }
    }
    logs.push({ origin: l.origin, verifiers });
  }
  if (problems.length > 0) {
    throw new CoreError('USAGE', `the witness config is invalid:\n  ${problems.join('\n  ')}`, {
      details: { problems },
    });
  }
  return { config: c as WitnessConfig, logs };
}

/** A new witness key: the PKCS#8 PEM to keep secret and the cosignature vkey to publish. */
export function generateWitnessKey(name: string): { privateKeyPem: string; vkey: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  // Checks the name before anything is written.
  cosignatureVerifier(name, privateKey);
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    vkey: formatCosignatureVerifierKey(name, privateKey),
  };
}

/** The note monitors get: the checkpoint text, the log's verified signatures, then ours. */
function monitoringNote(submitted: string, log: WitnessedLog, cosignatureLines: string): string {
  const parsed = parseNote(submitted);
  const logSignatures = parsed.signatures.filter((s) =>
    log.verifiers.some((v) => v.name === s.name && v.keyId === s.keyId),
  );
  return formatNote({ text: parsed.text, signatures: logSignatures }) + cosignatureLines;
}

function readState(path: string): StateFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { logs: {} };
    throw e;
  }
  try {
    const parsed = JSON.parse(text) as StateFile;
    if (typeof parsed?.logs !== 'object' || parsed.logs === null) throw new Error('no "logs"');
    for (const [origin, l] of Object.entries(parsed.logs)) {
      if (!Number.isSafeInteger(l.size) || decodeBase64(l.rootHash)?.length !== 32) {
        throw new Error(`bad entry for ${origin}`);
      }
    }
    return parsed;
  } catch (e) {
    throw new TlogError('TLOG_ARCHIVE_INVALID', `${path} is not a witness state file`, {
      cause: e,
    });
  }
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

function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
