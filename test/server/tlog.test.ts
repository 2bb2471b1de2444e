import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { openCheckpoint } from '../../src/tlog/checkpoint.js';
import { leafHash, verifyConsistency, verifyInclusion } from '../../src/tlog/index.js';
import { parseVerifierKey } from '../../src/tlog/note.js';
import { decodeEntryBundle } from '../../src/tlog/tiles.js';
import { BACKENDS, call, startServer, type TestServer, tokenFor } from '../helpers/server.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();

// ECDSA signatures are randomised: sign each artifact once, so "the same entry" is the same bytes.
const signatures = new Map<string, Buffer>();
function signOnce(artifact: string): Buffer {
  let sig = signatures.get(artifact);
  if (sig === undefined) {
    sig = sign('sha256', Buffer.from(artifact), privateKey);
    signatures.set(artifact, sig);
  }
  return sig;
}

/** A Custody typed hashedrekord entry over `artifact`, signed with the test key. */
function typed(artifact: string, o: { badSignature?: boolean } = {}) {
  const digest = createHash('sha256').update(artifact).digest('hex');
  const signature = signOnce(o.badSignature ? `${artifact}!` : artifact);
  return {
    kind: 'hashedrekord',
    digest: `sha256:${digest}`,
    signature: signature.toString('base64'),
    publicKey: publicPem,
  };
}

/** The same entry as @sigstore/sign would propose it to Rekor. */
function rekorShaped(artifact: string) {
  const digest = createHash('sha256').update(artifact).digest('hex');
  return {
    apiVersion: '0.0.1',
    kind: 'hashedrekord',
    spec: {
      data: { hash: { algorithm: 'sha256', value: digest } },
      signature: {
        content: signOnce(artifact).toString('base64'),
        publicKey: { content: Buffer.from(publicPem).toString('base64') },
      },
    },
  };
}

const b64 = (s: string): Uint8Array => Buffer.from(s, 'base64');
const fromHex = (s: string): Uint8Array => Buffer.from(s, 'hex');

