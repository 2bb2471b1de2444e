import assert from 'node:assert/strict';
import { createHash, createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import { WitnessCollector } from '../../../src/app/tlog-follow/witness-collector.js';
import {
  generateWitnessKey,
  parseWitnessConfig,
} from '../../../src/app/tlog-follow/witness-cosigner.js';
import { CustodyError } from '../../../src/core/errors.js';
import { postAddCheckpoint } from '../../../src/net/tlog-client.js';
import { createWitnessService, type WitnessService } from '../../../src/server/witness-server.js';
import { signCheckpoint } from '../../../src/tlog/checkpoint.js';
import { EMPTY_ROOT } from '../../../src/tlog/index.js';
import { openNote, parseVerifierKey } from '../../../src/tlog/note.js';
import { formatAddCheckpoint } from '../../../src/tlog/witness.js';
import { StaticLog } from './static-log.js';

const ORIGIN = 'example.test/tlog';
const NAME = 'witness.test/w1';

interface Started {
  service: WitnessService;
  url: string;
  statePath: string;
  events: Record<string, unknown>[];
}

async function startWitness(
  dir: string,
  log: StaticLog,
  key = generateKeyPairSync('ed25519').privateKey,
  name = NAME,
): Promise<Started> {
  const statePath = join(dir, 'state.json');
  const events: Record<string, unknown>[] = [];
  const service = createWitnessService({
    name,
    key,
    logs: [{ origin: ORIGIN, verifiers: [parseVerifierKey(log.vkey)] }],
    statePath,
    now: () => 1_700_000_000,
    maxBodyBytes: 64 << 10,
    onEvent: (e) => events.push(e),
  });
  const addr = await service.listen('127.0.0.1', 0);
  return { service, url: `http://127.0.0.1:${addr.port}`, statePath, events };
}

async function post(url: string, body: string | Uint8Array): Promise<Response> {
  return fetch(`${url}/add-checkpoint`, { method: 'POST', body });
}

describe('witness service (C2SP tlog-witness add-checkpoint)', () => {
  let dir: string;
  let log: StaticLog;
  let w: Started;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-witness-'));
    log = new StaticLog(ORIGIN);
    w = await startWitness(dir, log);
  });
  afterEach(async () => {
    await w.service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const submit = (oldSize: number, proof: Uint8Array[], note: string) =>
    post(w.url, formatAddCheckpoint({ oldSize, proof, checkpoint: note }));

  it('200: cosigns, persists the state before answering, and serves it to monitors', async () => {
    log.grow(10);
    const note = log.publish();
    const r = await submit(0, [], note);
    assert.equal(r.status, 200);
    const body = await r.text();
    assert.match(body, /^\u2014 witness\.test\/w1 [A-Za-z0-9+/=]+\n$/);
    const verifier = parseVerifierKey(w.service.vkey);
    openNote(`${note}${body}`, [verifier]);
    const state = JSON.parse(readFileSync(w.statePath, 'utf8'));
    assert.equal(state.logs[ORIGIN].size, 10);
    // Grow with a proof.
    log.grow(300);
    const note2 = log.publish();
    const ok = await submit(10, log.tree.consistencyProof(10, 310), note2);
    assert.equal(ok.status, 200, await ok.clone().text());
    const hash = createHash('sha256').update(ORIGIN).digest('hex');
    const m = await fetch(`${w.url}/${hash}/checkpoint`);
    assert.equal(m.status, 200);
    const served = await m.text();
    assert.ok(served.startsWith(note2), 'the log’s note, then the cosignature');
    openNote(served, [verifier, parseVerifierKey(log.vkey)]);
    assert.equal((await fetch(`${w.url}/${'0'.repeat(64)}/checkpoint`)).status, 404);
  });

  it('200 again for the same size and root (a repeated request)', async () => {
    const note = log.grow(3).publish();
    assert.equal((await submit(0, [], note)).status, 200);
    assert.equal((await submit(3, [], note)).status, 200);
  });

  it('400: a malformed body, or an old size above the checkpoint', async () => {
    assert.equal((await post(w.url, 'old x\n\n')).status, 400);
    assert.equal((await post(w.url, 'hello')).status, 400);
    const note = log.grow(3).publish();
    assert.equal((await submit(4, [], note)).status, 400);
  });

  it('403: no signature from the log’s key, or a bad one', async () => {
    const impostor = new StaticLog(ORIGIN).grow(3);
    assert.equal((await submit(0, [], impostor.publish())).status, 403);
    const note = log.grow(3).publish();
    const tampered = note.replace(
      / ([A-Za-z0-9+/]{4})/,
      (_, s: string) => ` ${s === 'AAAA' ? 'BBBB' : 'AAAA'}`,
    );
    assert.equal((await submit(0, [], tampered)).status, 403);
  });

  it('404: an origin the witness does not follow', async () => {
    const other = new StaticLog('other.test/log').grow(3);
    const r = await submit(0, [], other.publish());
    assert.equal(r.status, 404);
  });

  it('409: the old size is not the witness’s, answered as text/x.tlog.size', async () => {
    const note = log.grow(5).publish();
    assert.equal((await submit(0, [], note)).status, 200);
    const note2 = log.grow(5).publish();
    const r = await submit(0, [], note2);
    assert.equal(r.status, 409);
    assert.equal(r.headers.get('content-type'), 'text/x.tlog.size');
    assert.equal(await r.text(), '5\n');
  });

  it('422: a bad proof, a proof from 0, another root at the same size, a bad empty root', async () => {
    const note = log.grow(5).publish();
    assert.equal((await submit(0, [new Uint8Array(32)], note)).status, 422);
    assert.equal((await submit(0, [], note)).status, 200);
    const note2 = log.grow(5).publish();
    assert.equal((await submit(5, [new Uint8Array(32)], note2)).status, 422);
    const fork = log.fork(4).grow(1, 'evil').publish();
    assert.equal((await submit(5, [], fork)).status, 422);
    const refused = w.events.filter((e) => e['status'] === 422);
    assert.ok(
      refused.some((e) => e['checkpoint'] === fork),
      'refusals keep the evidence',
    );
    const badEmpty = signCheckpoint(
      { origin: ORIGIN, size: 0, rootHash: new Uint8Array(32).fill(1), extensions: [] },
      [log.signer],
    );
    const fresh = await startWitness(join(dir, 'fresh'), log);
    try {
      const r = await post(
        fresh.url,
        formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: badEmpty }),
      );
      assert.equal(r.status, 422);
      const empty = signCheckpoint(
        { origin: ORIGIN, size: 0, rootHash: EMPTY_ROOT, extensions: [] },
        [log.signer],
      );
      const ok = await post(
        fresh.url,
        formatAddCheckpoint({ oldSize: 0, proof: [], checkpoint: empty }),
      );
      assert.equal(ok.status, 200);
    } finally {
      await fresh.service.close();
    }
  });

  it('405, 413 and 404 for other requests', async () => {
    assert.equal((await fetch(`${w.url}/add-checkpoint`)).status, 405);
    assert.equal((await post(w.url, 'x'.repeat(70 << 10))).status, 413);
    assert.equal((await fetch(`${w.url}/nothing`)).status, 404);
  });

  it('keeps its state across restarts', async () => {
    const note = log.grow(7).publish();
    assert.equal((await submit(0, [], note)).status, 200);
    await w.service.close();
    w = await startWitness(dir, log);
    const r = await submit(0, [], log.grow(1).publish());
    assert.equal(r.status, 409);
    assert.equal(await r.text(), '7\n');
  });

  it('serialises concurrent requests: one of two racing updates from the same old size wins', async () => {
    const a = log.grow(4).publish();
    const b = log.grow(4).publish();
    const [ra, rb] = await Promise.all([submit(0, [], a), submit(0, [], b)]);
    assert.deepEqual([ra.status, rb.status].sort(), [200, 409]);
  });
});

