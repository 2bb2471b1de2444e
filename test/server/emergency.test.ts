import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { openKeyless } from '../../src/app/ca/open-keyless.js';
import { createLogger } from '../../src/log/logger.js';
import { buildServer } from '../../src/server/app.js';
import { emergencyMarkOf, FULCIO_OID } from '../../src/sign/ca/index.js';
import { parseEmergencyCertificateEntry } from '../../src/tlog/index.js';
import { call, type TestServer, tokenFor } from '../helpers/server.js';
import { freshServices } from '../helpers/store.js';

/**
 * Emergency certificates through a real server (Brief 3: "guarded by approvals and logging"): one
 * person requests, another approves; only identities the team trusts, with a checked syntax,
 * under Custody's fixed emergency issuer; logged as their own entry kind and audited.
 */

const PUBLIC_URL = 'http://127.0.0.1:0';
const ISSUER = `${PUBLIC_URL}/emergency`;
const IDENTITY = 'https://github.com/acme/web/.github/workflows/release.yml@refs/heads/main';
const REASON = 'OIDC provider outage INC-4711; release 2.4.1 must ship';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const request = (o: Record<string, unknown> = {}) => {
  const identity = (o['identity'] as string | undefined) ?? IDENTITY;
  return {
    team: 'web',
    identity,
    publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    proofOfPossession: sign('sha256', Buffer.from(identity), privateKey).toString('base64'),
    reason: REASON,
    lifetimeHours: 24,
    ...o,
  };
};

