import type { LogEntryRef } from '../../evidence/index.js';
import { encodeBase64 } from '../../tlog/index.js';
import type { LogFace } from '../tlog/service.js';
import type { FileSet } from './collect.js';

/**
 * The entries of Custody's log that the release's records and bundles name, each with an
 * inclusion proof against the newest witnessed checkpoint that covers it (else the newest).
 */
export async function collectLogEntries(
  log: LogFace,
  signed: { logIndices: Set<number>; bundleEntries: Map<number, string> },
  emergency: readonly { tlog_index: number | null }[],
  out: FileSet,
): Promise<LogEntryRef[]> {
  const wanted = new Set(signed.logIndices);
  for (const e of emergency) if (e.tlog_index !== null) wanted.add(e.tlog_index);
  const refs: LogEntryRef[] = [];
  const witnessed = log.log.witnessedCheckpoint();
  const latest = log.log.checkpoint();
  const candidates = [...new Set([...wanted, ...signed.bundleEntries.keys()])].sort(
    (a, b) => a - b,
  );
  for (const idx of candidates) {
    const row = await log.log.entryAt(idx);
    if (row === undefined) continue;
    const body = encodeBase64(row.body);
    // A bundle's entry may be another log's (the public Rekor): only ours is proven here.
    if (!wanted.has(idx) && signed.bundleEntries.get(idx) !== body) continue;
    const cp = witnessed.size > idx ? witnessed : latest;
    const checkpoint = out.add(`tlog/checkpoints/${cp.size}.txt`, cp.note);
    const path = out.json(`tlog/entries/${idx}.json`, {
      index: idx,
      kind: row.kind,
      body,
      leafHash: Buffer.from(row.leafHash).toString('hex'),
      integratedTime: row.integratedTime,
      subject: row.subject,
      inclusionProof: {
        treeSize: cp.size,
        rootHash: Buffer.from(cp.rootHash).toString('hex'),
        hashes: log.log.inclusionProof(idx, cp.size).map((h) => Buffer.from(h).toString('hex')),
      },
    });
    refs.push({ path, checkpoint });
  }
  return refs;
}
