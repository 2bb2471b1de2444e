import { createPublicKey } from 'node:crypto';
import type { EvidenceCheck } from '../api/index.js';
import { parseJson } from '../core/index.js';
import {
  decodeBase64,
  leafHash,
  type NoteVerifier,
  noteVerifierFor,
  openCheckpoint,
  openNote,
  parseVerifierKey,
  rootFromInclusionProof,
} from '../tlog/index.js';
import { fail, ok, reason } from './check.js';
import {
  type EvidenceIndex,
  type LogEntryFile,
  WITNESSES_PATH,
  type WitnessRef,
} from './layout.js';

interface LogKey {
  origin: string;
  verifier: NoteVerifier;
}

/**
 * Every log entry's leaf hash is its body's, its inclusion proof reaches the root of its
 * checkpoint, and the checkpoint is signed by a log of the trusted root (`rootBytes`), with the
 * witnesses' cosignatures that verify counted.
 */
export function checkLogEntries(
  files: ReadonlyMap<string, Uint8Array>,
  index: EvidenceIndex,
  rootBytes: Uint8Array | undefined,
): EvidenceCheck[] {
  const logs = logKeys(rootBytes);
  const witnesses = witnessVerifiers(files);
  return index.logEntries.map((ref) => {
    const name = `log entry ${ref.path}`;
    try {
      const e = readJson(files, ref.path) as LogEntryFile;
      const body = decodeBase64(e.body);
      if (body === undefined) throw new Error('its body is not base64');
      const leaf = leafHash(body);
      if (Buffer.from(leaf).toString('hex') !== e.leafHash)
        throw new Error("its leaf hash is not its body's (RFC 6962 §2.1)");
      const note = files.get(ref.checkpoint);
      if (note === undefined) throw new Error(`its checkpoint ${ref.checkpoint} is missing`);
      const text = new TextDecoder().decode(note);
      const origin = text.slice(0, text.indexOf('\n'));
      const log = logs.find((l) => l.origin === origin);
      if (log === undefined)
        throw new Error(
          `the trusted root has no log ${JSON.stringify(origin)} to check its checkpoint`,
        );
      // The log's own signature is required; witnesses' are counted, each on its own.
      const cp = openCheckpoint(text, origin, [log.verifier]).checkpoint;
      const proof = e.inclusionProof.hashes.map((h) => new Uint8Array(Buffer.from(h, 'hex')));
      const root = rootFromInclusionProof(e.index, cp.size, leaf, proof);
      if (!Buffer.from(root).equals(Buffer.from(cp.rootHash)))
        throw new Error(`its inclusion proof does not reach the root of checkpoint ${cp.size}`);
      const cosigned = witnesses.filter((w) => cosignedBy(text, w)).map((w) => w.name);
      const w =
        witnesses.length === 0
          ? 'the log has no witnesses configured'
          : `${cosigned.length} of ${witnesses.length} witnesses cosigned${cosigned.length ? ` (${cosigned.join(', ')})` : ''}`;
      return ok(
        name,
        `index ${e.index} included in ${origin} at size ${cp.size}; checkpoint signed by the log; ${w}`,
      );
    } catch (err) {
      return fail(
        name,
        reason(err),
        'the entry is not proven in the log: fetch a fresh proof (custody log proof <index>) and compare the checkpoint with the log and its witnesses',
      );
    }
  });
}

function logKeys(rootBytes: Uint8Array | undefined): LogKey[] {
  if (rootBytes === undefined) return [];
  try {
    const root = parseJson(rootBytes, 'trusted root', { maxBytes: rootBytes.length }) as {
      tlogs?: { baseUrl: string; publicKey: { rawBytes: string } }[];
    };
    return (root.tlogs ?? []).flatMap((t) => {
      try {
        const origin = t.baseUrl.replace(/^https?:\/\//, '');
        const key = createPublicKey({
          key: Buffer.from(t.publicKey.rawBytes, 'base64'),
          format: 'der',
          type: 'spki',
        });
        return [{ origin, verifier: noteVerifierFor(origin, key) }];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

function witnessVerifiers(files: ReadonlyMap<string, Uint8Array>): NoteVerifier[] {
  try {
    const list = readJson(files, WITNESSES_PATH) as WitnessRef[];
    return list.flatMap((w) => {
      try {
        return [parseVerifierKey(w.vkey)];
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}

function readJson(files: ReadonlyMap<string, Uint8Array>, path: string): unknown {
  const b = files.get(path);
  if (b === undefined) throw new Error(`${path} is missing`);
  return parseJson(b, path, { maxBytes: b.length });
}

function cosignedBy(note: string, witness: NoteVerifier): boolean {
  try {
    openNote(note, [witness]);
    return true;
  } catch {
    return false;
  }
}
