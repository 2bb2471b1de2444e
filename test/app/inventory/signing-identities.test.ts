import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AccessError } from '../../../src/access/index.js';
import { auditTrail } from '../../../src/app/audit-trail.js';
import {
  createTeam,
  setSigningIdentities,
  signingIdentitiesOf,
} from '../../../src/app/inventory/manage-teams.js';
import { CLI_CALLER, createToken, TokenAuthenticator } from '../../../src/app/tokens.js';
import { InventoryError } from '../../../src/inventory/errors.js';
import {
  admittedIdentity,
  admittedKey,
  parseSigningIdentities,
  SignError,
} from '../../../src/sign/index.js';
import { expectCustodyError, expectCustodyErrorAsync } from '../../helpers/expect-error.js';
import { BACKENDS, freshServices, type TestServices } from '../../helpers/store.js';
import { caller, tokenCaller } from './fixtures.js';

const GH = 'https://token.actions.githubusercontent.com';

describe('signing identities (sign/)', () => {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const list = parseSigningIdentities([
    { issuer: GH, subject: 'https://github\\.com/acme/.*' },
    { publicKey: pem, name: 'release key' },
  ]);

  it('admits an identity by issuer and whole-subject pattern, nothing else', () => {
    assert.ok(
      admittedIdentity(list, {
        issuer: GH,
        identity: 'https://github.com/acme/app/.github/workflows/r.yml@refs/heads/main',
      }),
    );
    // The pattern matches the whole identity: a prefix elsewhere does not pass.
    assert.equal(
      admittedIdentity(list, {
        issuer: GH,
        identity: 'https://evil.example/https://github.com/acme/x',
      }),
      undefined,
    );
    assert.equal(
      admittedIdentity(list, {
        issuer: 'https://accounts.google.com',
        identity: 'https://github.com/acme/x',
      }),
      undefined,
    );
    assert.equal(
      admittedIdentity(list, { issuer: undefined, identity: 'https://github.com/acme/x' }),
      undefined,
    );
  });

  it('admits a registered key by its SPKI bytes', () => {
    assert.equal(admittedKey(list, publicKey)?.name, 'release key');
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey;
    assert.equal(admittedKey(list, other), undefined);
  });

  it('refuses malformed lists with a pointer to the bad entry', () => {
    for (const bad of [
      {},
      [{ issuer: GH }],
      [{ issuer: 'not a url', subject: '.*' }],
      [{ issuer: GH, subject: '(' }],
      [{ issuer: GH, subject: '.*', extra: 1 }],
      [{ publicKey: 'not a key' }],
      [{ publicKey: pem, issuer: GH }],
      [7],
      new Array(101).fill({ issuer: GH, subject: '.*' }),
    ]) {
      expectCustodyError(
        () => parseSigningIdentities(bad),
        SignError,
        'SIGN_IDENTITY_LIST_INVALID',
      );
    }
  });
});

for (const backend of BACKENDS) {
  describe(`team signing identities (${backend})`, () => {
    let s: TestServices;
    beforeEach(async () => {
      s = await freshServices(backend);
      await createTeam(s, CLI_CALLER, 'web');
    });
    afterEach(() => s.close());

    it('an organisation admin sets them, audited; the team view shows them', async () => {
      const view = await setSigningIdentities(s, await tokenCaller(s, 'admin'), 'web', [
        { issuer: GH, subject: 'https://github\\.com/acme/.*' },
      ]);
      assert.equal(view.signingIdentities.length, 1);
      assert.deepEqual(await signingIdentitiesOf(s.db.read, 'web'), [
        { issuer: GH, subject: 'https://github\\.com/acme/.*' },
      ]);
      const trail = await auditTrail(s, CLI_CALLER, { action: 'team.signing-identities' });
      assert.equal(trail.items.length, 1);
      assert.equal(trail.items[0]?.person, 'admin');
    });

    it('a team-scoped admin may not set them, even for its own team; nothing changes', async () => {
      await expectCustodyErrorAsync(
        async () =>
          setSigningIdentities(s, await tokenCaller(s, 'admin', ['web']), 'web', [
            { issuer: GH, subject: '.*' },
          ]),
        AccessError,
        'AUTH_FORBIDDEN',
      );
      await expectCustodyErrorAsync(
        () => setSigningIdentities(s, caller('approver'), 'web', []),
        AccessError,
        'AUTH_FORBIDDEN',
      );
      await expectCustodyErrorAsync(
        async () => setSigningIdentities(s, await tokenCaller(s, 'admin'), 'nope', []),
        InventoryError,
        'INVENTORY_NOT_FOUND',
      );
      assert.deepEqual(await signingIdentitiesOf(s.db.read, 'web'), []);
    });

    it('tokens carry their person; two tokens of one person resolve to one person', async () => {
      const a = await createToken(s, CLI_CALLER, {
        role: 'publisher',
        name: 'ci',
        person: 'alice@example.com',
      });
      const b = await createToken(s, CLI_CALLER, {
        role: 'approver',
        name: 'laptop',
        person: 'alice@example.com',
      });
      const auth = new TokenAuthenticator(s);
      const pa = await auth.authenticate(a.token);
      const pb = await auth.authenticate(b.token);
      assert.notEqual(pa.actor, pb.actor);
      assert.equal(pa.person, pb.person);
      await expectCustodyErrorAsync(
        () => createToken(s, CLI_CALLER, { role: 'viewer', person: ' \u0000 ' }),
        InventoryError,
        'INVENTORY_INPUT_INVALID',
      );
    });
  });
}