for (const backend of BACKENDS) {
  describe(`transparency log over HTTP (${backend})`, () => {
    let srv: TestServer;
    let vkey: string;
    let origin: string;
    before(async () => {
      srv = await startServer(backend, { tlog: { ratePerClient: 0 } });
      const info = await call(srv, 'GET', '/api/v1/tlog');
      assert.equal(info.status, 200);
      vkey = info.json.vkey;
      origin = info.json.origin;
    });
    after(async () => srv.close());

    it('appends a checked entry without a token and proves it under a signed checkpoint', async () => {
      const a = await call(srv, 'POST', '/api/v1/tlog/entries', { body: typed('artifact one') });
      assert.equal(a.status, 201, a.text);
      const e = a.json;
      const { checkpoint } = openCheckpoint(e.inclusionProof.checkpoint, origin, [
        parseVerifierKey(vkey),
      ]);
      assert.equal(checkpoint.size, e.inclusionProof.treeSize);
      verifyInclusion(
        e.index,
        checkpoint.size,
        leafHash(b64(e.body)),
        e.inclusionProof.hashes.map(fromHex),
        checkpoint.rootHash,
      );
      assert.equal(
        e.subject,
        `sha256:${createHash('sha256').update('artifact one').digest('hex')}`,
      );
      assert.ok(e.signedEntryTimestamp.length > 40);

      const again = await call(srv, 'POST', '/api/v1/tlog/entries', {
        body: typed('artifact one'),
      });
      assert.equal(again.status, 200);
      assert.equal(again.json.index, e.index);
      assert.equal(again.json.integratedTime, e.integratedTime);

      const byIndex = await call(srv, 'GET', `/api/v1/tlog/entries/${e.index}`);
      assert.equal(byIndex.json.leafHash, e.leafHash);
      const byLeaf = await call(srv, 'GET', `/api/v1/tlog/entries?leafHash=${e.leafHash}`);
      assert.equal(byLeaf.json.entries[0].index, e.index);
      const bySubject = await call(srv, 'GET', `/api/v1/tlog/entries?subject=${e.subject}`);
      assert.equal(bySubject.json.entries.length, 1);
    });

    it('serves the C2SP tiles: checkpoint, hash tiles and entry bundles agree with the API', async () => {
      await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          call(srv, 'POST', '/api/v1/tlog/entries', { body: typed(`tile ${i}`) }),
        ),
      );
      const cpText = await call(srv, 'GET', '/tlog/checkpoint');
      assert.equal(cpText.status, 200);
      assert.match(cpText.headers.get('content-type') ?? '', /^text\/plain/);
      const { checkpoint } = openCheckpoint(cpText.text, origin, [parseVerifierKey(vkey)]);
      const n = checkpoint.size;
      assert.ok(n >= 41);
      const tile = await fetch(`${srv.base}/tlog/tile/0/000.p/${n}`);
      assert.equal(tile.status, 200);
      assert.match(tile.headers.get('cache-control') ?? '', /immutable/);
      const hashes = new Uint8Array(await tile.arrayBuffer());
      assert.equal(hashes.length, n * 32);
      const bundle = await fetch(`${srv.base}/tlog/tile/entries/000.p/${n}`);
      const entries = decodeEntryBundle(new Uint8Array(await bundle.arrayBuffer()));
      assert.equal(entries.length, n);
      for (const [i, body] of entries.entries())
        assert.deepEqual(
          Buffer.from(leafHash(body)),
          Buffer.from(hashes.subarray(i * 32, i * 32 + 32)),
        );
      assert.equal((await fetch(`${srv.base}/tlog/tile/0/000.p/${n + 1}`)).status, 404);
      assert.equal((await fetch(`${srv.base}/tlog/tile/0/001`)).status, 404);
      const bad = await call(srv, 'GET', '/tlog/tile/0/0');
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.code, 'TLOG_TILE_INVALID');

      const cons = await call(srv, 'GET', `/api/v1/tlog/proof/consistency?from=1&to=${n}`);
      verifyConsistency(1, n, cons.json.hashes.map(b64), b64(cons.json.root1), checkpoint.rootHash);
      const incl = await call(srv, 'GET', '/api/v1/tlog/proof/inclusion?index=3');
      verifyInclusion(
        3,
        incl.json.treeSize,
        leafHash(entries[3] as Uint8Array),
        incl.json.hashes.map(b64),
        b64(incl.json.rootHash),
      );
      assert.match(incl.json.tlogProof, /^c2sp\.org\/tlog-proof@v1\nindex 3\n/);
      // A proof for an older size comes with the checkpoint signed at that size.
      const older = (await call(srv, 'GET', '/api/v1/tlog/checkpoints?sinceSize=1')).json
        .checkpoints[0];
      const atOlder = await call(
        srv,
        'GET',
        `/api/v1/tlog/proof/inclusion?index=0&size=${older.size}`,
      );
      assert.equal(
        openCheckpoint(atOlder.json.checkpoint, origin, [parseVerifierKey(vkey)]).checkpoint.size,
        older.size,
      );
      assert.match(atOlder.json.tlogProof, /^c2sp\.org\/tlog-proof@v1\nindex 0\n/);
      const cps = await call(srv, 'GET', '/api/v1/tlog/checkpoints?sinceSize=0');
      assert.ok(cps.json.checkpoints.length >= 2);
    });

    it('refuses bad entries with coded errors and leaves the tree untouched', async () => {
      const before = (await call(srv, 'GET', '/api/v1/tlog')).json.size;
      const wrong = await call(srv, 'POST', '/api/v1/tlog/entries', {
        body: typed('x', { badSignature: true }),
      });
      assert.equal(wrong.status, 422);
      assert.equal(wrong.json.error.code, 'TLOG_ENTRY_SIGNATURE_INVALID');
      const malformed = await call(srv, 'POST', '/api/v1/tlog/entries', {
        body: { kind: 'hashedrekord' },
      });
      assert.equal(malformed.status, 400);
      assert.equal(malformed.json.error.code, 'TLOG_ENTRY_MALFORMED');
      const unknown = await call(srv, 'POST', '/api/v1/tlog/entries', { body: { kind: 'rpm' } });
      assert.equal(unknown.json.error.code, 'TLOG_ENTRY_MALFORMED');
      const notJson = await call(srv, 'POST', '/api/v1/tlog/entries', {
        body: '{',
        contentType: 'application/json',
      });
      assert.equal(notJson.status, 400);
      const huge = await call(srv, 'POST', '/api/v1/tlog/entries', {
        body: { ...typed('y'), publicKey: 'x'.repeat(2 * 1024 * 1024) },
      });
      assert.equal(huge.status, 413);
      const missing = await call(srv, 'GET', '/api/v1/tlog/entries/999999');
      assert.equal(missing.status, 404);
      assert.equal(missing.json.error.code, 'TLOG_ENTRY_NOT_FOUND');
      const range = await call(srv, 'GET', '/api/v1/tlog/proof/consistency?from=5&to=999999');
      assert.equal(range.json.error.code, 'TLOG_RANGE_INVALID');
      assert.equal((await call(srv, 'GET', '/api/v1/tlog')).json.size, before);
    });

    it("speaks Rekor's v1 API: create, conflict with location, get by UUID and index, log info", async () => {
      const created = await call(srv, 'POST', '/api/v1/log/entries', {
        body: rekorShaped('rekor one'),
      });
      assert.equal(created.status, 201, created.text);
      const [uuid] = Object.keys(created.json);
      assert.match(uuid ?? '', /^[0-9a-f]{80}$/);
      const entry = created.json[uuid as string];
      assert.equal(typeof entry.verification.signedEntryTimestamp, 'string');
      assert.equal(entry.verification.inclusionProof.logIndex, entry.logIndex);
      const body = JSON.parse(Buffer.from(entry.body, 'base64').toString());
      assert.equal(body.kind, 'hashedrekord');
      assert.equal(body.apiVersion, '0.0.1');

      const conflict = await call(srv, 'POST', '/api/v1/log/entries', {
        body: rekorShaped('rekor one'),
      });
      assert.equal(conflict.status, 409);
      assert.equal(conflict.headers.get('location'), `/api/v1/log/entries/${uuid?.slice(16)}`);
      const byUuid = await call(srv, 'GET', `/api/v1/log/entries/${uuid}`);
      assert.equal(byUuid.status, 200);
      assert.equal(
        Object.values(byUuid.json as Record<string, { logIndex: number }>)[0]?.logIndex,
        entry.logIndex,
      );
      const byIndex = await call(srv, 'GET', `/api/v1/log/entries?logIndex=${entry.logIndex}`);
      assert.equal(Object.keys(byIndex.json)[0], uuid);
      // The typed and the Rekor form of one signature are one leaf.
      const typedAgain = await call(srv, 'POST', '/api/v1/tlog/entries', {
        body: typed('rekor one'),
      });
      assert.equal(typedAgain.status, 200);
      assert.equal(typedAgain.json.index, entry.logIndex);
      const info = await call(srv, 'GET', '/api/v1/log');
      assert.equal(info.json.treeSize, (await call(srv, 'GET', '/api/v1/tlog')).json.size);
      assert.match(info.json.signedTreeHead, /\n\n\u2014 /);
      const pem = await call(srv, 'GET', '/api/v1/log/publicKey');
      assert.match(pem.text, /BEGIN PUBLIC KEY/);
    });
  });
}

