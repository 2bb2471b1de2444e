import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Command } from 'commander';
import { parseArchive } from '../../../src/app/tlog-follow/archive.js';
import { WitnessCollector } from '../../../src/app/tlog-follow/witness-collector.js';
import { registerLog } from '../../../src/cli/commands/log.js';
import { CliExit } from '../../../src/cli/exit.js';
import type { CliIO } from '../../../src/cli/io.js';
import { postAddCheckpoint } from '../../../src/net/tlog-client.js';
import { createWitnessService } from '../../../src/server/witness-server.js';
import { openNote, parseVerifierKey } from '../../../src/tlog/note.js';
import { call, startServer, type TestServer } from '../../helpers/server.js';
import { readTree } from './static-log.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();

function entry(artifact: string) {
  return {
    kind: 'hashedrekord',
    digest: `sha256:${createHash('sha256').update(artifact).digest('hex')}`,
    signature: sign('sha256', Buffer.from(artifact), privateKey).toString('base64'),
    publicKey: publicPem,
  };
}

async function cli(cwd: string, ...argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: () => true },
    env: {},
    cwd,
  };
  const program = new Command('custody').exitOverride();
  registerLog(program, io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return { code: 0, out };
  } catch (e) {
    if (e instanceof CliExit) return { code: e.code, out };
    throw e;
  }
}

describe('following a real `custody serve` log', () => {
  let srv: TestServer;
  let dir: string;
  let vkey: string;
  before(async () => {
    srv = await startServer('sqlite', { tlog: { ratePerClient: 0 } });
    dir = mkdtempSync(join(tmpdir(), 'custody-follow-serve-'));
    vkey = (await call(srv, 'GET', '/api/v1/tlog')).json.vkey;
  });
  after(async () => {
    await srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const append = async (n: number, tag: string) => {
    for (let i = 0; i < n; i++) {
      const r = await call(srv, 'POST', '/api/v1/tlog/entries', { body: entry(`${tag} ${i}`) });
      assert.ok(r.status === 201, r.text);
    }
  };

  it('mirrors, monitors, archives and proves inclusion offline', async () => {
    const from = `${srv.base}/tlog/`;
    await append(5, 'first');
    const m1 = await cli(
      dir,
      'log',
      'mirror',
      '--from',
      from,
      '--vkey',
      vkey,
      '--dir',
      'm',
      '--json',
    );
    assert.equal(m1.code, 0);
    const mon = ['log', 'monitor', '--from', from, '--vkey', vkey, '--state', 's.json', '--json'];
    assert.equal((await cli(dir, ...mon)).code, 0);
    await append(4, 'second');
    const m2 = await cli(
      dir,
      'log',
      'mirror',
      '--from',
      from,
      '--vkey',
      vkey,
      '--dir',
      'm',
      '--json',
    );
    assert.equal(m2.code, 0);
    assert.equal(JSON.parse(m2.out).size, 9);
    const checked = await cli(dir, ...mon);
    assert.equal(checked.code, 0);
    assert.equal(JSON.parse(checked.out).kind, 'grown');

    // The mirror's tile files are the service's, byte for byte.
    for (const [path, body] of readTree(join(dir, 'm'))) {
      if (path === 'checkpoints.jsonl' || path === 'checkpoint') continue;
      const served = new Uint8Array(await (await fetch(`${from}${path}`)).arrayBuffer());
      assert.deepEqual(served, body, path);
    }

    // The archive from the service's own checkpoint list, and a proof from its proof endpoint.
    const ex = await cli(
      dir,
      'log',
      'checkpoints',
      'export',
      '--from',
      from,
      '--vkey',
      vkey,
      '-o',
      'a.jsonl',
    );
    assert.equal(ex.code, 0);
    const proof = await call(srv, 'GET', '/api/v1/tlog/proof/inclusion?index=6');
    writeFileSync(join(dir, 'proof.json'), proof.text);
    const leaf = (await call(srv, 'GET', '/api/v1/tlog/entries/6')).json.leafHash as string;
    const v = await cli(
      dir,
      'log',
      'verify-inclusion',
      '--archive',
      'a.jsonl',
      '--entry',
      leaf,
      '--proof',
      'proof.json',
      '--json',
    );
    assert.equal(v.code, 0, v.out);
  });

  it('the collector gets the service’s checkpoints cosigned by a witness', async () => {
    const wkey = generateKeyPairSync('ed25519').privateKey;
    const info = (await call(srv, 'GET', '/api/v1/tlog')).json;
    const witness = createWitnessService({
      name: 'witness.test/w1',
      key: wkey,
      logs: [{ origin: info.origin, verifiers: [parseVerifierKey(info.vkey)] }],
      statePath: join(dir, 'witness.json'),
      now: () => 1_700_000_000,
    });
    const addr = await witness.listen('127.0.0.1', 0);
    try {
      const c = new WitnessCollector({
        witnesses: [{ url: `http://127.0.0.1:${addr.port}`, vkey: witness.vkey }],
        submit: (url, body) => postAddCheckpoint(url, body, { retries: 0 }),
      });
      const proofFrom = async (a: number, b: number) => {
        const r = await call(srv, 'GET', `/api/v1/tlog/proof/consistency?from=${a}&to=${b}`);
        return (r.json.hashes as string[]).map((h) => new Uint8Array(Buffer.from(h, 'base64')));
      };
      for (const n of [2, 3]) {
        await append(n, `witnessed ${n}`);
        const note = (await call(srv, 'GET', '/tlog/checkpoint')).text;
        const r = await c.collect(note, proofFrom);
        assert.ok(r.witnesses[0]?.ok, JSON.stringify(r.witnesses));
        openNote(note + r.lines.join(''), [parseVerifierKey(witness.vkey)]);
      }
      const archive = parseArchive(
        (
          await cli(
            dir,
            'log',
            'checkpoints',
            'export',
            '--from',
            `${srv.base}/tlog/`,
            '--vkey',
            vkey,
          )
        ).out,
      );
      assert.ok(archive.checkpoints.length >= 3);
    } finally {
      await witness.close();
    }
  });
});
