import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Caller, Role } from '../../../src/access/index.js';
import {
  approveEmergencyRequest,
  type EmergencyRequestInput,
  getEmergencyRequest,
  requestEmergencyCertificate,
} from '../../../src/app/ca/emergency-requests.js';
import { createCaService, initCa, loadCa } from '../../../src/app/ca/index.js';
import { createTeam, setSigningIdentities } from '../../../src/app/inventory/manage-teams.js';
import { CLI_CALLER } from '../../../src/app/tokens.js';
import { BACKENDS, freshServices, type TestServices } from '../../helpers/store.js';

const IDENTITY = 'releaser@example.com';
const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const input: EmergencyRequestInput = {
  team: 'web',
  identity: IDENTITY,
  publicKey: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
  proofOfPossession: sign('sha256', Buffer.from(IDENTITY), privateKey).toString('base64'),
  reason: 'OIDC provider outage INC-4711',
  lifetimeSeconds: 3600,
};
const caller = (person: string, role: Role, source: string | null = '127.0.0.1'): Caller => ({
  principal: { actor: `token:1:${person}`, person, role, teams: ['web'] },
  source: source as string,
});

for (const backend of BACKENDS) {
  describe(`emergency requests (${backend}): no log entry or audit record, no certificate`, () => {
    let s: TestServices;
    let ca: ReturnType<typeof createCaService>;
    let issued = 0;
    before(async () => {
      s = await freshServices(backend);
      await initCa({ dataDir: s.dataDir, uri: 'http://127.0.0.1:0', now: new Date() });
      ca = createCaService({
        ca: await loadCa(s.dataDir),
        issuers: [],
        emergencyIssuer: 'http://127.0.0.1:0/emergency',
        onIssued: () => issued++,
      });
      await createTeam(s, CLI_CALLER, 'web');
      await setSigningIdentities(s, CLI_CALLER, 'web', [
        { issuer: 'https://accounts.example.com', subject: 'releaser@example\\.com' },
      ]);
    });
    after(async () => s.close());

    const issuedEvents = async () =>
      (
        await s.db.kysely
          .selectFrom('audit_events')
          .select('id')
          .where('action', '=', 'ca.emergency-certificate')
          .execute()
      ).length;

    it('two approvers at once: one certificate, one entry in the log', async () => {
      const r = await requestEmergencyCertificate(s, ca, caller('alice', 'publisher'), input);
      const size = s.tlog?.log.size ?? 0;
      const both = await Promise.allSettled([
        approveEmergencyRequest(s, ca, caller('bob', 'approver'), Number(r.id)),
        approveEmergencyRequest(s, ca, caller('carol', 'approver'), Number(r.id)),
      ]);
      const ok = both.filter((x) => x.status === 'fulfilled');
      const refused = both.filter((x) => x.status === 'rejected');
      assert.equal(ok.length, 1);
      assert.equal(
        (refused[0] as PromiseRejectedResult).reason.code,
        'SIGN_EMERGENCY_REQUEST_CONFLICT',
      );
      assert.equal((s.tlog?.log.size ?? 0) - size, 1);
      assert.equal(await issuedEvents(), 1);
    });

    it('when the audit record cannot be written, no certificate is handed out', async () => {
      const r = await requestEmergencyCertificate(s, ca, caller('alice', 'publisher'), input);
      const made = issued;
      // An approver without a source address violates the audit table's NOT NULL: the write
      // fails in the transaction that would store the certificate.
      await assert.rejects(() =>
        approveEmergencyRequest(s, ca, caller('bob', 'approver', null), Number(r.id)),
      );
      assert.equal(issued, made + 1, 'the certificate was made, then dropped');
      const seen = await getEmergencyRequest(s, ca, caller('alice', 'publisher'), Number(r.id));
      assert.equal(seen.status, 'pending', 'it waits for an approval again');
      assert.equal(seen.certificate, null);
      assert.equal(await issuedEvents(), 1);
    });

    it('an identity dropped from the team’s list after the request is not issued', async () => {
      const r = await requestEmergencyCertificate(s, ca, caller('alice', 'publisher'), input);
      const list = [{ issuer: 'https://accounts.example.com', subject: 'releaser@example\\.com' }];
      await setSigningIdentities(s, CLI_CALLER, 'web', []);
      try {
        await assert.rejects(
          () => approveEmergencyRequest(s, ca, caller('bob', 'approver'), Number(r.id)),
          { code: 'SIGN_IDENTITY_NOT_ADMITTED' },
        );
      } finally {
        await setSigningIdentities(s, CLI_CALLER, 'web', list);
      }
      const seen = await getEmergencyRequest(s, ca, caller('alice', 'publisher'), Number(r.id));
      assert.equal(seen.status, 'pending');
    });

    it('when the transparency log does not take it, there is no certificate', async () => {
      const r = await requestEmergencyCertificate(s, ca, caller('alice', 'publisher'), input);
      await s.tlog?.log.close();
      await assert.rejects(
        () => approveEmergencyRequest(s, ca, caller('bob', 'approver'), Number(r.id)),
        /transparency log is closed/,
      );
      const seen = await getEmergencyRequest(s, ca, caller('alice', 'publisher'), Number(r.id));
      assert.equal(seen.status, 'pending');
      assert.equal(seen.certificate, null);
      assert.equal(await issuedEvents(), 1, 'no audit record of an issue either');
    });
  });
}
