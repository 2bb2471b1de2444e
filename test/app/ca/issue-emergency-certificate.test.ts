import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { AccessError, type Caller, type Role } from '../../../src/access/index.js';
import { createCaService, initCa, loadCa } from '../../../src/app/ca/index.js';
import { issueEmergencyCertificate } from '../../../src/app/ca/issue-emergency-certificate.js';
import { SignError } from '../../../src/sign/errors.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';
import { BACKENDS, freshServices, type TestServices } from '../../helpers/store.js';

const IDENTITY = 'https://ci.example/acme/release.yml@refs/heads/main';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const request = {
  identity: IDENTITY,
  issuer: 'https://token.actions.githubusercontent.com',
  publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  proofOfPossession: sign('sha256', Buffer.from(IDENTITY), privateKey).toString('base64'),
  reason: 'OIDC provider outage INC-4711',
  lifetimeSeconds: 3600,
};
const caller = (role: Role, source: string | null = '127.0.0.1'): Caller => ({
  principal: { actor: 'token:7:alice', person: 'alice', role, teams: undefined },
  source: source as string,
});

for (const backend of BACKENDS) {
  describe(`issueEmergencyCertificate (${backend})`, () => {
    let s: TestServices;
    let ca: ReturnType<typeof createCaService>;
    let issued = 0;
    before(async () => {
      s = await freshServices(backend);
      await initCa({ dataDir: s.dataDir, uri: 'http://127.0.0.1:0', now: new Date() });
      ca = createCaService({ ca: await loadCa(s.dataDir), issuers: [], onIssued: () => issued++ });
    });
    after(async () => s.close());

    const auditRows = () =>
      s.db.kysely
        .selectFrom('audit_events')
        .selectAll()
        .where('action', '=', 'ca.emergency-certificate')
        .execute();

    it('issues the certificate and records it in the audit trail', async () => {
      const r = await issueEmergencyCertificate(s, ca, caller('approver'), request);
      assert.equal(r.approver, 'token:7:alice');
      assert.equal(r.identity, IDENTITY);
      const leaf = new X509Certificate(r.chainPem[0] as string);
      assert.match(leaf.subjectAltName ?? '', /URI:https:\/\/ci\.example/);
      const rows = await auditRows();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.target, IDENTITY);
      assert.equal(rows[0]?.role, 'approver');
      assert.equal(JSON.parse(rows[0]?.details ?? '{}').serialNumber, r.serialNumber);
    });

    it('when the audit record cannot be written, no certificate is returned', async () => {
      const before = issued;
      // A caller without a source address violates the audit table's NOT NULL: the write fails
      // inside the transaction, after the certificate was made.
      await assert.rejects(() =>
        issueEmergencyCertificate(s, ca, caller('approver', null), request),
      );
      assert.equal(issued, before + 1, 'the certificate was made, then dropped');
      assert.equal((await auditRows()).length, 1, 'nothing more in the audit trail');
    });

    it('a caller without decision:write is refused here, whatever face it came through', async () => {
      const before = issued;
      await expectCustodyErrorAsync(
        () => issueEmergencyCertificate(s, ca, caller('publisher'), request),
        AccessError,
        'AUTH_FORBIDDEN',
      );
      assert.equal(issued, before, 'no certificate was made');
      assert.equal((await auditRows()).length, 1);
    });

    it('a refused request writes nothing', async () => {
      await expectCustodyErrorAsync(
        () => issueEmergencyCertificate(s, ca, caller('approver'), { ...request, reason: ' ' }),
        SignError,
        'SIGN_CSR_INVALID',
      );
      assert.equal((await auditRows()).length, 1);
    });
  });
}
