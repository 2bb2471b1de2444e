import assert from 'node:assert/strict';
import {
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerifyNode,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { type Bundle, bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import { DSSEBundleBuilder, MessageSignatureBundleBuilder, RekorWitness } from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { verifyCheckpoint } from '@sigstore/verify/dist/tlog/checkpoint.js';
import { verifyTLogSET } from '@sigstore/verify/dist/tlog/set.js';
import { formatCheckpoint, openCheckpoint, signCheckpoint } from '../../src/tlog/checkpoint.js';
import { parseProposedEntry } from '../../src/tlog/entries.js';
import { TlogError } from '../../src/tlog/errors.js';
import { MerkleTree } from '../../src/tlog/index.js';
import { ecdsaNoteSigner, ed25519NoteSigner, noteVerifierFor } from '../../src/tlog/note.js';
import {
  entryUuid,
  formatLogInfo,
  formatRekorEntry,
  parseEntryUuid,
  rekorCheckpoint,
  rekorKeyName,
  rekorLogId,
  setPayload,
  signEntryTimestamp,
  trustedRootTlogEntry,
} from '../../src/tlog/rekor.js';
import { readConformance } from '../helpers/conformance.js';
import { expectCustodyError } from '../helpers/expect-error.js';

// biome-ignore lint/suspicious/noExplicitAny: JSON documents read for the test only
type Json = any;
const readJson = (...p: string[]): Json =>
  JSON.parse(Buffer.from(readConformance(...p)).toString());
const publicGood = readJson('sigstore', 'public-good', 'trusted_root.json');
const spkiKey = (b64: string) =>
  createPublicKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'spki' });

describe('log identity against the public-good Sigstore instance', () => {
  const [rekorV1, rekorV2] = publicGood.tlogs as Json[];

  it('rekorLogId: SHA-256(SPKI) for the ECDSA P-256 Rekor v1 key', () => {
    const key = spkiKey(rekorV1.publicKey.rawBytes);
    const name = rekorKeyName(rekorV1.baseUrl);
    assert.equal(name, 'rekor.sigstore.dev');
    assert.equal(Buffer.from(rekorLogId(key, name)).toString('base64'), rekorV1.logId.keyId);
  });

  it('rekorLogId: SHA-256(name || 0x0A || 0x01 || key) for an Ed25519 key', () => {
    const key = spkiKey(rekorV2.publicKey.rawBytes);
    const name = rekorKeyName(rekorV2.baseUrl);
    assert.equal(name, 'log2025-1.rekor.sigstore.dev');
    assert.equal(Buffer.from(rekorLogId(key, name)).toString('base64'), rekorV2.logId.keyId);
  });

  it('trustedRootTlogEntry reproduces both trusted-root entries', () => {
    for (const t of [rekorV1, rekorV2]) {
      const entry = trustedRootTlogEntry(
        spkiKey(t.publicKey.rawBytes),
        t.baseUrl,
        new Date(t.publicKey.validFor.start),
      );
      assert.deepEqual(
        {
          ...entry,
          publicKey: { ...entry.publicKey, validFor: { start: t.publicKey.validFor.start } },
        },
        t,
      );
      assert.equal(
        new Date(entry.publicKey.validFor.start).getTime(),
        Date.parse(t.publicKey.validFor.start),
      );
    }
  });

  it('refuses log keys sigstore-js cannot check (P-384, RSA) and unusable base URLs', () => {
    for (const k of [
      generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey,
      generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey,
    ]) {
      expectCustodyError(
        () => trustedRootTlogEntry(k, 'https://log.example', new Date(0)),
        TlogError,
        'TLOG_KEY_INVALID',
      );
    }
    const ok = generateKeyPairSync('ed25519').publicKey;
    for (const url of ['not a url', 'http://[::1]:8080/']) {
      expectCustodyError(
        () => trustedRootTlogEntry(ok, url, new Date(0)),
        TlogError,
        'TLOG_KEY_INVALID',
      );
    }
    assert.equal(rekorKeyName('http://127.0.0.1:8080/custody'), '127.0.0.1:8080');
    // An explicit key name (e.g. the log's origin) must occur in the base URL.
    const entry = trustedRootTlogEntry(
      ok,
      'https://custody.example/tlog',
      new Date(0),
      'custody.example/tlog',
    );
    assert.equal(
      entry.logId.keyId,
      Buffer.from(rekorLogId(ok, 'custody.example/tlog')).toString('base64'),
    );
    for (const name of ['other.example', 'custody.example/tlog(']) {
      expectCustodyError(
        () => trustedRootTlogEntry(ok, 'https://custody.example/tlog', new Date(0), name),
        TlogError,
        'TLOG_KEY_INVALID',
      );
    }
  });
});

