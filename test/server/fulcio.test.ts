import assert from 'node:assert/strict';
import { createPrivateKey, sign as cryptoSign, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { X509Certificate } from '@sigstore/core';
import { TrustedRoot } from '@sigstore/protobuf-specs';
import {
  DSSEBundleBuilder,
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
} from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import Fastify, { type FastifyInstance } from 'fastify';
import {
  type CaService,
  createCaService,
  type DevOidcIssuer,
  initCa,
  loadCa,
  openDevOidcIssuer,
} from '../../src/app/ca/index.js';
import { caPaths } from '../../src/fs/ca-files.js';
import { readTrustStore } from '../../src/fs/trusted-root-files.js';
import { fromFastifyError } from '../../src/server/errors.js';
import { registerDevOidcRoutes } from '../../src/server/routes/dev-oidc.js';
import { registerFulcioRoutes } from '../../src/server/routes/fulcio.js';
import { FULCIO_OID } from '../../src/sign/ca/index.js';
import { WEBCRYPTO, x509 } from '../../src/sign/ca/x509.js';
import {
  base64url,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  signJwt,
} from '../../src/sign/oidc/index.js';
import { addTransparencyLog } from '../../src/sign/trust/index.js';
import { call, startServer, type TestServer } from '../helpers/server.js';

/**
 * The keyless flow on one machine: a token from the dev OIDC issuer → Custody's Fulcio v2 API →
 * @sigstore/sign's FulcioSigner and RekorWitness (Custody's log) → a bundle that @sigstore/verify
 * accepts with nothing but Custody's trusted root and an identity policy.
 */

const DEV_ISSUER = 'https://dev-oidc.custody.test';
const ARTIFACT = Buffer.from('release.tar.gz contents\n');

interface Ca {
  app: FastifyInstance;
  base: string;
  dataDir: string;
  dev: DevOidcIssuer;
  deps: { ca: CaService };
}

/** Custody's CA routes on their own Fastify, with the server's error mapping. */
async function startCa(): Promise<Ca> {
  const dataDir = mkdtempSync(join(tmpdir(), 'custody-ca-'));
  await initCa({ dataDir, uri: 'https://ca.custody.test', now: new Date(Date.now() - 60_000) });
  const dev = openDevOidcIssuer({ dataDir, issuer: DEV_ISSUER });
  const ca = await loadCa(dataDir);
  const deps = { ca: createCaService({ ca, issuers: [], devOidc: dev }) };
  const app = Fastify();
  app.setErrorHandler(async (err, _req, reply) => {
    const m = fromFastifyError(err as Parameters<typeof fromFastifyError>[0]);
    return m ? reply.code(m.status).send(m.body) : reply.code(500).send({ error: String(err) });
  });
  registerFulcioRoutes(app, deps);
  registerDevOidcRoutes(app, { devOidc: dev });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  return { app, base: `http://127.0.0.1:${port}`, dataDir, dev, deps };
}

async function post(
  base: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(base + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: response bodies are inspected freely
  return { status: res.status, json: (await res.json()) as any };
}

async function devToken(c: Ca, subject: string, claims?: Record<string, unknown>) {
  const r = await post(c.base, '/dev-oidc/token', { subject, ...(claims ? { claims } : {}) });
  assert.equal(r.status, 200);
  return r.json.id_token as string;
}

function signingRequest(
  token: string,
  subject: string,
  keys = generateKeyPairSync('ec', { namedCurve: 'P-256' }),
) {
  return {
    credentials: { oidcIdentityToken: token },
    publicKeyRequest: {
      publicKey: {
        algorithm: 'ECDSA',
        content: keys.publicKey.export({ type: 'spki', format: 'pem' }),
      },
      proofOfPossession: cryptoSign('sha256', Buffer.from(subject), keys.privateKey).toString(
        'base64',
      ),
    },
  };
}

describe('Custody as Fulcio: dev OIDC → signingCert → @sigstore/sign → log → @sigstore/verify', () => {
  let c: Ca;
  let log: TestServer;
  let verifier: Verifier;
  before(async () => {
    c = await startCa();
    log = await startServer('sqlite', { tlog: { ratePerClient: 0 } });
    const tlog = (await call(log, 'GET', '/api/v1/tlog')).json.trustedRootTlog;
    const root = addTransparencyLog(readTrustStore(caPaths(c.dataDir).trustedRoot), tlog);
    verifier = new Verifier(toTrustMaterial(TrustedRoot.fromJSON(root)), {
      ctlogThreshold: 0,
      tlogThreshold: 1,
    });
  });
  after(async () => {
    await c?.app.close();
    await log?.close();
    if (c) rmSync(c.dataDir, { recursive: true, force: true });
  });

  const fulcioSigner = (token: string) =>
    new FulcioSigner({
      fulcioBaseURL: c.base,
      identityProvider: { getToken: async () => token },
      retry: 0,
    });
  const witness = () => new RekorWitness({ rekorBaseURL: log.base, retry: 0 });

  it('ca init keeps its keys 0600 and writes a trusted root with the CA', () => {
    const p = caPaths(c.dataDir);
    for (const f of [p.rootKey, p.intermediateKey, p.devOidcKey]) {
      assert.equal(statSync(f).mode & 0o777, 0o600, f);
    }
    assert.equal(statSync(p.dir).mode & 0o777, 0o700);
    assert.equal(readTrustStore(p.trustedRoot).certificateAuthorities.length, 1);
  });

  it('an email identity: a message signature verifies with the identity policy, and not with another', async () => {
    const token = await devToken(c, 'alice@example.com');
    const bundle = await new MessageSignatureBundleBuilder({
      signer: fulcioSigner(token),
      witnesses: [witness()],
    }).create({ data: ARTIFACT });
    assert.equal(bundle.verificationMaterial.content.$case, 'x509CertificateChain');
    const entity = toSignedEntity(bundle, ARTIFACT);
    const signer = verifier.verify(entity, {
      subjectAlternativeName: 'alice@example.com',
      extensions: { issuer: DEV_ISSUER },
    });
    assert.equal(signer.identity?.subjectAlternativeName, 'alice@example.com');
    assert.throws(() => verifier.verify(entity, { subjectAlternativeName: 'bob@example.com' }));
    assert.throws(() =>
      verifier.verify(entity, { extensions: { issuer: 'https://accounts.google.com' } }),
    );
    assert.throws(() => verifier.verify(toSignedEntity(bundle, Buffer.from('other'))));
  });

  it('a GitHub Actions workflow identity: DSSE bundle, URI SAN and the workflow extensions', async () => {
    const claims = {
      repository: 'octo/app',
      repository_owner: 'octo',
      ref: 'refs/tags/v1.0.0',
      sha: 'a'.repeat(40),
      job_workflow_ref: 'octo/app/.github/workflows/release.yml@refs/tags/v1.0.0',
      workflow_ref: 'octo/app/.github/workflows/release.yml@refs/tags/v1.0.0',
      event_name: 'push',
      runner_environment: 'github-hosted',
      run_id: '99',
      run_attempt: '1',
    };
    const token = await devToken(c, 'repo:octo/app:ref:refs/tags/v1.0.0', claims);
    const bundle = await new DSSEBundleBuilder({
      signer: fulcioSigner(token),
      witnesses: [witness()],
    }).create({
      data: Buffer.from('{"_type":"https://in-toto.io/Statement/v1"}'),
      type: 'application/vnd.in-toto+json',
    });
    const uri = 'https://github.com/octo/app/.github/workflows/release.yml@refs/tags/v1.0.0';
    const signer = verifier.verify(toSignedEntity(bundle), {
      subjectAlternativeName: uri,
      extensions: { issuer: DEV_ISSUER },
    });
    assert.equal(signer.identity?.subjectAlternativeName, uri);
    const vm = bundle.verificationMaterial.content;
    const der =
      vm.$case === 'certificate'
        ? vm.certificate.rawBytes
        : vm.$case === 'x509CertificateChain'
          ? vm.x509CertificateChain.certificates[0]?.rawBytes
          : undefined;
    const leaf = X509Certificate.parse(Buffer.from(der as Uint8Array));
    const ext = (oid: string) => leaf.extension(oid)?.valueObj.subs[0]?.value.toString('utf8');
    assert.equal(ext(FULCIO_OID.sourceRepositoryUri), 'https://github.com/octo/app');
    assert.equal(
      ext(FULCIO_OID.runInvocationUri),
      'https://github.com/octo/app/actions/runs/99/attempts/1',
    );
    assert.equal(ext(FULCIO_OID.runnerEnvironment), 'github-hosted');
  });

  it('a CSR instead of a public key, and the token as a bearer header', async () => {
    const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };
    const keys = await WEBCRYPTO.subtle.generateKey(alg, true, ['sign', 'verify']);
    const csr = await x509.Pkcs10CertificateRequestGenerator.create(
      { name: 'CN=x', keys, signingAlgorithm: alg },
      WEBCRYPTO,
    );
    const token = await devToken(c, 'carol@example.com');
    const r = await post(
      c.base,
      '/api/v2/signingCert',
      { certificateSigningRequest: Buffer.from(csr.toString('pem')).toString('base64') },
      { authorization: `Bearer ${token}` },
    );
    assert.equal(r.status, 200, JSON.stringify(r.json));
    const chain = r.json.signedCertificateEmbeddedSct.chain.certificates as string[];
    assert.equal(chain.length, 3);
    const leaf = X509Certificate.parse(chain[0] as string);
    assert.equal(leaf.subjectAltName, 'carol@example.com');
    const spki = Buffer.from(await WEBCRYPTO.subtle.exportKey('spki', keys.publicKey));
    assert.ok(Buffer.from(leaf.publicKey as Uint8Array).equals(spki));
  });

  it('trustBundle and configuration answer in Fulcio v2 shapes', async () => {
    const tb = (await (await fetch(`${c.base}/api/v2/trustBundle`)).json()) as {
      chains: { certificates: string[] }[];
    };
    assert.equal(tb.chains[0]?.certificates.length, 2);
    assert.ok(tb.chains[0]?.certificates[0]?.startsWith('-----BEGIN CERTIFICATE-----'));
    const cfg = (await (await fetch(`${c.base}/api/v2/configuration`)).json()) as {
      issuers: { issuerUrl: string }[];
    };
    assert.deepEqual(
      cfg.issuers.map((i) => i.issuerUrl),
      [DEV_ISSUER],
    );
    const disc = (await (
      await fetch(`${c.base}/dev-oidc/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    assert.equal(disc['issuer'], DEV_ISSUER);
    assert.equal(disc['custody_dev_issuer'], true);
  });

  it('refuses bad tokens, each with its reason', async () => {
    const subject = 'alice@example.com';
    const good = await devToken(c, subject);
    const [h, p] = good.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    const foreignKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    const devKey = createPrivateKey(readFileSync(caPaths(c.dataDir).devOidcKey));
    // The dev issuer's own tokens live no longer than the CA accepts.
    assert.ok(claims.exp - claims.iat <= DEFAULT_MAX_TOKEN_LIFETIME_SECONDS);
    const kid = JSON.parse(Buffer.from(h, 'base64url').toString()).kid;
    const cases: Array<[string, string]> = [
      ['alg-none', `${base64url(JSON.stringify({ alg: 'none', kid }))}.${p}.`],
      ['signature', signJwt(foreignKey, kid, claims)],
      ['kid-unknown', signJwt(foreignKey, 'other-kid', claims)],
      ['issuer-unknown', signJwt(foreignKey, kid, { ...claims, iss: 'https://evil.example' })],
      ['malformed', 'not-a-jwt'],
      // Signed by the issuer itself, but for an hour: over the 10 minutes the CA accepts.
      [
        'lifetime-too-long',
        signJwt(devKey, kid, { ...claims, iat: claims.iat, exp: claims.iat + 3600 }),
      ],
    ];
    for (const [reason, token] of cases) {
      const r = await post(c.base, '/api/v2/signingCert', signingRequest(token, subject));
      assert.ok(r.status >= 400 && r.status < 500, `${reason}: ${r.status}`);
      assert.equal(r.json.error.code, 'SIGN_TOKEN_INVALID', reason);
      assert.equal(r.json.error.details.reason, reason);
    }
    const expired = c.dev.mintToken({ subject, ttlSeconds: 1 }).idToken;
    const audience = c.dev.mintToken({ subject, audience: 'not-sigstore' }).idToken;
    const r1 = await post(c.base, '/api/v2/signingCert', signingRequest(audience, subject));
    assert.equal(r1.json.error.details.reason, 'audience');
    // A token that expired over a minute ago (the skew) is refused.
    const old = createCaService({
      ca: await loadCa(c.dataDir),
      issuers: [],
      devOidc: c.dev,
      clock: () => new Date(Date.now() + 120_000),
    });
    await assert.rejects(
      old.signingCertificate(signingRequest(expired, subject)),
      (e: { details?: { reason?: string } }) => e.details?.reason === 'expired',
    );
  });

  it('refuses a proof of possession over something else, or a request with neither key nor CSR', async () => {
    const token = await devToken(c, 'alice@example.com');
    const bad = await post(c.base, '/api/v2/signingCert', signingRequest(token, 'bob@example.com'));
    assert.equal(bad.json.error.code, 'SIGN_CSR_INVALID');
    assert.equal(bad.json.error.details.reason, 'proof-of-possession');
    const neither = await post(c.base, '/api/v2/signingCert', {
      credentials: { oidcIdentityToken: token },
    });
    assert.equal(neither.json.error.code, 'SIGN_CSR_INVALID');
    const noToken = await post(c.base, '/api/v2/signingCert', { publicKeyRequest: {} });
    assert.equal(noToken.json.error.code, 'SIGN_TOKEN_INVALID');
  });

  it('a configured issuer: keys by URL (discovery) and by file, audience and subject patterns', async () => {
    const ca = await loadCa(c.dataDir);
    // The dev issuer's discovery document and JWKS, fetched over HTTP from the routes serving them
    // (its iss is not a resolvable host, so requests for it are sent to this server).
    const fetched: string[] = [];
    const viaDiscovery = createCaService({
      ca,
      issuers: [{ issuer: DEV_ISSUER, subjects: ['.*@example\\.com'] }],
      fetch: (async (url: string, init?: RequestInit) => {
        fetched.push(url);
        return fetch(url.replace(DEV_ISSUER, `${c.base}/dev-oidc`), init);
      }) as typeof fetch,
    });
    const key = generateKeyPairSync('ed25519').privateKey;
    const jwksFile = join(c.dataDir, 'jwks.json');
    const { jwkFromKey } = await import('../../src/sign/oidc/index.js');
    writeFileSync(jwksFile, JSON.stringify({ keys: [jwkFromKey(key, 'k1')] }));
    const viaFile = createCaService({
      ca,
      issuers: [{ issuer: 'https://ci.example', jwksFile, audience: 'custody' }],
    });
    const t1 = await devToken(c, 'dave@example.com');
    const r1 = await viaDiscovery.signingCertificate(signingRequest(t1, 'dave@example.com'));
    assert.equal(r1.signedCertificateEmbeddedSct.chain.certificates.length, 3);
    assert.deepEqual(fetched, [
      `${DEV_ISSUER}/.well-known/openid-configuration`,
      `${DEV_ISSUER}/jwks`,
    ]);
    await viaDiscovery.signingCertificate(signingRequest(t1, 'dave@example.com'));
    assert.equal(fetched.length, 2, 'keys are cached');
    const t2 = await devToken(c, 'eve@evil.example');
    await assert.rejects(
      viaDiscovery.signingCertificate(signingRequest(t2, 'eve@evil.example')),
      (e: { details?: { reason?: string } }) => e.details?.reason === 'subject-refused',
    );
    const now = Math.floor(Date.now() / 1000);
    const t3 = signJwt(key, 'k1', {
      iss: 'https://ci.example',
      sub: 'spiffe://ci.example/job/7',
      aud: 'custody',
      iat: now,
      exp: now + 60,
    });
    const r3 = await viaFile.signingCertificate(signingRequest(t3, 'spiffe://ci.example/job/7'));
    const leaf = X509Certificate.parse(
      r3.signedCertificateEmbeddedSct.chain.certificates[0] as string,
    );
    assert.equal(leaf.subjectAltName, 'spiffe://ci.example/job/7');
    assert.equal(leaf.extension(FULCIO_OID.issuerV1)?.value.toString(), 'https://ci.example');
  });
});
