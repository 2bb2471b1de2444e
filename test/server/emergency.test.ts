import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { openKeyless } from '../../src/app/ca/open-keyless.js';
import { createLogger } from '../../src/log/logger.js';
import { buildServer } from '../../src/server/app.js';
import { emergencyMarkOf } from '../../src/sign/ca/index.js';
import { call, type TestServer, tokenFor } from '../helpers/server.js';
import { freshServices } from '../helpers/store.js';

const IDENTITY = 'https://ci.example/acme/release.yml@refs/heads/main';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const request = (o: Record<string, unknown> = {}) => ({
  identity: IDENTITY,
  issuer: 'https://token.actions.githubusercontent.com',
  publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  proofOfPossession: sign('sha256', Buffer.from(IDENTITY), privateKey).toString('base64'),
  reason: 'OIDC provider outage INC-4711; release 2.4.1 must ship',
  ...o,
});

describe('emergency certificates (approver sign-off, marked, audited)', () => {
  let srv: TestServer;
  before(async () => {
    const services = await freshServices('sqlite');
    const keyless = await openKeyless({
      dataDir: services.dataDir,
      publicUrl: 'http://127.0.0.1:0',
      devOidc: true,
      issuers: [],
    });
    assert.ok(keyless);
    const custody = await buildServer({
      services,
      logger: createLogger('silent'),
      maxSbomBytes: 1 << 20,
      maxBodyBytes: 1 << 20,
      keyless,
    });
    await custody.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = custody.app.server.address() as AddressInfo;
    srv = {
      services,
      custody,
      base: `http://127.0.0.1:${port}`,
      async close() {
        await custody.app.close();
        await services.close();
      },
    };
  });
  after(async () => srv.close());

  it('an approver gets a marked, longer-lived certificate, and the audit trail says so', async () => {
    const approver = await tokenFor(srv.services, 'approver');
    const a = await call(srv, 'POST', '/api/v1/ca/emergency-certificates', {
      token: approver,
      body: request({ lifetimeHours: 24 }),
    });
    assert.equal(a.status, 201, a.text);
    const leaf = new X509Certificate(a.json.chain.certificates[0]);
    assert.match(leaf.subjectAltName ?? '', /URI:https:\/\/ci\.example/);
    const hours = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 3_600_000;
    assert.ok(hours >= 23.9 && hours <= 24.1, `${hours} h`);
    const mark = emergencyMarkOf(new Uint8Array(leaf.raw));
    assert.equal(mark?.reason, request().reason);
    assert.match(mark?.approver ?? '', /^token:/);
    const trail = await call(srv, 'GET', '/api/v1/audit', {
      token: await tokenFor(srv.services, 'auditor'),
    });
    const event = trail.json.items.find(
      (e: { action: string }) => e.action === 'ca.emergency-certificate',
    );
    assert.ok(event, JSON.stringify(trail.json).slice(0, 300));
    assert.equal(event.target, IDENTITY);
    assert.equal(event.role, 'approver');
  });

  it('refuses without sign-off, without proof of possession, or beyond 72 hours', async () => {
    const none = await call(srv, 'POST', '/api/v1/ca/emergency-certificates', { body: request() });
    assert.equal(none.status, 401);
    const publisher = await call(srv, 'POST', '/api/v1/ca/emergency-certificates', {
      token: await tokenFor(srv.services, 'publisher'),
      body: request(),
    });
    assert.equal(publisher.status, 403);
    const approver = await tokenFor(srv.services, 'approver');
    const badProof = await call(srv, 'POST', '/api/v1/ca/emergency-certificates', {
      token: approver,
      body: request({ proofOfPossession: Buffer.alloc(64, 1).toString('base64') }),
    });
    assert.equal(badProof.status, 400);
    assert.equal(badProof.json.error.code, 'SIGN_CSR_INVALID');
    const tooLong = await call(srv, 'POST', '/api/v1/ca/emergency-certificates', {
      token: approver,
      body: request({ lifetimeHours: 100 }),
    });
    assert.equal(tooLong.status, 400);
  });
});
