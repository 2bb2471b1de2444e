import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import { initCa, loadCa, openDevOidcIssuer } from '../../../src/app/ca/index.js';
import { registerCa } from '../../../src/cli/commands/ca.js';
import { registerTrust } from '../../../src/cli/commands/trust.js';
import type { CliIO } from '../../../src/cli/io.js';
import { CoreError } from '../../../src/core/errors.js';
import { caPaths } from '../../../src/fs/ca-files.js';
import { readTrustStore } from '../../../src/fs/trusted-root-files.js';
import { createJwksSource } from '../../../src/net/jwks-client.js';
import { SignError } from '../../../src/sign/errors.js';
import { jwkFromKey, parseJwt, verifyIdToken } from '../../../src/sign/oidc/index.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';
import { call, startServer } from '../../helpers/server.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'custody-ca-app-'));
  dirs.push(d);
  return d;
};
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function cli(cwd: string, argv: string[]) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: {},
    cwd,
  };
  const program = new Command('custody').exitOverride();
  registerCa(program, io);
  registerTrust(program, io);
  await program.parseAsync(argv, { from: 'user' });
  return { stdout, stderr };
}

describe('CA files', () => {
  it('init writes keys 0600, refuses to overwrite, and --force adds a second trusted CA', async () => {
    const dataDir = tmp();
    const now = new Date();
    await initCa({ dataDir, uri: 'https://ca.example', now, keyType: 'ecdsa-p384' });
    const p = caPaths(dataDir);
    assert.equal(statSync(p.rootKey).mode & 0o777, 0o600);
    assert.equal(statSync(p.intermediateKey).mode & 0o777, 0o600);
    await expectCustodyErrorAsync(() => initCa({ dataDir, uri: 'x', now }), CoreError, 'USAGE');
    const first = await loadCa(dataDir);
    await initCa({ dataDir, uri: 'https://ca.example', now, force: true });
    const second = await loadCa(dataDir);
    assert.notDeepEqual(first.chainPem, second.chainPem);
    assert.equal(readTrustStore(p.trustedRoot).certificateAuthorities.length, 2);
  });

  it('loadCa says to run ca init when there is no CA', async () => {
    await expectCustodyErrorAsync(() => loadCa(tmp()), SignError, 'SIGN_KEY_INVALID');
  });
});

describe('JWKS source', () => {
  const key = generateKeyPairSync('ed25519').privateKey;
  const jwks = { keys: [jwkFromKey(key, 'k1')] };
  it('caches fetched keys for the TTL, refetches on an unknown kid at most every minRefresh', async () => {
    let now = 0;
    const urls: string[] = [];
    const src = createJwksSource({
      issuer: 'https://issuer.example/',
      fetch: (async (url: string) => {
        urls.push(url);
        return new Response(
          JSON.stringify(
            url.endsWith('openid-configuration') ? { jwks_uri: 'https://keys.example/jwks' } : jwks,
          ),
        );
      }) as typeof fetch,
      clock: () => new Date(now),
      ttlMs: 1000,
      minRefreshMs: 100,
    });
    assert.deepEqual(await src.get(), jwks);
    assert.deepEqual(urls, [
      'https://issuer.example/.well-known/openid-configuration',
      'https://keys.example/jwks',
    ]);
    await src.get();
    assert.equal(urls.length, 2);
    assert.equal(await src.refreshIfStale(), false);
    now = 150;
    assert.equal(await src.refreshIfStale(), true);
    assert.equal(urls.length, 4);
    now = 2000;
    await src.get();
    assert.equal(urls.length, 6);
  });

  it('unreachable, non-200 and non-JWKS answers are SIGN_SERVICE_FAILED or a malformed JWKS', async () => {
    const answering = (r: () => Response | Promise<Response>) =>
      createJwksSource({
        issuer: 'https://i',
        jwksUrl: 'https://i/jwks',
        fetch: (async () => r()) as unknown as typeof fetch,
      });
    const e1 = await expectCustodyErrorAsync(
      () => answering(() => Promise.reject(new Error('ECONNREFUSED'))).get(),
      SignError,
      'SIGN_SERVICE_FAILED',
    );
    assert.equal(e1.details?.['service'], 'oidc');
    await expectCustodyErrorAsync(
      () => answering(() => new Response('', { status: 503 })).get(),
      SignError,
      'SIGN_SERVICE_FAILED',
    );
    await expectCustodyErrorAsync(
      () => answering(() => new Response('<html>')).get(),
      SignError,
      'SIGN_SERVICE_FAILED',
    );
    await expectCustodyErrorAsync(
      () => answering(() => new Response('{"keys": 1}')).get(),
      SignError,
      'SIGN_TOKEN_INVALID',
    );
  });

  it('reads a JWKS file', async () => {
    const f = join(tmp(), 'jwks.json');
    writeFileSync(f, JSON.stringify(jwks));
    assert.deepEqual(await createJwksSource({ issuer: 'https://i', jwksFile: f }).get(), jwks);
    await expectCustodyErrorAsync(
      () => createJwksSource({ issuer: 'https://i', jwksFile: `${f}.missing` }).get(),
      SignError,
      'SIGN_SERVICE_FAILED',
    );
  });
});

