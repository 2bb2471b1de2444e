import { formatLogInfo } from '../../tlog/index.js';
import type { Appended } from './log.js';
import { entryNotFound } from './serve-log.js';
import { type EntryView, type LogFace, parseLeafHash } from './service.js';

/** The log's reads in the shape of Rekor's v1 API (the subset Sigstore clients use). */

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Log info: tree size, root, signed tree head. */
export async function rekorLogInfo(face: LogFace) {
  await face.log.refresh();
  const cp = face.log.checkpoint();
  return formatLogInfo({
    rootHash: cp.rootHash,
    treeSize: cp.size,
    signedTreeHead: cp.note,
    treeId: face.treeId,
  });
}

/** The entry just appended, with its proof under the checkpoint of its batch. */
export async function rekorAppendedEntry(face: LogFace, appended: Appended, view: EntryView) {
  const row = await face.log.entryAt(appended.index);
  if (row === undefined) throw entryNotFound(`Entry ${appended.index}`);
  return {
    location: `/api/v1/log/entries/${view.uuid}`,
    body: face.rekorView(row, appended.checkpoint),
  };
}

export async function rekorEntryAtIndex(face: LogFace, logIndex: number) {
  await face.log.refresh();
  const row = await face.log.entryAt(logIndex);
  if (row === undefined) throw entryNotFound(`Entry ${logIndex}`);
  return face.rekorView(row);
}

/** An entry by UUID (64 or 80 hex digits). */
export async function rekorEntryByUuid(face: LogFace, uuid: string) {
  await face.log.refresh();
  const row = await face.log.entryByLeafHash(parseLeafHash(uuid));
  if (row === undefined) throw entryNotFound(`Entry ${uuid}`);
  return face.rekorView(row);
}

/** Entries by UUIDs, then by log indexes; the ones not found are left out. */
export async function rekorRetrieveEntries(
  face: LogFace,
  q: { entryUUIDs?: string[]; logIndexes?: number[] },
): Promise<unknown[]> {
  await face.log.refresh();
  const out: unknown[] = [];
  for (const u of q.entryUUIDs ?? []) {
    const row = await face.log.entryByLeafHash(parseLeafHash(u));
    if (row !== undefined) out.push(face.rekorView(row));
  }
  for (const i of q.logIndexes ?? []) {
    const row = await face.log.entryAt(i);
    if (row !== undefined) out.push(face.rekorView(row));
  }
  return out;
}

/** Consistency proof between two tree sizes, hex as Rekor writes it. */
export async function rekorConsistencyProof(face: LogFace, firstSize: number, lastSize: number) {
  await face.log.refresh();
  return {
    rootHash: hex(face.log.rootAt(lastSize)),
    hashes: face.log.consistencyProof(firstSize, lastSize).map(hex),
  };
}
