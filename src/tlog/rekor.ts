import { createHash, createPublicKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import type { Checkpoint } from './checkpoint.js';
import { TlogError } from './errors.js';
import { encodeBase64, isValidKeyName, NOTE_SIG_TYPE, rawEd25519PublicKey } from './note.js';

/**
 * Rekor v1 API shapes (api/v1/log, api/v1/log/entries), as @sigstore/sign 4.x reads them and
 * @sigstore/verify 3.x checks them. What those clients require of a private Rekor (read from their
 * code):
 *
 * - Log key: Ed25519 or ECDSA P-256. @sigstore/core verifies both the signed entry timestamp (SET)
 *   and the checkpoint with `crypto.verify(undefined, data, key, sig)`: pure Ed25519, or ECDSA with
 *   SHA-256 whatever the curve (so P-384 would need non-standard SHA-256 signatures; refused here).
 * - Log ID: the bundle's `logId.keyId` must equal the trusted root's `logId.keyId` (the SET is
 *   only tried against such logs), and the checkpoint signature's 4-byte key ID must equal its
 *   first four bytes. So the log ID is the hash whose prefix is the signed-note key ID: for ECDSA
 *   SHA-256(SPKI DER) (Rekor v1's log ID), for Ed25519 SHA-256(name || 0x0A || 0x01 || key)
 *   (Rekor v2's; `checkpointKeyId` must stay unset, as verify 3.1 would then use it as log ID).
 * - Key name: verify 3.1 picks the log for a checkpoint signature by key ID and by
 *   `baseUrl.match(keyName)` (the name as a regular expression), so the key name is the base URL's
 *   host (`rekorKeyName`). The checkpoint origin is not checked; Rekor v1 writes
 *   "<host> - <tree ID>" and an extension line "Timestamp: <ns>".
 */

export type RekorLogKeyDetails = 'PKIX_ED25519' | 'PKIX_ECDSA_P256_SHA_256';

/**
 * The checkpoint key name for a log served at `baseUrl`: its host (and port).
 * @throws TlogError TLOG_KEY_INVALID when the URL has no host usable as a key name
 */
export function rekorKeyName(baseUrl: string): string {
  let host: string;
  try {
    host = new URL(baseUrl).host;
  } catch (e) {
    throw new TlogError(
      'TLOG_KEY_INVALID',
      `log base URL ${JSON.stringify(baseUrl)} is not a URL`,
      {
        cause: e,
      },
    );
  }
  // Bracketed IPv6 hosts would be read as a regex character class by sigstore-js.
  if (!isValidKeyName(host) || !/^[A-Za-z0-9.:-]+$/.test(host)) {
    throw new TlogError('TLOG_KEY_INVALID', `log base URL ${baseUrl} has no usable host name`);
  }
  return host;
}

/**
 * The log ID sigstore clients match (see above): SHA-256(SPKI) for ECDSA P-256,
 * SHA-256(keyName || 0x0A || 0x01 || raw key) for Ed25519.
 * @throws TlogError TLOG_KEY_INVALID for other keys
 */
export function rekorLogId(publicKey: KeyObject, keyName: string): Uint8Array {
  const key = toPublicKey(publicKey);
  switch (logKeyDetails(key)) {
    case 'PKIX_ECDSA_P256_SHA_256':
      return sha256(spki(key));
    case 'PKIX_ED25519':
      return sha256(
        Buffer.concat([
          Buffer.from(keyName, 'utf8'),
          Uint8Array.of(0x0a, NOTE_SIG_TYPE.ed25519),
          rawEd25519PublicKey(key),
        ]),
      );
  }
}

/** Rekor's entry UUID: hex of the leaf hash, prefixed by the 16-hex-digit tree ID when given. */
export function entryUuid(leafHash: Uint8Array, treeId?: bigint): string {
  const hash = Buffer.from(leafHash).toString('hex');
  if (treeId === undefined) return hash;
  if (treeId < 0n || treeId >= 1n << 64n) throw new RangeError('a tree ID is a uint64');
  return treeId.toString(16).padStart(16, '0') + hash;
}

/**
 * Parse a 64- or 80-hex-digit entry UUID (untrusted: a URL path segment).
 * @throws TlogError TLOG_ENTRY_MALFORMED
 */
export function parseEntryUuid(uuid: string): { leafHash: Uint8Array; treeId?: bigint } {
  if (!/^(?:[0-9a-fA-F]{16})?[0-9a-fA-F]{64}$/.test(uuid)) {
    throw new TlogError(
      'TLOG_ENTRY_MALFORMED',
      'an entry UUID is 64 hex digits (the leaf hash), or 80 with a 16-digit tree ID in front',
    );
  }
  const leafHash = new Uint8Array(Buffer.from(uuid.slice(-64), 'hex'));
  return uuid.length === 80 ? { leafHash, treeId: BigInt(`0x${uuid.slice(0, 16)}`) } : { leafHash };
}

export interface SetFields {
  /** The canonicalized entry body (leaf data). */
  body: Uint8Array;
  /** Seconds since the epoch. */
  integratedTime: number;
  logID: Uint8Array;
  /** The global log index (Rekor v1 signs the global one, proves the shard-local one). */
  logIndex: number;
}

/** What a signed entry timestamp signs: RFC 8785 JSON {body, integratedTime, logID, logIndex}. */
export function setPayload(f: SetFields): Uint8Array {
  for (const [name, v] of [
    ['integratedTime', f.integratedTime],
    ['logIndex', f.logIndex],
  ] as const) {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`${name} must be a uint53`);
  }
  // The RFC 8785 form of {body, integratedTime, logID, logIndex} written out (keys in order,
  // integers in decimal, base64 and hex need no escapes): every append signs one, and the generic
  // canonicalizer cost half as much as the signature. set-payload.test.ts holds it to canonicalize(),
  // rekor.test.ts to the text a real Rekor signed.
  const body = encodeBase64(f.body);
  const logID = Buffer.from(f.logID.buffer, f.logID.byteOffset, f.logID.byteLength).toString('hex');
  return Buffer.from(
    `{"body":"${body}","integratedTime":${f.integratedTime},"logID":"${logID}","logIndex":${f.logIndex}}`,
    'utf8',
  );
}

