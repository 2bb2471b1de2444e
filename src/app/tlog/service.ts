import { createHash } from 'node:crypto';
import type { LogKey } from '../../fs/log-key-file.js';
import {
  encodeBase64,
  entryUuid,
  formatRekorEntry,
  type LogEntry,
  MAX_ENTRY_SIZE,
  parseProposedEntry,
  type RekorLogEntry,
  rekorLogId,
  type StoredEntry,
  signEntryTimestamp,
  TlogError,
  type TrustedRootTlog,
  trustedRootTlogEntry,
} from '../../tlog/index.js';
import type { EntryCheckPool } from '../../workers/entry-pool.js';
import type { Appended, TransparencyLog } from './log.js';
import type { PublishedCheckpoint } from './published-log.js';

/**
 * The log's use cases as the HTTP face (and the CLI) need them: check and append a proposed entry,
 * and the views of entries and proofs, in Custody's own shape and in Rekor's.
 */

export interface InclusionProofView {
  logIndex: number;
  treeSize: number;
  /** Hex, as Rekor writes hashes. */
  rootHash: string;
  hashes: string[];
  /** The signed checkpoint at `treeSize`. */
  checkpoint: string;
}

export interface EntryView {
  index: number;
  uuid: string;
  kind: string;
  /** The leaf data, base64. */
  body: string;
  leafHash: string;
  subject: string;
  integratedTime: number;
  logId: string;
  inclusionProof: InclusionProofView;
  /** Rekor's signed entry timestamp over {body, integratedTime, logID, logIndex}, base64. */
  signedEntryTimestamp: string;
}

// A view, not a copy: an append's answer spells its proof's hashes.
const hex = (b: Uint8Array): string =>
  Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');

/** The log's signing side that the views need: its key and derived IDs. */
export class LogFace {
  readonly logId: Uint8Array;
  /** Rekor's tree ID, for the 80-digit UUIDs and /api/v1/log: fixed per origin. */
  readonly treeId: bigint;

  constructor(
    readonly log: TransparencyLog,
    private readonly key: LogKey,
    /** Worker threads that check entries; absent: checked on the calling thread. */
    private readonly checks?: EntryCheckPool,
  ) {
    // The signed-note key name is the origin, so sigstore clients find the key by logId[:4].
    this.logId = rekorLogId(key.publicKey, log.origin);
    this.treeId =
      createHash('sha256').update(log.origin).digest().readBigUInt64BE(0) & ((1n << 63n) - 1n);
  }

  /**
   * Check a proposed entry (Custody's typed form or Rekor's) and append it.
   * `maxEnvelopeBytes` bounds a DSSE envelope (default: the leaf's limit, 64 KiB); the HTTP face
   * passes its body limit, since only the envelope's hashes are kept.
   * @throws TlogError TLOG_ENTRY_MALFORMED, TLOG_ENTRY_SIGNATURE_INVALID, TLOG_ENTRY_TOO_LARGE
   */
  async append(
    json: unknown,
    o: { maxEnvelopeBytes?: number } = {},
  ): Promise<{ appended: Appended; view: EntryView }> {
    const opts = {
      maxBytes: MAX_ENTRY_SIZE,
      ...(o.maxEnvelopeBytes !== undefined ? { maxEnvelopeBytes: o.maxEnvelopeBytes } : {}),
    };
    const entry = this.checks
      ? await this.checks.check(json, opts.maxEnvelopeBytes)
      : parseProposedEntry(json, opts);
    return this.appendChecked(entry);
  }

  /**
   * Append an entry Custody built and checked itself (an emergency certificate's): the same
   * sequencer and group commit as proposed entries; answered once durable.
   */
  async appendChecked(entry: LogEntry): Promise<{ appended: Appended; view: EntryView }> {
    const appended = await this.log.append({
      kind: entry.kind,
      body: entry.body,
      leafHash: entry.leafHash,
      subject: entry.subjectDigest,
      aliases: entry.aliasLeafHashes,
    });
    // A duplicate may have been logged in another spelling (an ECDSA twin): answer what is stored.
    const stored = appended.duplicate ? await this.log.entryAt(appended.index) : undefined;
    const view = this.view(
      stored ?? {
        idx: appended.index,
        leafHash: entry.leafHash,
        kind: entry.kind,
        body: entry.body,
        integratedTime: appended.integratedTime,
        subject: entry.subjectDigest,
      },
      appended.checkpoint,
    );
    return { appended, view };
  }