describe('witness config and keys', () => {
  it('a generated key round-trips through PEM and its vkey verifies its cosignatures', () => {
    const { privateKeyPem, vkey } = generateWitnessKey(NAME);
    createPrivateKey(privateKeyPem);
    assert.equal(parseVerifierKey(vkey).name, NAME);
    assert.throws(() => generateWitnessKey('bad name'), CustodyError);
  });

  it('reports every problem of a config at once', () => {
    const e = (() => {
      try {
        parseWitnessConfig(
          JSON.stringify({ logs: [{ origin: '' }, { origin: 'a', vkeys: ['x'] }] }),
        );
      } catch (err) {
        return err as CustodyError;
      }
      assert.fail('expected an error');
    })();
    assert.equal(e.code, 'USAGE');
    assert.equal((e.details?.['problems'] as string[] | undefined)?.length, 3);
  });
});

describe('WitnessCollector', () => {
  let dir: string;
  let log: StaticLog;
  let w1: Started;
  let w2: Started;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-collector-'));
    log = new StaticLog(ORIGIN);
    w1 = await startWitness(join(dir, 'w1'), log, undefined, 'witness.test/w1');
    w2 = await startWitness(join(dir, 'w2'), log, undefined, 'witness.test/w2');
  });
  after(async () => {
    await w1.service.close();
    await w2.service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const submit = (url: string, body: string) => postAddCheckpoint(url, body, { retries: 0 });
  const proof = (a: number, b: number) => log.tree.consistencyProof(a, b);

  it('collects verified cosignatures from every witness, growing step by step', async () => {
    const c = new WitnessCollector({
      witnesses: [
        { url: w1.url, vkey: w1.service.vkey },
        { url: w2.url, vkey: w2.service.vkey },
      ],
      submit,
    });
    for (const n of [3, 300, 1]) {
      const note = log.grow(n).publish();
      const r = await c.collect(note, proof);
      assert.equal(r.lines.length, 2, JSON.stringify(r.witnesses));
      assert.ok(r.witnesses.every((x) => x.ok));
      const verified = openNote(note + r.lines.join(''), [
        parseVerifierKey(w1.service.vkey),
        parseVerifierKey(w2.service.vkey),
      ]);
      assert.equal(verified.verifiedBy.length, 2);
    }
  });

  it('a new collector learns each witness’s size from its 409', async () => {
    const c = new WitnessCollector({ witnesses: [{ url: w1.url, vkey: w1.service.vkey }], submit });
    const note = log.grow(20).publish();
    const r = await c.collect(note, proof);
    assert.ok(r.witnesses[0]?.ok, JSON.stringify(r.witnesses));
    assert.equal(r.witnesses[0]?.witnessSize, log.tree.size);
  });

  it('reports a witness whose cosignature does not verify, and an unreachable one', async () => {
    const c = new WitnessCollector({
      witnesses: [
        { url: w2.url, vkey: generateWitnessKey('witness.test/w2').vkey },
        { url: 'http://127.0.0.1:1', vkey: w1.service.vkey },
      ],
      submit,
    });
    const r = await c.collect(log.grow(2).publish(), proof);
    assert.deepEqual(r.lines, []);
    assert.deepEqual(
      r.witnesses.map((x) => x.error?.code),
      ['TLOG_NOTE_UNVERIFIED', 'TLOG_FETCH_FAILED'],
    );
  });

  it('reports the witness refusing a fork (422)', async () => {
    const c = new WitnessCollector({ witnesses: [{ url: w1.url, vkey: w1.service.vkey }], submit });
    const fork = log.fork(10).grow(400, 'evil');
    const r = await c.collect(fork.publish(), (a, b) => fork.tree.consistencyProof(a, b));
    assert.deepEqual(r.lines, []);
    assert.equal(r.witnesses[0]?.error?.code, 'TLOG_WITNESS_REFUSED');
    assert.equal(r.witnesses[0]?.error?.status, 422);
  });

  it('checks its input', async () => {
    assert.throws(
      () => new WitnessCollector({ witnesses: [{ url: 'x', vkey: 'nope' }], submit }),
      CustodyError,
    );
    await assert.rejects(
      new WitnessCollector({ witnesses: [], submit }).collect('not a note', proof),
      CustodyError,
    );
  });
});