describe('dev OIDC issuer', () => {
  it('mints labelled tokens its own JWKS verifies, keeps its key across opens, and passes only CI claims', async () => {
    const dataDir = tmp();
    const dev = openDevOidcIssuer({ dataDir, issuer: 'http://127.0.0.1:8080/dev-oidc/' });
    assert.equal(dev.issuer, 'http://127.0.0.1:8080/dev-oidc');
    const { idToken } = dev.mintToken({
      subject: 'alice@example.com',
      claims: { repository: 'o/r', email: 'root@evil', is_admin: 'true' },
    });
    const v = await verifyIdToken(idToken, {
      jwks: dev.jwks(),
      issuers: [dev.issuer],
      audience: 'sigstore',
      now: new Date(),
    });
    assert.equal(v.claims['custody_dev_issuer'], true);
    assert.equal(v.claims['email'], 'alice@example.com');
    assert.equal(v.claims['repository'], 'o/r');
    assert.equal(v.claims['is_admin'], undefined);
    assert.match(String(parseJwt(idToken).header['kid']), /^dev-/);
    assert.deepEqual(openDevOidcIssuer({ dataDir, issuer: dev.issuer }).jwks(), dev.jwks());
    assert.throws(() => dev.mintToken({ subject: ' ' }), CoreError);
    assert.throws(() => dev.mintToken({ subject: 'a', ttlSeconds: 7200 }), CoreError);
  });

  it("mints tokens no longer-lived than the CA's maximum (CUSTODY_OIDC_MAX_TOKEN_LIFETIME)", () => {
    const lifetime = (t: string) => {
      const c = parseJwt(t).claims as { iat: number; exp: number };
      return c.exp - c.iat;
    };
    const dataDir = tmp();
    const dev = openDevOidcIssuer({ dataDir, issuer: 'http://127.0.0.1:8080/dev-oidc' });
    assert.equal(lifetime(dev.mintToken({ subject: 'a@example.com' }).idToken), 600);
    assert.throws(() => dev.mintToken({ subject: 'a', ttlSeconds: 601 }), CoreError);
    const short = openDevOidcIssuer({ dataDir, issuer: dev.issuer, maxTtlSeconds: 120 });
    assert.equal(lifetime(short.mintToken({ subject: 'a@example.com' }).idToken), 120);
    assert.throws(() => short.mintToken({ subject: 'a', ttlSeconds: 121 }), CoreError);
  });
});

describe('custody ca init / trust add|remove|list', () => {
  it('init with --log-url trusts the CA and the log; trust list/remove --at/remove edit the root', async () => {
    const srv = await startServer('sqlite');
    try {
      const cwd = tmp();
      const init = await cli(cwd, [
        'ca',
        'init',
        '--data-dir',
        'd',
        '--uri',
        'https://ca.example',
        '--log-url',
        srv.base,
      ]);
      assert.match(init.stdout, /BEGIN CERTIFICATE/);
      const rootPath = join(cwd, 'd', 'trusted_root.json');
      const root = JSON.parse(readFileSync(rootPath, 'utf8'));
      assert.equal(root.certificateAuthorities.length, 1);
      assert.deepEqual(root.tlogs, [(await call(srv, 'GET', '/api/v1/tlog')).json.trustedRootTlog]);

      const list = JSON.parse(
        (await cli(cwd, ['trust', 'list', '--data-dir', 'd', '--json'])).stdout,
      );
      assert.deepEqual(
        list.map((r: { kind: string }) => r.kind),
        ['ca', 'tlog'],
      );
      const caId = list[0].id as string;

      // A second CA from its chain file, then the first retired and the log removed.
      const other = tmp();
      await initCa({ dataDir: other, uri: 'https://ca2.example', now: new Date() });
      await cli(cwd, [
        'trust',
        'add',
        '--data-dir',
        'd',
        '--ca',
        join(other, 'ca', 'intermediate.pem'),
        '--uri',
        'https://ca2.example',
      ]);
      await cli(cwd, [
        'trust',
        'remove',
        caId.slice(0, 10),
        '--data-dir',
        'd',
        '--at',
        '2030-01-01T00:00:00Z',
      ]);
      await cli(cwd, ['trust', 'remove', list[1].id, '--trusted-root', rootPath]);
      const after = readTrustStore(rootPath);
      assert.equal(after.tlogs.length, 0);
      assert.deepEqual(
        after.certificateAuthorities.map((c) => [c.uri, c.validFor.end]),
        [
          ['https://ca.example', '2030-01-01T00:00:00.000Z'],
          ['https://ca2.example', undefined],
        ],
      );
      const text = (await cli(cwd, ['trust', 'list', '--data-dir', 'd'])).stdout;
      assert.match(text, /until 2030-01-01/);

      // Merging another root: its CA is the one added from the chain file, now with its root too.
      await cli(cwd, [
        'trust',
        'add',
        '--data-dir',
        'd',
        '--from',
        join(other, 'trusted_root.json'),
      ]);
      const merged = readTrustStore(rootPath).certificateAuthorities;
      assert.equal(merged.length, 2);
      assert.equal(merged[1]?.certChain.certificates.length, 2);
      await assert.rejects(cli(cwd, ['trust', 'add', '--data-dir', 'd']), CoreError);
    } finally {
      await srv.close();
    }
  });
});
