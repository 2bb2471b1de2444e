import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  chmodSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { formatVerifierKey } from '../../src/tlog/index.js';
import { type Served, serveProcess } from '../helpers/serve-process.js';

/**
 * A new user's path with a keyed signature on one machine, against a real `custody serve` on a
 * fresh data directory: sign and attest with CUSTODY_URL set (logged), `custody trust fetch`, and
 * `custody verify … --key … --trusted-root` verifying the log entry too. The attestation's
 * predicate is a 10,000-component SBOM, whose DSSE envelope is far over the 1 MiB body limit of
 * ordinary requests. Also: the data directory and everything in it is private to its owner.
 */

async function cli(cwd: string, argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

/** A CycloneDX 1.6 SBOM with `n` components (about 2.6 MB for 10,000). */
function bigSbom(n: number): string {
  const components = Array.from({ length: n }, (_, i) => ({
    type: 'library',
    'bom-ref': `pkg:npm/package-${i}@1.0.${i % 100}`,
    name: `package-${i}`,
    version: `1.0.${i % 100}`,
    purl: `pkg:npm/package-${i}@1.0.${i % 100}`,
    hashes: [{ alg: 'SHA-256', content: i.toString(16).padStart(64, '0') }],
    licenses: [{ license: { id: 'MIT' } }],
  }));
  return JSON.stringify({
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    version: 1,
    metadata: { component: { type: 'application', name: 'big-app', version: '1.0.0' } },
    components,
  });
}

const mode = (p: string) => statSync(p).mode & 0o777;

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? [p, ...walk(p)] : [p];
  });
}