describe('transparency log metrics', () => {
  it('/metrics counts appends by outcome and shows the log size', async () => {
    const srv = await startServer('sqlite', { tlog: { ratePerClient: 0 } });
    try {
      await call(srv, 'POST', '/api/v1/tlog/entries', { body: typed('metric one') });
      await call(srv, 'POST', '/api/v1/tlog/entries', { body: typed('metric one') });
      await call(srv, 'POST', '/api/v1/tlog/entries', {
        body: typed('metric two', { badSignature: true }),
      });
      const m = await call(srv, 'GET', '/metrics', {
        token: await tokenFor(srv.services, 'viewer'),
      });
      assert.match(m.text, /custody_tlog_appends_total\{outcome="logged"\} 1/);
      assert.match(m.text, /custody_tlog_appends_total\{outcome="duplicate"\} 1/);
      assert.match(m.text, /custody_tlog_appends_total\{outcome="refused"\} 1/);
      assert.match(m.text, /custody_tlog_size 1/);
    } finally {
      await srv.close();
    }
  });
});

describe('transparency log deployment settings', () => {
  it('limits appends per client with 429 and Retry-After', async () => {
    const srv = await startServer('sqlite', { tlog: { ratePerClient: 1 } });
    try {
      const answers = [];
      for (let i = 0; i < 4; i++)
        answers.push(await call(srv, 'POST', '/api/v1/tlog/entries', { body: typed(`rate ${i}`) }));
      const limited = answers.find((a) => a.status === 429);
      assert.ok(limited, answers.map((a) => a.status).join(','));
      assert.equal(limited.json.error.code, 'TLOG_RATE_LIMITED');
      assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    } finally {
      await srv.close();
    }
  });

  it('asks for a token on appends when the deployment requires one; reads stay public', async () => {
    const srv = await startServer('sqlite', { tlog: { requireToken: true, ratePerClient: 0 } });
    try {
      const anon = await call(srv, 'POST', '/api/v1/tlog/entries', { body: typed('t') });
      assert.equal(anon.status, 401);
      const viewer = await call(srv, 'POST', '/api/v1/tlog/entries', {
        body: typed('t'),
        token: await tokenFor(srv.services, 'viewer'),
      });
      assert.equal(viewer.status, 403);
      const publisher = await call(srv, 'POST', '/api/v1/tlog/entries', {
        body: typed('t'),
        token: await tokenFor(srv.services, 'publisher'),
      });
      assert.equal(publisher.status, 201);
      assert.equal((await call(srv, 'GET', '/tlog/checkpoint')).status, 200);
    } finally {
      await srv.close();
    }
  });
});