/**
 * The signed entry timestamp (Rekor's inclusion promise): Ed25519, or ASN.1 DER ECDSA-SHA-256.
 * @throws TlogError TLOG_KEY_INVALID when the key is not an Ed25519 or P-256 private key
 */
export function signEntryTimestamp(privateKey: KeyObject, f: SetFields): Uint8Array {
  if (privateKey.type !== 'private') {
    throw new TlogError('TLOG_KEY_INVALID', 'signing an entry timestamp needs the private log key');
  }
  const data = setPayload(f);
  const sig =
    logKeyDetails(privateKey) === 'PKIX_ED25519'
      ? cryptoSign(null, data, privateKey)
      : cryptoSign('sha256', data, { key: privateKey, dsaEncoding: 'der' });
  return new Uint8Array(sig);
}

/** The checkpoint Rekor v1 signs: its origin form and a "Timestamp: <ns>" extension line. */
export function rekorCheckpoint(args: {
  keyName: string;
  treeId: bigint;
  size: number;
  rootHash: Uint8Array;
  timestampNs?: bigint;
}): Checkpoint {
  return {
    origin: `${args.keyName} - ${args.treeId.toString()}`,
    size: args.size,
    rootHash: args.rootHash,
    extensions: args.timestampNs === undefined ? [] : [`Timestamp: ${args.timestampNs.toString()}`],
  };
}

export interface RekorInclusionProofInput {
  /** Index within the (single) shard. */
  logIndex: number;
  treeSize: number;
  rootHash: Uint8Array;
  hashes: readonly Uint8Array[];
  /** The signed note of the checkpoint at `treeSize`. */
  checkpoint: string;
}

export interface RekorEntryInput extends SetFields {
  leafHash: Uint8Array;
  treeId?: bigint;
  signedEntryTimestamp: Uint8Array;
  inclusionProof?: RekorInclusionProofInput;
}

export interface RekorLogEntry {
  body: string;
  integratedTime: number;
  logID: string;
  logIndex: number;
  verification: {
    inclusionProof?: {
      checkpoint: string;
      hashes: string[];
      logIndex: number;
      rootHash: string;
      treeSize: number;
    };
    signedEntryTimestamp: string;
  };
}