describe('signed entry timestamp and checkpoint shapes against a real Rekor entry', () => {
  const bundle = readJson('sigstore', 'bundle-verify', 'happy-path-v0.2', 'bundle.sigstore.json');
  const tlog = bundle.verificationMaterial.tlogEntries[0];
  const rekorKey = spkiKey(publicGood.tlogs[0].publicKey.rawBytes);

  it('setPayload is the exact text Rekor signed (the real SET verifies over it)', () => {
    const payload = setPayload({
      body: Buffer.from(tlog.canonicalizedBody, 'base64'),
      integratedTime: Number(tlog.integratedTime),
      logID: Buffer.from(tlog.logId.keyId, 'base64'),
      logIndex: Number(tlog.logIndex),
    });
    assert.match(
      Buffer.from(payload).toString(),
      /^\{"body":"[^"]+","integratedTime":1689177396,"logID":"c0d23d6a/,
    );
    const sig = Buffer.from(tlog.inclusionPromise.signedEntryTimestamp, 'base64');
    assert.ok(cryptoVerifyDefault(payload, rekorKey, sig));
  });

  it('rekorCheckpoint + formatCheckpoint reproduce the signed text of the real checkpoint', () => {
    const envelope: string = tlog.inclusionProof.checkpoint.envelope;
    const cp = rekorCheckpoint({
      keyName: 'rekor.sigstore.dev',
      treeId: 2605736670972794746n,
      size: Number(tlog.inclusionProof.treeSize),
      rootHash: new Uint8Array(Buffer.from(tlog.inclusionProof.rootHash, 'base64')),
      timestampNs: 1689177396617352539n,
    });
    assert.ok(envelope.startsWith(`${formatCheckpoint(cp)}\n`));
    const opened = openCheckpoint(envelope, cp.origin, [
      noteVerifierFor('rekor.sigstore.dev', rekorKey),
    ]);
    assert.deepEqual(opened.checkpoint, cp);
  });
});

describe('entry UUIDs and response shapes', () => {
  const leaf = new Uint8Array(32).fill(0xab);

  it('entryUuid is the leaf hash in hex, with an optional 16-digit tree ID', () => {
    assert.equal(entryUuid(leaf), 'ab'.repeat(32));
    assert.equal(entryUuid(leaf, 1n), `0000000000000001${'ab'.repeat(32)}`);
    assert.deepEqual(parseEntryUuid(entryUuid(leaf, 0x24296fb24b8ad77an)), {
      leafHash: leaf,
      treeId: 0x24296fb24b8ad77an,
    });
    assert.deepEqual(parseEntryUuid('AB'.repeat(32)), { leafHash: leaf });
    for (const bad of ['', 'ab', 'zz'.repeat(32), `1${'ab'.repeat(32)}`]) {
      expectCustodyError(() => parseEntryUuid(bad), TlogError, 'TLOG_ENTRY_MALFORMED');
    }
  });

  it('formatRekorEntry and formatLogInfo follow Rekor v1 (hex hashes, base64 body and SET)', () => {
    const out = formatRekorEntry({
      body: Buffer.from('{}'),
      integratedTime: 10,
      logID: new Uint8Array([1, 2]),
      logIndex: 7,
      leafHash: leaf,
      treeId: 3n,
      signedEntryTimestamp: new Uint8Array([9]),
      inclusionProof: {
        logIndex: 7,
        treeSize: 8,
        rootHash: leaf,
        hashes: [leaf],
        checkpoint: 'cp',
      },
    });
    assert.deepEqual(out, {
      [`0000000000000003${'ab'.repeat(32)}`]: {
        body: 'e30=',
        integratedTime: 10,
        logID: '0102',
        logIndex: 7,
        verification: {
          inclusionProof: {
            checkpoint: 'cp',
            hashes: ['ab'.repeat(32)],
            logIndex: 7,
            rootHash: 'ab'.repeat(32),
            treeSize: 8,
          },
          signedEntryTimestamp: 'CQ==',
        },
      },
    });
    assert.deepEqual(
      formatLogInfo({ rootHash: leaf, treeSize: 8, signedTreeHead: 'cp', treeId: 3n }),
      {
        inactiveShards: [],
        rootHash: 'ab'.repeat(32),
        signedTreeHead: 'cp',
        treeID: '3',
        treeSize: 8,
      },
    );
  });
});

// --- @sigstore/sign against a minimal log built from these functions, checked by @sigstore/verify ---

