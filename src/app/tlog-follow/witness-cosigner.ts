import { createHash, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { dirname, resolve as resolvePath } from 'node:path';
import { CoreError } from '../../core/index.js';
import {
  readWitnessKey,
  readWitnessState,
  readWitnessText,
  type WitnessStateFile,
  writeNewWitnessKey,
  writeWitnessState,
} from '../../fs/witness-files.js';
import {
  type AddCheckpointRequest,
  addCheckpoint,
  cosignatureSigner,
  cosignatureVerifier,
  decodeBase64,
  encodeBase64,
  formatCosignatureVerifierKey,
  formatNote,
  parseAddCheckpoint,
  parseNote,
  parseVerifierKey,
  type WitnessedLog,
  type WitnessState,
} from '../../tlog/index.js';

/**
 * A C2SP tlog-witness (v1.0.0): cosign checkpoints of the configured logs with an Ed25519
 * tlog-cosignature/v1 key, and keep the latest cosigned checkpoint per log for monitors. The
 * decision is `addCheckpoint` (src/tlog/witness.ts); this file adds the state and the config; its
 * HTTP face is src/server/witness-server.ts.
 */

/** `custody witness serve --config`: the witness's name and the logs it follows. */
export interface WitnessConfig {
  /** The cosigner's key name, e.g. `witness.example/w1`. */
  name: string;
  /** State file (default `witness-state.json` next to the config). */
  state?: string;
  logs: { origin: string; vkeys: string[] }[];
}

export interface WitnessOptions {
  name: string;
  key: KeyObject;
  logs: readonly WitnessedLog[];
  statePath: string;
  /** POSIX seconds, stamped into cosignatures. */
  now: () => number;
  /** One structured event per request (the CLI writes them as JSON lines on stderr). */
  onEvent?: (event: Record<string, unknown>) => void;
}

/** What to answer a request: status, plain-text body and any headers beyond the content type. */
export interface WitnessReply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

export interface Witness {
  /** The vkey clients verify this witness's cosignatures with. */
  readonly vkey: string;
  /** `POST /add-checkpoint`: decide, persist, and answer. */
  addCheckpoint(body: string): WitnessReply;
  /** `GET /<hex sha256(origin)>/checkpoint`: the latest cosigned note, if any. */
  cosignedCheckpoint(originHash: string): string | undefined;
  /** Report an event (an internal error of the HTTP face, too). */
  emit(event: Record<string, unknown>): void;
}

/**
 * Open the witness. Every request is decided and persisted synchronously, between two awaits of
 * nothing: Node runs one at a time, so the read of the latest size, the check and the write are
 * atomic per the spec's race (a request for N cannot roll back a concurrent one for N+K).
 * @throws TlogError TLOG_KEY_INVALID for a bad name or key, TLOG_ARCHIVE_INVALID for a bad state file
 */
export function createWitness(o: WitnessOptions): Witness {
  const cosigner = cosignatureSigner(o.name, o.key, o.now);
  const vkey = formatCosignatureVerifierKey(o.name, o.key);
  const logs = new Map(o.logs.map((l) => [l.origin, l]));
  const byHash = new Map(o.logs.map((l) => [sha256Hex(l.origin), l.origin]));
  let state: WitnessStateFile = readWitnessState(o.statePath);
  const emit = o.onEvent ?? (() => {});

  const add = (body: string): WitnessReply => {
    let req: AddCheckpointRequest;
    try {
      req = parseAddCheckpoint(body);
    } catch (e) {
      emit({ event: 'witness.refused', status: 400, message: (e as Error).message });
      return { status: 400, body: `${(e as Error).message}\n` };
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
      if (outcome.status === 409)
        return {
          status: 409,
          body: `${outcome.size ?? 0}\n`,
          headers: { 'content-type': 'text/x.tlog.size' },
        };
      return { status: outcome.status, body: `${outcome.message}\n` };
    }
    const next: WitnessStateFile = {
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
    writeWitnessState(o.statePath, next);
    state = next;
    emit({ event: 'witness.cosigned', origin, oldSize: req.oldSize, size: outcome.state.size });
    return { status: 200, body: outcome.body };
  };

  return {
    vkey,
    addCheckpoint: add,
    cosignedCheckpoint(originHash) {
      const origin = byHash.get(originHash);
      return origin === undefined ? undefined : state.logs[origin]?.note;
    },
    emit,
  };
}

/**
 * `custody witness serve`: the config at `configPath` and where the state lives (`stateOverride`,
 * else the config's `state` beside it, else `witness-state.json` beside it).
 * @throws CoreError FILE_NOT_FOUND, USAGE
 */
export function readWitnessConfig(
  configPath: string,
  stateOverride?: string,
): { config: WitnessConfig; logs: WitnessedLog[]; statePath: string } {
  const { config, logs } = parseWitnessConfig(readWitnessText(configPath));
  const statePath =
    stateOverride ?? resolvePath(dirname(configPath), config.state ?? 'witness-state.json');
  return { config, logs, statePath };
}

/** Open the witness of a config with the key at `keyPath`. */
export function openWitness(o: Omit<WitnessOptions, 'key'> & { keyPath: string }): Witness {
  const { keyPath, ...rest } = o;
  return createWitness({ ...rest, key: readWitnessKey(keyPath) });
}

/** `custody witness key generate`: write a new key to `path` and answer its vkey. */
export function generateWitnessKeyFile(name: string, path: string, shownAs: string): string {
  let vkey = '';
  writeNewWitnessKey(path, shownAs, () => {
    const made = generateWitnessKey(name);
    vkey = made.vkey;
    return made.privateKeyPem;
  });
  return vkey;
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

function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