describe('emergency certificates: requested by one person, approved by another, logged', () => {
  let srv: TestServer;
  let now = new Date();
  // People: alice asks (publisher of web), bob approves (approver of web), carol is another
  // team's approver, alice also holds an approver token (same person, second token).
  const t = {} as Record<
    'admin' | 'alice' | 'aliceApprover' | 'bob' | 'carol' | 'auditor' | 'outsider',
    string
  >;

  before(async () => {
    const services = await freshServices('sqlite', () => now);
    const keyless = await openKeyless({
      dataDir: services.dataDir,
      publicUrl: PUBLIC_URL,
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
    t.admin = await tokenFor(services, 'admin', undefined, 'root@example.com');
    t.alice = await tokenFor(services, 'publisher', ['web'], 'alice@example.com');
    t.aliceApprover = await tokenFor(services, 'approver', ['web'], ' Alice@Example.com ');
    t.bob = await tokenFor(services, 'approver', ['web'], 'bob@example.com');
    t.carol = await tokenFor(services, 'approver', ['other'], 'carol@example.com');
    t.outsider = await tokenFor(services, 'publisher', ['other'], 'dave@example.com');
    t.auditor = await tokenFor(services, 'auditor', undefined, 'erin@example.com');
    const set = await call(srv, 'PUT', '/api/v1/teams/web/signing-identities', {
      token: t.admin,
      body: {
        identities: [
          {
            issuer: 'https://token.actions.githubusercontent.com',
            subject: 'https://github\\.com/acme/web/.*',
          },
          { issuer: 'https://accounts.example.com', subject: 'releaser@example\\.com' },
        ],
      },
    });
    assert.equal(set.status, 200, set.text);
  });
  after(async () => srv.close());

  const ask = (body: unknown, token = t.alice) =>
    call(srv, 'POST', '/api/v1/ca/emergency-requests', { token, body });
  const approve = (id: string, token: string) =>
    call(srv, 'POST', `/api/v1/ca/emergency-requests/${id}/approve`, { token });
  const logSize = async () => (await call(srv, 'GET', '/api/v1/tlog')).json.size as number;
  const rows = async () =>
    Number(
      (
        await srv.services.db.kysely
          .selectFrom('emergency_requests')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('request → pending; another person approves → a marked certificate under the emergency issuer, logged and audited', async () => {
    const asked = await ask(request());
    assert.equal(asked.status, 201, asked.text);
    assert.equal(asked.json.status, 'pending');
    assert.equal(asked.json.requester, 'alice@example.com');
    assert.equal(asked.json.issuer, ISSUER);
    assert.equal(asked.json.certificate, null);
    const id = asked.json.id as string;

    const pending = await call(srv, 'GET', `/api/v1/ca/emergency-requests/${id}`, {
      token: t.alice,
    });
    assert.equal(pending.json.status, 'pending');
    const listed = await call(srv, 'GET', '/api/v1/ca/emergency-requests?status=pending', {
      token: t.bob,
    });
    assert.deepEqual(
      listed.json.items.map((r: { id: string }) => r.id),
      [id],
    );

    const approved = await approve(id, t.bob);
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.json.status, 'issued');
    assert.equal(approved.json.approver, 'bob@example.com');

    const fetched = await call(srv, 'GET', `/api/v1/ca/emergency-requests/${id}`, {
      token: t.alice,
    });
    const leaf = new X509Certificate(fetched.json.certificate.chain[0]);
    assert.match(leaf.subjectAltName ?? '', /URI:https:\/\/github\.com\/acme\/web\//);
    const hours = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / 3_600_000;
    assert.ok(hours >= 23.9 && hours <= 24.1, `${hours} h`);
    const der = new Uint8Array(leaf.raw);
    assert.deepEqual(emergencyMarkOf(der), {
      approver: 'bob@example.com',
      requester: 'alice@example.com',
      reason: REASON,
      request: id,
    });
    // The issuer is Custody's emergency issuer (Fulcio's v1 issuer extension holds raw bytes).
    const { x509 } = await import('../../src/sign/ca/x509.js');
    const ext = new x509.X509Certificate(leaf.raw).getExtension(FULCIO_OID.issuerV1);
    assert.equal(Buffer.from(ext?.value ?? new ArrayBuffer(0)).toString('utf8'), ISSUER);

    // The transparency log holds it as its own kind, the certificate inside.
    const subject = `sha256:${createHash('sha256').update(der).digest('hex')}`;
    const found = await call(srv, 'GET', `/api/v1/tlog/entries?subject=${subject}`);
    assert.equal(found.status, 200, found.text);
    const entry = found.json.entries[0];
    assert.equal(entry.kind, 'emergency-certificate');
    assert.equal(entry.index, fetched.json.certificate.tlogIndex);
    const logged = parseEmergencyCertificateEntry(Buffer.from(entry.body, 'base64'));
    assert.deepEqual(Buffer.from(logged.certificate), Buffer.from(der));
    assert.equal(logged.approver, 'bob@example.com');
    assert.equal(logged.requester, 'alice@example.com');
    assert.equal(logged.issuer, ISSUER);
    assert.equal(logged.team, 'web');

    const trail = await call(srv, 'GET', '/api/v1/audit', { token: t.auditor });
    const actions = trail.json.items.map((e: { action: string }) => e.action);
    assert.ok(actions.includes('ca.emergency-request'), actions.join());
    const issuedEvent = trail.json.items.find(
      (e: { action: string }) => e.action === 'ca.emergency-certificate',
    );
    assert.equal(issuedEvent.person, 'bob@example.com');
    assert.equal(issuedEvent.details.requester, 'alice@example.com');
    assert.equal(issuedEvent.details.tlogIndex, entry.index);

    const again = await approve(id, t.bob);
    assert.equal(again.status, 409);
    assert.equal(again.json.error.code, 'SIGN_EMERGENCY_REQUEST_CONFLICT');
  });

  it('the requester cannot approve, not even with a second token of the same person', async () => {
    const asked = await ask(request());
    assert.equal(asked.status, 201, asked.text);
    const size = await logSize();
    const self = await approve(asked.json.id, t.aliceApprover);
    assert.equal(self.status, 403, self.text);
    assert.equal(self.json.error.code, 'AUTH_SAME_PERSON');
    assert.equal(self.json.error.details.person, 'alice@example.com');
    assert.equal(await logSize(), size, 'nothing logged');
    const still = await call(srv, 'GET', `/api/v1/ca/emergency-requests/${asked.json.id}`, {
      token: t.bob,
    });
    assert.equal(still.json.status, 'pending');
    assert.equal(still.json.certificate, null);
  });

  it('only identities in the team’s signing identities', async () => {
    const before = await rows();
    const other = await ask(
      request({ identity: 'https://github.com/evil/repo/.github/workflows/x.yml@refs/heads/main' }),
    );
    assert.equal(other.status, 403, other.text);
    assert.equal(other.json.error.code, 'SIGN_IDENTITY_NOT_ADMITTED');
    const email = await ask(request({ identity: 'mallory@example.com' }));
    assert.equal(email.json.error.code, 'SIGN_IDENTITY_NOT_ADMITTED');
    const admittedEmail = await ask(request({ identity: 'releaser@example.com' }));
    assert.equal(admittedEmail.status, 201, admittedEmail.text);
    assert.equal(await rows(), before + 1, 'only the admitted request is stored');
  });

  it('identity syntax is checked: an email address or a URI', async () => {
    for (const identity of [
      'releaser',
      'releaser@localhost',
      'two words@example.com',
      'javascript:alert(1)',
      'https://user:secret@github.com/acme/web/x',
      'https://github.com/acme/web/\u0000x',
      'https://',
    ]) {
      const a = await ask(request({ identity }));
      assert.equal(a.status, 400, `${identity}: ${a.text}`);
      assert.equal(a.json.error.code, 'SIGN_IDENTITY_INVALID', identity);
    }
  });

  it('the issuer is not the requester’s to choose, and the key must be proven', async () => {
    const withIssuer = await ask(
      request({ issuer: 'https://token.actions.githubusercontent.com' }),
    );
    assert.equal(withIssuer.status, 400);
    assert.equal(withIssuer.json.error.code, 'REQUEST_INVALID');
    const badProof = await ask(
      request({ proofOfPossession: Buffer.alloc(64, 1).toString('base64') }),
    );
    assert.equal(badProof.json.error.code, 'SIGN_CSR_INVALID');
    const tooLong = await ask(request({ lifetimeHours: 100 }));
    assert.equal(tooLong.status, 400);
  });

  it('team scope: requests only for one’s teams; approvals only within them', async () => {
    const outsider = await ask(request(), t.outsider);
    assert.equal(outsider.status, 404, outsider.text);
    assert.equal(outsider.json.error.code, 'INVENTORY_NOT_FOUND');
    const approver = await ask(request(), t.bob);
    assert.equal(approver.status, 403, 'approvers do not request');
    const asked = await ask(request());
    const carol = await approve(asked.json.id, t.carol);
    assert.equal(carol.status, 404, carol.text);
    assert.equal(carol.json.error.code, 'SIGN_EMERGENCY_REQUEST_NOT_FOUND');
    const publisher = await approve(asked.json.id, t.alice);
    assert.equal(publisher.status, 403);
  });

  it('a request not approved within 24 hours expires', async () => {
    const asked = await ask(request());
    assert.equal(asked.status, 201);
    const size = await logSize();
    now = new Date(now.getTime() + 24 * 3600 * 1000 + 1000);
    try {
      const late = await approve(asked.json.id, t.bob);
      assert.equal(late.status, 409, late.text);
      assert.equal(late.json.error.code, 'SIGN_EMERGENCY_REQUEST_EXPIRED');
      const seen = await call(srv, 'GET', `/api/v1/ca/emergency-requests/${asked.json.id}`, {
        token: t.bob,
      });
      assert.equal(seen.json.status, 'expired');
      assert.equal(await logSize(), size, 'nothing logged');
    } finally {
      now = new Date();
    }
  });
});