type KeyPair = { publicKey: KeyObject; privateKey: KeyObject };
const NOW = Math.floor(Date.parse('2026-01-02T03:04:05Z') / 1000);
const TREE_ID = 42n;

/** A one-route Rekor v1 double: POST /api/v1/log/entries, with the given log key. */
async function startLog(
  logKey: KeyPair,
  opts: { keyName?: (baseUrl: string) => string } = {},
): Promise<{ server: Server; baseUrl: string }> {
  const tree = new MerkleTree();
  // Earlier entries, so proofs have inner and border hashes.
  for (let i = 0; i < 6; i++) tree.append(new Uint8Array(32).fill(i));
  let baseUrl = '';
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        const entry = parseProposedEntry(JSON.parse(Buffer.concat(chunks).toString()), {
          maxBytes: 1 << 20,
        });
        const keyName = opts.keyName ? opts.keyName(baseUrl) : rekorKeyName(baseUrl);
        const logID = rekorLogId(logKey.publicKey, rekorKeyName(baseUrl));
        const logIndex = tree.append(entry.leafHash);
        const size = tree.size;
        const signer =
          logKey.privateKey.asymmetricKeyType === 'ed25519'
            ? ed25519NoteSigner(keyName, logKey.privateKey)
            : ecdsaNoteSigner(keyName, logKey.privateKey);
        const checkpoint = signCheckpoint(
          rekorCheckpoint({
            keyName,
            treeId: TREE_ID,
            size,
            rootHash: tree.root(),
            timestampNs: BigInt(NOW) * 1_000_000_000n,
          }),
          [signer],
        );
        const fields = { body: entry.body, integratedTime: NOW, logID, logIndex };
        const response = formatRekorEntry({
          ...fields,
          leafHash: entry.leafHash,
          treeId: TREE_ID,
          signedEntryTimestamp: signEntryTimestamp(logKey.privateKey, fields),
          inclusionProof: {
            logIndex,
            treeSize: size,
            rootHash: tree.root(),
            hashes: tree.inclusionProof(logIndex),
            checkpoint,
          },
        });
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(response));
      } catch (e) {
        const status = e instanceof TlogError ? 400 : 500;
        res
          .writeHead(status, { 'content-type': 'application/json' })
          .end(JSON.stringify({ code: status, message: String(e) }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { server, baseUrl };
}

function signerFor(k: KeyPair, hint: string) {
  const publicKey = k.publicKey.export({ type: 'spki', format: 'pem' }) as string;
  return {
    sign: async (data: Buffer) => ({
      signature: cryptoSign(
        k.privateKey.asymmetricKeyType === 'ed25519' ? null : 'sha256',
        data,
        k.privateKey,
      ),
      key: { $case: 'publicKey' as const, publicKey, hint },
    }),
  };
}

function verifierFor(logKey: KeyPair, baseUrl: string, signer: KeyPair, hint: string): Verifier {
  const root = TrustedRoot.fromJSON({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [trustedRootTlogEntry(logKey.publicKey, baseUrl, new Date((NOW - 3600) * 1000))],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  });
  const keys = {
    [hint]: {
      rawBytes: signer.publicKey.export({ type: 'spki', format: 'der' }),
      keyDetails: 'PKIX_ECDSA_P256_SHA_256',
      validFor: { start: new Date(0) },
    },
  };
  // biome-ignore lint/suspicious/noExplicitAny: protobuf-specs' PublicKey type, built from JSON-ish values
  return new Verifier(toTrustMaterial(root, keys as any), { ctlogThreshold: 0, tlogThreshold: 1 });
}

const LOG_KEYS: Record<string, KeyPair> = {
  Ed25519: generateKeyPairSync('ed25519'),
  'ECDSA P-256': generateKeyPairSync('ec', { namedCurve: 'P-256' }),
};
const ARTIFACT_KEY: KeyPair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const HINT = 'custody-test-key';
const ARTIFACT = { data: Buffer.from('hello, custody\n') };
const STATEMENT = {
  data: Buffer.from(JSON.stringify({ _type: 'https://in-toto.io/Statement/v1', subject: [] })),
  type: 'application/vnd.in-toto+json',
};

for (const [logName, logKey] of Object.entries(LOG_KEYS)) {
  describe(`@sigstore/sign 4.1 → this log (${logName} key) → @sigstore/verify 3.1`, () => {
    let log: { server: Server; baseUrl: string };
    before(async () => {
      log = await startLog(logKey);
    });
    after(() => log.server.close());
    const witness = () => new RekorWitness({ rekorBaseURL: log.baseUrl, retry: 0 });

    it('a hashedrekord bundle verifies (SET, checkpoint, inclusion proof, body)', async () => {
      const builder = new MessageSignatureBundleBuilder({
        signer: signerFor(ARTIFACT_KEY, HINT),
        witnesses: [witness()],
      });
      const bundle = await builder.create(ARTIFACT);
      const entry = bundle.verificationMaterial.tlogEntries[0];
      assert.equal(entry?.kindVersion?.kind, 'hashedrekord');
      assert.ok(entry?.inclusionPromise && entry.inclusionProof);
      verifierFor(logKey, log.baseUrl, ARTIFACT_KEY, HINT).verify(
        toSignedEntity(bundle, ARTIFACT.data),
      );
    });

    it('a dsse bundle verifies', async () => {
      const builder = new DSSEBundleBuilder({
        signer: signerFor(ARTIFACT_KEY, HINT),
        witnesses: [witness()],
      });
      const bundle = await builder.create(STATEMENT);
      assert.equal(bundle.verificationMaterial.tlogEntries[0]?.kindVersion?.kind, 'dsse');
      verifierFor(logKey, log.baseUrl, ARTIFACT_KEY, HINT).verify(toSignedEntity(bundle));
    });

    it("sigstore-js's own SET and checkpoint checks fail on a flipped bit", async () => {
      const builder = new MessageSignatureBundleBuilder({
        signer: signerFor(ARTIFACT_KEY, HINT),
        witnesses: [witness()],
      });
      const good = bundleToJSON(await builder.create(ARTIFACT));
      const trust = verifierFor(logKey, log.baseUrl, ARTIFACT_KEY, HINT);
      const tlogs = (trust as unknown as { trustMaterial: { tlogs: unknown[] } }).trustMaterial
        .tlogs;
      const entryOf = (b: Bundle) =>
        b.verificationMaterial.tlogEntries[0] as Parameters<typeof verifyTLogSET>[0];
      verifyTLogSET(entryOf(bundleFromJSON(good)), tlogs as never);
      verifyCheckpoint(entryOf(bundleFromJSON(good)) as never, tlogs as never);

      const badSet = structuredClone(good) as Json;
      const set = Buffer.from(
        badSet.verificationMaterial.tlogEntries[0].inclusionPromise.signedEntryTimestamp,
        'base64',
      );
      set.writeUInt8(set.readUInt8(10) ^ 1, 10);
      badSet.verificationMaterial.tlogEntries[0].inclusionPromise.signedEntryTimestamp =
        set.toString('base64');
      assert.throws(
        () => verifyTLogSET(entryOf(bundleFromJSON(badSet)), tlogs as never),
        /TLOG_INCLUSION_PROMISE_ERROR|inclusion promise/,
      );

      const badTime = structuredClone(good) as Json;
      badTime.verificationMaterial.tlogEntries[0].integratedTime = String(NOW + 1);
      assert.throws(() => verifyTLogSET(entryOf(bundleFromJSON(badTime)), tlogs as never));

      const badCp = structuredClone(good) as Json;
      const proof = badCp.verificationMaterial.tlogEntries[0].inclusionProof;
      proof.checkpoint.envelope = proof.checkpoint.envelope.replace(
        /\n(\d+)\n/,
        (_: string, n: string) => `\n${Number(n) + 1}\n`,
      );
      assert.throws(() =>
        verifyCheckpoint(entryOf(bundleFromJSON(badCp)) as never, tlogs as never),
      );
    });
  });
}

describe('what sigstore-js requires of the checkpoint key name', () => {
  it('a key name that does not occur in the trusted baseUrl fails verification', async () => {
    const logKey = LOG_KEYS['ECDSA P-256'] as KeyPair;
    const log = await startLog(logKey, { keyName: () => 'custody.example' });
    try {
      const builder = new MessageSignatureBundleBuilder({
        signer: signerFor(ARTIFACT_KEY, HINT),
        witnesses: [new RekorWitness({ rekorBaseURL: log.baseUrl, retry: 0 })],
      });
      const bundle = await builder.create(ARTIFACT);
      assert.throws(
        () =>
          verifierFor(logKey, log.baseUrl, ARTIFACT_KEY, HINT).verify(
            toSignedEntity(bundle, ARTIFACT.data),
          ),
        /checkpoint/,
      );
    } finally {
      log.server.close();
    }
  });
});

// @sigstore/core verifies with crypto.verify(undefined, …): SHA-256 for ECDSA, pure Ed25519.
function cryptoVerifyDefault(data: Uint8Array, key: KeyObject, sig: Uint8Array): boolean {
  return cryptoVerifyNode(undefined, data, key, sig);
}