  async close(): Promise<void> {
    await this.log.close();
    await this.checks?.close();
  }

  inclusion(index: number, cp: PublishedCheckpoint = this.log.checkpoint()): InclusionProofView {
    return {
      logIndex: index,
      treeSize: cp.size,
      rootHash: hex(cp.rootHash),
      hashes: this.log.inclusionProof(index, cp.size).map(hex),
      checkpoint: cp.note,
    };
  }

  signedEntryTimestamp(row: StoredEntry): Uint8Array {
    return signEntryTimestamp(this.key.privateKey, {
      body: row.body,
      integratedTime: row.integratedTime,
      logID: this.logId,
      logIndex: row.idx,
    });
  }

  /** An entry with a proof under `cp` (default: the newest checkpoint) and its signed timestamp. */
  view(row: StoredEntry, cp: PublishedCheckpoint = this.log.checkpoint()): EntryView {
    return {
      index: row.idx,
      uuid: entryUuid(row.leafHash),
      kind: row.kind,
      body: encodeBase64(row.body),
      leafHash: hex(row.leafHash),
      subject: row.subject,
      integratedTime: row.integratedTime,
      logId: hex(this.logId),
      inclusionProof: this.inclusion(row.idx, cp),
      signedEntryTimestamp: encodeBase64(this.signedEntryTimestamp(row)),
    };
  }

  /** The same entry in Rekor's v1 response shape: `{ <uuid>: {...} }`. */
  rekorView(row: StoredEntry, cp: PublishedCheckpoint = this.log.checkpoint()) {
    return formatRekorEntry({
      body: row.body,
      integratedTime: row.integratedTime,
      logID: this.logId,
      logIndex: row.idx,
      leafHash: row.leafHash,
      treeId: this.treeId,
      signedEntryTimestamp: this.signedEntryTimestamp(row),
      inclusionProof: {
        logIndex: row.idx,
        treeSize: cp.size,
        rootHash: cp.rootHash,
        hashes: this.log.inclusionProof(row.idx, cp.size),
        checkpoint: cp.note,
      },
    }) as Record<string, RekorLogEntry>;
  }

  /**
   * The `tlogs[]` element of a Sigstore trusted root for this log. sigstore-js matches a
   * checkpoint signature to a log by key ID and by `baseUrl.match(keyName)`; the key name is the
   * origin, so the base URL written here is the origin as an https URL.
   */
  trustedRootEntry(validFrom: Date): TrustedRootTlog {
    return trustedRootTlogEntry(
      this.key.publicKey,
      `https://${this.log.origin}`,
      validFrom,
      this.log.origin,
    );
  }

  /** The C2SP tlog-proof text: index, inclusion hashes and the signed checkpoint, for offline use. */
  tlogProof(index: number, cp: PublishedCheckpoint = this.log.checkpoint()): string {
    const hashes = this.log.inclusionProof(index, cp.size);
    return [
      'c2sp.org/tlog-proof@v1',
      `index ${index}`,
      ...hashes.map((h) => Buffer.from(h).toString('base64')),
      '',
      cp.note,
    ].join('\n');
  }
}

/** Parse a leaf hash or UUID given as 64 hex digits, 80 (Rekor, with tree ID) or base64. */
export function parseLeafHash(text: string): Uint8Array {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[0-9a-fA-F]{80}$/.test(t)) return Buffer.from(t.slice(16), 'hex');
  if (/^[A-Za-z0-9+/]{43}=$/.test(t)) return Buffer.from(t, 'base64');
  throw new TlogError(
    'TLOG_ENTRY_MALFORMED',
    'A leaf hash is 64 hex digits (or base64 of 32 bytes); an entry UUID is 64 or 80 hex digits.',
    { details: { given: t.slice(0, 100) } },
  );
}
