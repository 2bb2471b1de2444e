/**
 * The CLI as users run it: bin/custody.js → the bundle in dist/cli/ (scripts/bundle-cli.mjs, made
 * by `npm run build`). Code that finds files relative to its own module (worker entry points, the
 * dashboard's assets) must find them from the bundle too.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { generateSbom } from '../../src/app/generate-sbom.js';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { preAuthEncoding } from '../../src/formats/dsse.js';
import { prepareSbom } from '../../src/inventory/index.js';
import { DEFAULT_GATE_POLICY } from '../../src/sbom/quality/gate-policy.js';
import { type PreparedWire, preparedFromWire } from '../../src/workers/prepare-wire.js';
import { conformancePath, REPO_ROOT } from '../helpers/conformance.js';

const BIN = join(REPO_ROOT, 'bin/custody.js');
const BUNDLE = join(REPO_ROOT, 'dist/cli');
const LOCKFILE = conformancePath('lockfiles/npm/cdxgen__flink-dashboard.package-lock.v2.json');

/** Log every module of this package's dist/ that Node resolves, to stderr, from the loader thread. */
const DIST_URL = `${pathToFileURL(REPO_ROOT).href}/dist/`;
const TRACE_DIST = `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(
  `data:text/javascript,export async function resolve(s,c,n){const r=await n(s,c);if(r.url.startsWith(${JSON.stringify(DIST_URL)}))process.stderr.write("loaded "+r.url+"\\n");return r;}`,
)})`;

function custody(args: string[], nodeArgs: string[] = [], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [...nodeArgs, BIN, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, ...env },
  });
}

describe('bin/custody.js runs the bundled CLI', () => {
  it('the build made the bundle: its entry and the worker entry points', () => {
    for (const f of ['main.js', 'prepare-worker.js', 'entry-worker.js']) {
      assert.ok(existsSync(join(BUNDLE, f)), `dist/cli/${f} (npm run build)`);
    }
  });

  it('every module of the bundle loads, in any order (no import runs before what it needs)', () => {
    const r = spawnSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import { readdirSync } from 'node:fs';
         const dir = ${JSON.stringify(`${BUNDLE}/`)};
         const files = readdirSync(dir).filter((f) => f.endsWith('.js'));
         for (const f of files) await import(dir + f);
         console.log(files.length);`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.ok(Number(r.stdout) > 10, r.stdout);
  });

  it('the native addon (build/Release, found relative to its module) is found from the bundle', async () => {
    const chunkWith = (text: string) =>
      readdirSync(BUNDLE)
        .filter((f) => f.endsWith('.js'))
        .map((f) => join(BUNDLE, f))
        .find((f) => readFileSync(f, 'utf8').includes(text));
    if (!existsSync(join(REPO_ROOT, 'build/Release/custody_prehashed.node'))) return;
    const addon = chunkWith('custody_prehashed.node');
    assert.ok(addon);
    const { verifyEcdsaPrehashed } = await import(pathToFileURL(addon).href);
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const data = Buffer.from('custody');
    const signature = sign('sha256', data, privateKey);
    const digest = createHash('sha256').update(data).digest();
    // 'native' throws when the addon was not found beside the module.
    assert.equal(verifyEcdsaPrehashed(publicKey, digest, signature, 'native'), true);
  });

  it('custody --version prints the version, exit 0', () => {
    const r = custody(['--version']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '0.1.0\n');
  });

  it('sbom generate loads only bundle modules and writes what the in-process CLI writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'custody-startup-'));
    writeFileSync(join(dir, 'package-lock.json'), readFileSync(LOCKFILE));
    writeFileSync(join(dir, 'package.json'), '{"name":"flink-dashboard","version":"0.0.0"}');
    const r = custody(['sbom', 'generate', '--deterministic', dir], ['--import', TRACE_DIST]);
    assert.equal(r.status, 0, r.stderr);
    const loaded = r.stderr.split('\n').filter((l) => l.startsWith('loaded '));
    assert.ok(loaded.length > 0, r.stderr);
    for (const l of loaded) assert.match(l, /\/dist\/cli\/[^/]+\.js$/);
    let stdout = '';
    const io: CliIO = {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: () => true },
      env: {},
      cwd: REPO_ROOT,
    };
    assert.equal(await run(['sbom', 'generate', '--deterministic', dir], io), 0);
    assert.equal(r.stdout, stdout);
  });

  it("the bundle's ingest worker answers as prepareSbom does in-process", async () => {
    const sbom = await generateSbom(join(REPO_ROOT, 'examples/demo-app'), { deterministic: true });
    const bytes = new TextEncoder().encode(sbom.text);
    const nowIso = '2026-01-01T00:00:00.000Z';
    const worker = new Worker(join(BUNDLE, 'prepare-worker.js'));
    try {
      const answer = await new Promise<{ id: number; result?: unknown; error?: unknown }>(
        (resolve, reject) => {
          worker.once('message', resolve);
          worker.once('error', reject);
          worker.postMessage({ id: 7, bytes, nowIso, policy: DEFAULT_GATE_POLICY });
        },
      );
      assert.equal(answer.id, 7);
      assert.equal(answer.error, undefined);
      // The worker posts its result as JSON text (prepare-wire.ts); decoded, it must be the same.
      assert.deepEqual(
        { ...preparedFromWire(answer.result as PreparedWire) },
        await prepareSbom(bytes, nowIso, DEFAULT_GATE_POLICY),
      );
    } finally {
      await worker.terminate();
    }
  });
});

describe('custody serve from the bundle', () => {
  let child: ReturnType<typeof spawn> | undefined;
  let url = '';
  before(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'custody-startup-serve-'));
    child = spawn(
      process.execPath,
      [BIN, 'serve', '--data-dir', dataDir, '--listen', '127.0.0.1:0'],
      {
        env: {
          ...process.env,
          CUSTODY_DATABASE_URL: '',
          CUSTODY_LOG_LEVEL: 'warn',
          CUSTODY_TLOG_RATE: '0',
          CUSTODY_TLOG_CHECK_WORKERS: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let err = '';
    url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000);
      child?.stderr?.on('data', (b: Buffer) => {
        err += b.toString();
        const m = /Custody is listening on (http:\/\/[^\s]+)/.exec(err);
        if (m) {
          clearTimeout(timer);
          resolve(m[1] as string);
        }
      });
      child?.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)));
    });
  });
  after(() => {
    child?.kill();
  });

  it('serves the dashboard from dist/web', async () => {
    const r = await fetch(url, { headers: { accept: 'text/html' } });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /text\/html/);
    assert.match(await r.text(), /<html/i);
  });

  it('checks a log entry on its worker thread (entry-worker from the bundle)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const payloadType = 'application/vnd.in-toto+json';
    const payload = Buffer.from(JSON.stringify({ _type: 'startup-test' }));
    const sig = sign('sha256', preAuthEncoding(payloadType, payload), privateKey);
    const r = await fetch(`${url}/api/v1/tlog/entries`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'dsse',
        envelope: JSON.stringify({
          payloadType,
          payload: payload.toString('base64'),
          signatures: [{ keyid: '', sig: sig.toString('base64') }],
        }),
        publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      }),
    });
    assert.equal(r.status, 201, await r.text());
  });
});