describe('keyed signing against a local service, verified with its fetched trusted root', () => {
  let work: string;
  let dataDir: string;
  let served: Served;
  let env: Record<string, string>;
  let vkey: string;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'custody-trust-fetch-'));
    dataDir = join(work, 'data');
    served = await serveProcess(dataDir);
    // The verifier key and the first admin token follow the "listening" line.
    for (let i = 0; i < 100 && !/CUSTODY_TOKEN=\S+\n/.test(served.stdout()); i++)
      await new Promise((r) => setTimeout(r, 50));
    vkey = /verifier key (\S+)/.exec(served.stderr())?.[1] ?? '';
    const token = /export CUSTODY_TOKEN=(\S+)/.exec(served.stdout())?.[1] ?? '';
    env = { CUSTODY_URL: served.url, CUSTODY_TOKEN: token };
    const k = await cli(work, ['keys', 'generate', '-o', 'k.key']);
    assert.equal(k.code, 0, k.stderr);
    writeFileSync(join(work, 'release.tar'), 'release bytes\n');
  });

  after(async () => {
    served?.child.kill('SIGTERM');
    await served?.exit;
    rmSync(work, { recursive: true, force: true });
  });

  it('trust fetch saves the trusted root, checked against the log key (and --vkey)', async () => {
    const r = await cli(work, ['trust', 'fetch', served.url, '-o', 't.json', '--vkey', vkey], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /1 log\(s\), 0 CA\(s\)/);
    const root = JSON.parse(readFileSync(join(work, 't.json'), 'utf8'));
    assert.equal(root.tlogs.length, 1);
    // CUSTODY_URL is the default service.
    const again = await cli(work, ['trust', 'fetch', '-o', 't2.json'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, new RegExp(`signs with ${vkey.replace(/[+/]/g, '\\$&')}`));
  });

  it('trust fetch refuses a service whose log is not the --vkey given', async () => {
    const other = vkey.replace(/\+[0-9a-f]{8}\+/, '+00000000+');
    const r = await cli(work, ['trust', 'fetch', served.url, '-o', 'x.json', '--vkey', other]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /TLOG_KEY_INVALID/); // the key ID is not the key's
    // A well-formed vkey of the log's name for another key.
    const wrongKey = formatVerifierKey(
      vkey.split('+')[0] as string,
      generateKeyPairSync('ed25519').publicKey,
    );
    const r2 = await cli(work, ['trust', 'fetch', served.url, '-o', 'x.json', '--vkey', wrongKey]);
    assert.equal(r2.code, 2, r2.stderr);
    assert.match(r2.stderr, /SIGN_TRUSTED_ROOT_INVALID: .* not with the --vkey given/);
    assert.throws(() => statSync(join(work, 'x.json')));
  });

  it('a keyed signature logged in the local log verifies with --key and the fetched root', async () => {
    const s = await cli(work, ['sign', 'release.tar', '--key', 'k.key', '-o', 'b.json'], env);
    assert.equal(s.code, 0, s.stderr);
    const f = await cli(work, ['trust', 'fetch', served.url, '-o', 'trusted_root.json']);
    assert.equal(f.code, 0, f.stderr);
    const v = await cli(work, [
      'verify',
      'release.tar',
      '--bundle',
      'b.json',
      '--key',
      'k.pub',
      '--trusted-root',
      'trusted_root.json',
      '--require-tlog',
    ]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /Verified OK: .*logged at index \d+/);
  });

  it('attests a 10,000-component SBOM with a key against the service (envelope over 1 MiB)', async () => {
    const sbom = bigSbom(10_000);
    assert.ok(sbom.length > 2 * 1024 * 1024, `${sbom.length} bytes`);
    writeFileSync(join(work, 'sbom.json'), sbom);
    const a = await cli(
      work,
      [
        'attest',
        'sbom.json',
        '--predicate',
        'sbom.json',
        '--type',
        'cyclonedx',
        '--key',
        'k.key',
        '-o',
        'att.json',
      ],
      env,
    );
    assert.equal(a.code, 0, a.stderr);
    const f = await cli(work, ['trust', 'fetch', served.url, '-o', 'trusted_root.json']);
    assert.equal(f.code, 0, f.stderr);
    const v = await cli(work, [
      'verify-attestation',
      'sbom.json',
      '--bundle',
      'att.json',
      '--type',
      'cyclonedx',
      '--key',
      'k.pub',
      '--trusted-root',
      'trusted_root.json',
      '--require-tlog',
    ]);
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /logged at index \d+/);
  });

  it('the data directory is 0700 and every file in it 0600 (database, WAL, blobs, log key)', async () => {
    const p = await cli(
      work,
      ['push', 'sbom', 'sbom.json', '--product', 'big-app', '--release', '1.0.0'],
      env,
    );
    assert.equal(p.code, 0, p.stderr);
    assert.equal(mode(dataDir), 0o700);
    const all = walk(dataDir);
    const names = all.map((x) => x.slice(dataDir.length + 1));
    for (const must of ['custody.db', 'custody.db-wal', 'custody.db-shm', 'tlog/log-key.pem'])
      assert.ok(names.includes(must), `${must} missing: ${names.join(', ')}`);
    assert.ok(
      names.some((n) => /^blobs\/sha256\/[0-9a-f]{2}\/[0-9a-f]{62}$/.test(n)),
      'no blob stored',
    );
    assertPrivate(dataDir);
  });

  it('with keyless signing on: the CA files are private too, and the root holds CA and log', async () => {
    const dir = join(work, 'keyless-data');
    const keyless = await serveProcess(dir, {}, [], ['--dev-oidc']);
    try {
      const r = await cli(work, ['trust', 'fetch', keyless.url, '-o', 'keyless_root.json']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /1 log\(s\), 1 CA\(s\)/);
      const names = walk(dir).map((x) => x.slice(dir.length + 1));
      for (const must of ['ca/intermediate-key.pem', 'ca/root.pem', 'trusted_root.json'])
        assert.ok(names.includes(must), `${must} missing: ${names.join(', ')}`);
      assertPrivate(dir);
      // What trust fetch writes is for handing out: an ordinary output file.
      assert.equal(mode(join(work, 'keyless_root.json')) & 0o077, 0o044 & ~process.umask());
    } finally {
      keyless.child.kill('SIGTERM');
      await keyless.exit;
    }
  });

  it('an existing data directory of an earlier version (0755, database 0644) is tightened', async () => {
    const dir = join(work, 'old-data');
    const first = await serveProcess(dir);
    first.child.kill('SIGTERM');
    await first.exit;
    chmodSync(dir, 0o755);
    chmodSync(join(dir, 'custody.db'), 0o644);
    const again = await serveProcess(dir);
    try {
      assertPrivate(dir);
    } finally {
      again.child.kill('SIGTERM');
      await again.exit;
    }
  });
});

/** The directory 0700 and everything in it 0700 (folders) or 0600 (files). */
function assertPrivate(dir: string): void {
  assert.equal(mode(dir).toString(8), '700', dir);
  for (const p of walk(dir)) {
    const want = statSync(p).isDirectory() ? 0o700 : 0o600;
    assert.equal(mode(p).toString(8), want.toString(8), p);
  }
}