describe('the log collects witness cosignatures and serves them on its checkpoint', () => {
  it('a witness cosigns; /tlog/checkpoint then carries both signatures, also after further appends', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { createWitnessService } = await import('../../src/server/witness-server.js');
    const { WitnessCollector } = await import('../../src/app/tlog-follow/witness-collector.js');
    const { startWitnessing } = await import('../../src/app/tlog/periodic-witnessing.js');
    const { postAddCheckpoint } = await import('../../src/net/tlog-client.js');
    const { openNote } = await import('../../src/tlog/note.js');
    const srv = await startServer('sqlite', { tlog: { ratePerClient: 0 } });
    const dir = mkdtempSync(join(tmpdir(), 'custody-witnessed-'));
    const log = srv.services.tlog?.log;
    assert.ok(log);
    const witness = createWitnessService({
      name: 'witness.test/w1',
      key: generateKeyPairSync('ed25519').privateKey,
      logs: [{ origin: log.origin, verifiers: [parseVerifierKey(log.vkey)] }],
      statePath: join(dir, 'witness.json'),
      now: () => Math.floor(Date.now() / 1000),
    });
    const addr = await witness.listen('127.0.0.1', 0);
    const loop = startWitnessing(
      log,
      new WitnessCollector({
        witnesses: [{ url: `http://127.0.0.1:${addr.port}`, vkey: witness.vkey }],
        submit: (url, body) => postAddCheckpoint(url, body, { retries: 0 }),
      }),
      60_000,
    );
    try {
      for (const round of [1, 2]) {
        for (let i = 0; i < 5; i++)
          await call(srv, 'POST', '/api/v1/tlog/entries', {
            body: typed(`witnessed ${round} ${i}`),
          });
        const reports = await loop.runOnce();
        assert.ok(reports[0]?.ok, JSON.stringify(reports));
        const served = (await call(srv, 'GET', '/tlog/checkpoint')).text;
        const byWitness = openNote(served, [parseVerifierKey(witness.vkey)]);
        const byLog = openNote(served, [parseVerifierKey(log.vkey)]);
        assert.equal(byWitness.note.text, byLog.note.text);
        assert.equal(byLog.note.signatures.length, 2);
        // Further appends publish newer checkpoints the witness has not seen yet: the tiles'
        // checkpoint stays the newest cosigned one; the API names the newest.
        for (let i = 0; i < 3; i++)
          await call(srv, 'POST', '/api/v1/tlog/entries', { body: typed(`later ${round} ${i}`) });
        const later = (await call(srv, 'GET', '/tlog/checkpoint')).text;
        assert.equal(openNote(later, [parseVerifierKey(witness.vkey)]).note.text, byLog.note.text);
        const info = (await call(srv, 'GET', '/api/v1/tlog')).json as { size: number };
        assert.equal(info.size, round * 8);
        assert.match(byLog.note.text, new RegExp(`\\n${round * 8 - 3}\\n`));
      }
    } finally {
      await loop.stop();
      await witness.close();
      await srv.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