/** The body of Rekor's POST /api/v1/log/entries and GET /api/v1/log/entries/{uuid}. */
export function formatRekorEntry(e: RekorEntryInput): Record<string, RekorLogEntry> {
  const p = e.inclusionProof;
  const entry: RekorLogEntry = {
    body: encodeBase64(e.body),
    integratedTime: e.integratedTime,
    logID: hex(e.logID),
    logIndex: e.logIndex,
    verification: {
      ...(p && {
        inclusionProof: {
          checkpoint: p.checkpoint,
          hashes: p.hashes.map(hex),
          logIndex: p.logIndex,
          rootHash: hex(p.rootHash),
          treeSize: p.treeSize,
        },
      }),
      signedEntryTimestamp: encodeBase64(e.signedEntryTimestamp),
    },
  };
  return { [entryUuid(e.leafHash, e.treeId)]: entry };
}

export interface RekorLogInfo {
  inactiveShards: never[];
  rootHash: string;
  signedTreeHead: string;
  treeID: string;
  treeSize: number;
}

/** The body of Rekor's GET /api/v1/log. */
export function formatLogInfo(args: {
  rootHash: Uint8Array;
  treeSize: number;
  signedTreeHead: string;
  treeId: bigint;
}): RekorLogInfo {
  return {
    inactiveShards: [],
    rootHash: hex(args.rootHash),
    signedTreeHead: args.signedTreeHead,
    treeID: args.treeId.toString(),
    treeSize: args.treeSize,
  };
}

/** One `tlogs[]` element of a Sigstore trusted_root.json (JSON form, bytes in base64). */
export interface TrustedRootTlog {
  baseUrl: string;
  hashAlgorithm: 'SHA2_256';
  publicKey: {
    rawBytes: string;
    keyDetails: RekorLogKeyDetails;
    validFor: { start: string };
  };
  logId: { keyId: string };
}

/**
 * The trusted-root entry that lets sigstore-js accept this log. `keyName` is the checkpoint's
 * signed-note key name (default: the base URL's host, `rekorKeyName`); sigstore-js requires
 * `baseUrl.match(keyName)`, so that is checked here. Ed25519 log IDs depend on the key name.
 * @throws TlogError TLOG_KEY_INVALID
 */
export function trustedRootTlogEntry(
  publicKey: KeyObject,
  baseUrl: string,
  validFrom: Date,
  keyName: string = rekorKeyName(baseUrl),
): TrustedRootTlog {
  const key = toPublicKey(publicKey);
  if (!matchesAsSigstoreJs(baseUrl, keyName)) {
    throw new TlogError(
      'TLOG_KEY_INVALID',
      `sigstore-js would not match the key name ${JSON.stringify(keyName)} to ${baseUrl}: ` +
        'use a base URL that contains the key name',
    );
  }
  return {
    baseUrl,
    hashAlgorithm: 'SHA2_256',
    publicKey: {
      rawBytes: encodeBase64(spki(key)),
      keyDetails: logKeyDetails(key),
      validFor: { start: validFrom.toISOString() },
    },
    logId: { keyId: encodeBase64(rekorLogId(key, keyName)) },
  };
}

// @sigstore/verify 3.1 checkpoint.js: `tlog.baseURL.match(signature.name)`, the name as a RegExp.
function matchesAsSigstoreJs(baseUrl: string, keyName: string): boolean {
  try {
    return new RegExp(keyName).test(baseUrl);
  } catch {
    return false;
  }
}

function logKeyDetails(key: KeyObject): RekorLogKeyDetails {
  if (key.asymmetricKeyType === 'ed25519') return 'PKIX_ED25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return 'PKIX_ECDSA_P256_SHA_256';
  }
  throw new TlogError(
    'TLOG_KEY_INVALID',
    `a Rekor-compatible log key is Ed25519 or ECDSA P-256, not ${key.asymmetricKeyType}` +
      (key.asymmetricKeyDetails?.namedCurve ? ` ${key.asymmetricKeyDetails.namedCurve}` : ''),
  );
}

function toPublicKey(key: KeyObject): KeyObject {
  if (key.type === 'secret') throw new TlogError('TLOG_KEY_INVALID', 'a log key is asymmetric');
  return key.type === 'private' ? createPublicKey(key) : key;
}

function spki(key: KeyObject): Uint8Array {
  return new Uint8Array(key.export({ format: 'der', type: 'spki' }));
}

function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}
