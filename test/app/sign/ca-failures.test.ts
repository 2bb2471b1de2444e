import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CaFailure } from '../../../src/app/ca/ca-failures.js';
import { createCaService } from '../../../src/app/ca/certificate-issuer.js';
import { openDevOidcIssuer } from '../../../src/app/ca/dev-oidc-issuer.js';
import { initCa, loadCa } from '../../../src/app/ca/init-ca.js';
import { call, startServer, type TestServer, tokenFor } from '../../helpers/server.js';

/**
 * The keyless CA counts its failed requests by stage and kind (issue [9], "Metrics"): an
 * unreachable JWKS or a CA key that cannot sign is infrastructure; a token it cannot trust or a
 * request that proves nothing is policy. And /metrics shows the counter.
 */

async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
function unsignedJwt(iss: string): string {
  const now = Math.floor(Date.now() / 1000);
  return `${b64({ alg: 'ES256', kid: 'k' })}.${b64({ iss, sub: 'someone', aud: 'sigstore', iat: now, exp: now + 300 })}.${b64({ s: 1 })}`;
}

function keyRequest(token: string, subject: string) {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    credentials: { oidcIdentityToken: token },
    publicKeyRequest: {
      publicKey: {
        algorithm: 'ECDSA',
        content: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      },
      proofOfPossession: sign('sha256', Buffer.from(subject), privateKey).toString('base64'),
    },
  };
}

describe('CA failures by stage and kind', () => {
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-ca-failures-'));
    await initCa({ dataDir: dir, uri: 'http://127.0.0.1:0', now: new Date() });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('verify/infrastructure: the issuer’s JWKS cannot be reached', async () => {
    const seen: CaFailure[] = [];
    const ca = createCaService({
      ca: await loadCa(dir),
      issuers: [{ issuer: 'https://idp.example', jwksUrl: `${await closedPort()}/jwks` }],
      onFailure: (f) => seen.push(f),
    });
    await assert.rejects(
      ca.signingCertificate(keyRequest(unsignedJwt('https://idp.example'), 'someone')),
    );
    assert.deepEqual(
      seen.map((f) => [f.stage, f.kind]),
      [['verify', 'infrastructure']],
    );
  });

  it('verify/policy: an issuer the CA does not trust', async () => {
    const seen: CaFailure[] = [];
    const ca = createCaService({
      ca: await loadCa(dir),
      issuers: [],
      onFailure: (f) => seen.push(f),
    });
    await assert.rejects(
      ca.signingCertificate(keyRequest(unsignedJwt('https://evil.example'), 'x')),
    );
    assert.deepEqual(
      seen.map((f) => [f.stage, f.kind, f.code]),
      [['verify', 'policy', 'SIGN_TOKEN_INVALID']],
    );
  });

  it('issue/policy: a valid token, an identity not allowed; issue/infrastructure: the CA key fails', async () => {
    const dev = openDevOidcIssuer({ dataDir: dir, issuer: 'http://127.0.0.1:0/dev-oidc' });
    const token = dev.mintToken({
      subject: 'intruder@example.com',
      claims: { email: 'intruder@example.com', email_verified: true },
    }).idToken;
    const seen: CaFailure[] = [];
    const real = await loadCa(dir);
    // The dev issuer's keys as an ordinary issuer's, so that its allowed subjects apply.
    writeFileSync(join(dir, 'dev-jwks.json'), JSON.stringify(dev.jwks()));
    const strict = createCaService({
      ca: real,
      issuers: [
        {
          issuer: dev.issuer,
          jwksFile: join(dir, 'dev-jwks.json'),
          subjects: ['^releaser@example\\.com$'],
        },
      ],
      onFailure: (f) => seen.push(f),
    });
    await assert.rejects(strict.signingCertificate(keyRequest(token, 'intruder@example.com')));
    const broken = createCaService({
      ca: {
        ...real,
        issue: async () => {
          throw new Error('the CA key is on an HSM that does not answer');
        },
      } as typeof real,
      issuers: [],
      devOidc: dev,
      onFailure: (f) => seen.push(f),
    });
    await assert.rejects(broken.signingCertificate(keyRequest(token, 'intruder@example.com')));
    assert.deepEqual(
      seen.map((f) => [f.stage, f.kind]),
      [
        ['issue', 'policy'],
        ['issue', 'infrastructure'],
      ],
    );
  });

  describe('/metrics', () => {
    let srv: TestServer;
    before(async () => {
      srv = await startServer('sqlite', { keyless: true });
    });
    after(() => srv.close());

    it('custody_ca_failures_total{stage,kind} counts a refused token', async () => {
      const viewer = await tokenFor(srv.services, 'viewer');
      const metric = async () => (await call(srv, 'GET', '/metrics', { token: viewer })).text;
      assert.match(await metric(), /custody_ca_failures_total\{stage="verify",kind="policy"\} 0/);
      const r = await fetch(`${srv.base}/api/v2/signingCert`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(keyRequest(unsignedJwt('https://evil.example'), 'x')),
      });
      assert.equal(r.status, 401);
      const text = await metric();
      assert.match(text, /custody_ca_failures_total\{stage="verify",kind="policy"\} 1/);
      assert.match(text, /custody_ca_failures_total\{stage="issue",kind="infrastructure"\} 0/);
    });
  });
});
