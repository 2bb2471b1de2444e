import type { TransparencyLogEntry } from '@sigstore/bundle';
import {
  leafHash,
  parseCheckpoint,
  parseNote,
  rootFromInclusionProof,
  setPayload,
} from '../../tlog/index.js';
import { SignError } from '../errors.js';
import { inTimeRange, type TransparencyLogInstance } from '../trusted-root.js';
import { bytesEqual, verifyData } from './crypto.js';
import { logIdKey, type TrustMaterial } from './material.js';

/** What a verified log entry contributes. */
export interface VerifiedEntry {
  log: TransparencyLogInstance;
  /** Rekor v1's integrated time, when a signed entry timestamp vouches for it. */
  integratedTime: Date | undefined;
  logIndex: number;
}

/**
 * Inclusion of one entry, proven from the bundle alone (README steps 5): the signed entry
 * timestamp over canonical JSON {body, integratedTime, logID, logIndex}, and/or the checkpoint
 * signed by the log plus the RFC 6962 inclusion proof (shard-local index) leading to its root.
 * Rekor v1 and v2 alike: the log is found by the entry's log ID, the checkpoint signature by its
 * key hint (the first four bytes of the log ID, which both versions use).
 * @throws SignError SIGN_TLOG_INVALID
 */
export function verifyTlogInclusion(m: TrustMaterial, entry: TransparencyLogEntry): VerifiedEntry {
  const logIndex = uint(entry.logIndex, 'log index');
  const logs = m.tlogsById.get(logIdKey(entry.logId.keyId)) ?? [];
  if (logs.length === 0) {
    throw invalid(`the entry's log (${logIdKey(entry.logId.keyId)}) is not in the trusted root`);
  }
  if (entry.inclusionPromise === undefined && entry.inclusionProof === undefined) {
    throw invalid('the entry has neither a signed entry timestamp nor an inclusion proof');
  }
  let integratedTime: Date | undefined;
  let log = logs[0] as TransparencyLogInstance;
  if (entry.inclusionPromise !== undefined) {
    const seconds = uint(entry.integratedTime, 'integrated time');
    const time = new Date(seconds * 1000);
    const payload = setPayload({
      body: entry.canonicalizedBody,
      integratedTime: seconds,
      logID: entry.logId.keyId,
      logIndex,
    });
    const signer = logs.find(
      (l) =>
        inTimeRange(l.validFor, time) &&
        verifyData(
          l.publicKey,
          payload,
          entry.inclusionPromise?.signedEntryTimestamp ?? new Uint8Array(),
        ),
    );
    if (signer === undefined) {
      throw invalid('the signed entry timestamp does not verify under a log key valid at its time');
    }
    integratedTime = time;
    log = signer;
  }
  if (entry.inclusionProof !== undefined) {
    log = verifyInclusionProof(m, entry, logs);
  }
  return { log, integratedTime, logIndex };
}

function verifyInclusionProof(
  m: TrustMaterial,
  entry: TransparencyLogEntry,
  logs: TransparencyLogInstance[],
): TransparencyLogInstance {
  const proof = entry.inclusionProof;
  if (proof === undefined) throw invalid('no inclusion proof');
  const index = uint(proof.logIndex, 'inclusion proof index');
  const size = uint(proof.treeSize, 'tree size');
  let root: Uint8Array;
  try {
    root = rootFromInclusionProof(index, size, leafHash(entry.canonicalizedBody), proof.hashes);
  } catch (e) {
    throw invalid(`the inclusion proof does not verify: ${(e as Error).message}`, e);
  }
  if (!bytesEqual(root, proof.rootHash)) {
    throw invalid('the inclusion proof does not lead to the root hash it claims');
  }
  const envelope = proof.checkpoint?.envelope ?? '';
  const cp = openCheckpoint(m, envelope, logs);
  if (cp.size !== size || !bytesEqual(cp.rootHash, root)) {
    throw invalid('the checkpoint is for another tree than the inclusion proof');
  }
  return cp.log;
}

interface OpenedCheckpoint {
  size: number;
  rootHash: Uint8Array;
  log: TransparencyLogInstance;
}

// Bundles logged around the same time carry the same checkpoint: its signature is checked once.
function openCheckpoint(
  m: TrustMaterial,
  envelope: string,
  logs: TransparencyLogInstance[],
): OpenedCheckpoint {
  const key = `${logIdKey(logs[0]?.logId ?? new Uint8Array())}\n${envelope}`;
  const cached = m.checkpoints.get(key) as OpenedCheckpoint | SignError | undefined;
  if (cached instanceof SignError) throw cached;
  if (cached !== undefined) return cached;
  try {
    const opened = openCheckpointUncached(envelope, logs);
    m.checkpoints.set(key, opened);
    return opened;
  } catch (e) {
    if (e instanceof SignError) m.checkpoints.set(key, e);
    throw e;
  }
}

function openCheckpointUncached(
  envelope: string,
  logs: TransparencyLogInstance[],
): OpenedCheckpoint {
  let note: ReturnType<typeof parseNote>;
  let cp: ReturnType<typeof parseCheckpoint>;
  try {
    note = parseNote(envelope);
    cp = parseCheckpoint(note.text);
  } catch (e) {
    throw invalid(`the checkpoint is malformed: ${(e as Error).message}`, e);
  }
  const text = Buffer.from(note.text, 'utf8');
  // Witness cosignatures and other lines are ignored; one line must be the log's own.
  for (const sig of note.signatures) {
    for (const log of logs) {
      if (log.logId.length < 4 || sig.keyId !== Buffer.from(log.logId).readUInt32BE(0)) continue;
      if (verifyData(log.publicKey, text, sig.signature)) {
        return { size: cp.size, rootHash: cp.rootHash, log };
      }
    }
  }
  throw invalid('the checkpoint carries no valid signature of the log');
}

function uint(v: string | undefined, what: string): number {
  if (v === undefined || !/^(0|[1-9][0-9]*)$/.test(v) || !Number.isSafeInteger(Number(v))) {
    throw invalid(`the entry's ${what} ${JSON.stringify(v)} is not a non-negative integer`);
  }
  return Number(v);
}

function invalid(message: string, cause?: unknown): SignError {
  return new SignError('SIGN_TLOG_INVALID', `Transparency log: ${message}.`, { cause });
}
