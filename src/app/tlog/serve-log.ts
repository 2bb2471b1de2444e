import { parseTilePath, TlogError } from '../../tlog/index.js';
import type { EntryView, LogFace } from './service.js';
import { parseLeafHash } from './service.js';

/**
 * The log's reads as its HTTP face serves them: C2SP tiles and Custody's own API. Each first
 * catches up with what other replicas sequenced (cheap when nothing changed), as the routes did.
 */

const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64');
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function entryNotFound(what: string): TlogError {
  return new TlogError('TLOG_ENTRY_NOT_FOUND', `${what} is not in the log.`);
}

/** The refusal of an append over a client's rate. */
export function appendRateLimited(client: string, retryAfter: number): TlogError {
  return new TlogError(
    'TLOG_RATE_LIMITED',
    `Too many appends from ${client}; retry after ${retryAfter} s.`,
    { details: { retryAfter } },
  );
}

/** Whether an append failed on the entry itself (counted as refused), not on the server. */
export function isEntryRefusal(e: unknown): boolean {
  return e instanceof TlogError;
}

/** The note of the checkpoint the tiles serve: the newest witnessed one, else the newest. */
export async function readCheckpointNote(face: LogFace): Promise<string> {
  await face.log.refresh();
  return face.log.witnessedCheckpoint().note;
}

/**
 * A hash tile or entry bundle by its path under `tile/` (C2SP tlog-tiles), immutable once served.
 * @throws TlogError TLOG_ENTRY_NOT_FOUND when the published tree does not hold it (yet)
 */
export async function readTile(face: LogFace, rest: string): Promise<Uint8Array> {
  const { log } = face;
  const ref = parseTilePath(`tile/${rest}`);
  let body: Uint8Array | undefined;
  if (ref.kind === 'hash') {
    body = log.hashTile(ref.level, ref.index, ref.width);
    if (body === undefined) {
      await log.refresh();
      body = log.hashTile(ref.level, ref.index, ref.width);
    }
  } else {
    body = await log.entryBundle(ref.index, ref.width);
  }
  if (body === undefined)
    throw new TlogError('TLOG_ENTRY_NOT_FOUND', `The log has no tile ${rest} (yet).`);
  return body;
}

/** The log: origin, size, root, signed checkpoint, verifier key, public key. */
export async function describeLog(face: LogFace) {
  const { log } = face;
  await log.refresh();
  const cp = log.checkpoint();
  return {
    origin: log.origin,
    size: cp.size,
    rootHash: b64(cp.rootHash),
    checkpoint: cp.note,
    vkey: log.vkey,
    keyType: log.keyType,
    publicKey: publicKeyPem(face),
    logId: hex(face.logId),
    trustedRootTlog: face.trustedRootEntry(new Date(0)),
  };
}

/** The log's public key, PEM. */
export function publicKeyPem(face: LogFace): string {
  return face.log.publicKey.export({ format: 'pem', type: 'spki' }).toString();
}

/** An entry by index with its proof under the newest checkpoint. */
export async function entryAtIndex(face: LogFace, index: number): Promise<EntryView> {
  await face.log.refresh();
  const row = await face.log.entryAt(index);
  if (row === undefined) throw entryNotFound(`Entry ${index}`);
  return face.view(row);
}

/** Entries by leaf hash (or Rekor UUID) or by subject digest. */
export async function searchEntries(
  face: LogFace,
  q: { leafHash?: string; subject?: string; limit: number },
): Promise<{ entries: EntryView[] }> {
  const { log } = face;
  await log.refresh();
  if (q.leafHash !== undefined) {
    const row = await log.entryByLeafHash(parseLeafHash(q.leafHash));
    return { entries: row === undefined ? [] : [face.view(row)] };
  }
  if (q.subject !== undefined) {
    const rows = await log.entriesBySubject(q.subject.trim().toLowerCase(), q.limit);
    return { entries: rows.map((r) => face.view(r)) };
  }
  throw new TlogError(
    'TLOG_ENTRY_MALFORMED',
    'Give leafHash=<hex> or subject=sha256:<hex>; to read entries in order, use /api/v1/tlog/entries/{index} or the entry tiles.',
  );
}

/** Inclusion proof of an entry (by index or leaf hash) in the tree of a published size. */
export async function proveInclusion(
  face: LogFace,
  q: { index?: number; leafHash?: string; size?: number },
) {
  const { log } = face;
  await log.refresh();
  let index = q.index;
  if (index === undefined) {
    if (q.leafHash === undefined)
      throw new TlogError('TLOG_ENTRY_MALFORMED', 'Give index=<n> or leafHash=<hex>.');
    const row = await log.entryByLeafHash(parseLeafHash(q.leafHash));
    if (row === undefined) throw entryNotFound(`Leaf ${q.leafHash}`);
    index = row.idx;
  }
  const size = q.size ?? log.size;
  const proof = log.inclusionProof(index, size);
  // The checkpoint signed at that size when a batch ended there; otherwise the newest one,
  // which a client ties to this root with a consistency proof.
  const signed = (await log.checkpointAt(size)) ?? log.checkpoint();
  return {
    index,
    treeSize: size,
    rootHash: b64(log.rootAt(size)),
    hashes: proof.map(b64),
    checkpoint: signed.note,
    ...(signed.size === size ? { tlogProof: face.tlogProof(index, signed) } : {}),
  };
}

/** Consistency proof between two published tree sizes (`to` defaults to the newest). */
export async function proveConsistency(face: LogFace, q: { from: number; to?: number }) {
  const { log } = face;
  await log.refresh();
  const to = q.to ?? log.size;
  return {
    size1: q.from,
    size2: to,
    root1: b64(log.rootAt(q.from)),
    root2: b64(log.rootAt(to)),
    hashes: log.consistencyProof(q.from, to).map(b64),
    checkpoint: log.checkpoint().note,
  };
}

/** Every signed checkpoint from a size or a time on (an auditor's archive). */
export async function listCheckpoints(
  face: LogFace,
  q: { sinceSize?: number; since?: string; limit: number },
) {
  const { log } = face;
  const rows = await log.checkpointsSince(
    {
      ...(q.sinceSize !== undefined ? { size: q.sinceSize } : {}),
      ...(q.since !== undefined ? { at: new Date(q.since).toISOString() } : {}),
    },
    q.limit,
  );
  return {
    origin: log.origin,
    vkey: log.vkey,
    checkpoints: rows.map((c) => ({ size: c.size, rootHash: b64(c.rootHash), note: c.note })),
  };
}
