import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AccessError } from '../../../src/access/index.js';
import { auditTrail } from '../../../src/app/audit-trail.js';
import { createTeam, setGatePolicy } from '../../../src/app/inventory/manage-teams.js';
import { listTeamViews } from '../../../src/app/inventory/read-catalogue.js';
import {
  bootstrapAdminToken,
  CLI_CALLER,
  createToken,
  hashToken,
  listTokenViews,
  revokeToken,
  TokenAuthenticator,
} from '../../../src/app/tokens.js';
import { InventoryError } from '../../../src/inventory/errors.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';
import { BACKENDS, freshServices, type TestServices } from '../../helpers/store.js';
import { caller, tokenCaller } from './fixtures.js';

const DAY = 86_400_000;

for (const backend of BACKENDS) {
  describe(`tokens (${backend})`, () => {
    let s: TestServices;
    let now: Date;
    beforeEach(async () => {
      now = new Date('2026-03-01T12:00:00Z');
      s = await freshServices(backend, () => now);
    });
    afterEach(() => s.close());

    const invalid = (auth: TokenAuthenticator, token: string) =>
      expectCustodyErrorAsync(() => auth.authenticate(token), AccessError, 'AUTH_TOKEN_INVALID');

    it('bootstrapAdminToken: an admin token on the first start only, and the default team', async () => {
      const first = await bootstrapAdminToken(s);
      assert.ok(first);
      assert.equal(first.role, 'admin');
      assert.equal(first.teams, undefined);
      assert.equal(await bootstrapAdminToken(s), undefined);
      assert.deepEqual(
        (await listTeamViews(s, CLI_CALLER)).map((t) => t.name),
        ['default'],
      );
      const p = await new TokenAuthenticator(s).authenticate(first.token);
      assert.deepEqual(p, {
        actor: `token:${first.id}:bootstrap admin`,
        person: 'bootstrap admin',
        role: 'admin',
        teams: undefined,
      });
    });

    it('bootstrapAdminToken gives nothing once any token exists, even a revoked one', async () => {
      const t = await createToken(s, CLI_CALLER, { role: 'viewer' });
      await revokeToken(s, CLI_CALLER, t.id);
      assert.equal(await bootstrapAdminToken(s), undefined);
    });

    it('createToken: a cust_ secret shown once, only its hash stored; teams created', async () => {
      const t = await createToken(s, CLI_CALLER, {
        role: 'publisher',
        teams: ['web', 'web', 'ops'],
        expiresInDays: 30,
      });
      assert.match(t.token, /^cust_[A-Za-z0-9_-]{43}$/);
      assert.equal(t.name, 'publisher@web,ops');
      assert.deepEqual(t.teams, ['web', 'ops']);
      assert.equal(t.expiresAt, new Date(now.getTime() + 30 * DAY).toISOString());
      const rows = await s.db.kysely.selectFrom('tokens').selectAll().execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]?.secret_hash, hashToken(t.token));
      assert.ok(!JSON.stringify(rows).includes(t.token));
      const views = await listTokenViews(s, CLI_CALLER);
      assert.ok(!JSON.stringify(views).includes(t.token));
      assert.deepEqual(
        views.map((v) => [v.id, v.role, v.teams, v.expiresAt, v.revokedAt, v.createdBy]),
        [[t.id, 'publisher', ['web', 'ops'], t.expiresAt, null, 'cli']],
      );
      assert.deepEqual(
        (await listTeamViews(s, CLI_CALLER)).map((x) => x.name),
        ['ops', 'web'],
      );
      const audit = await auditTrail(s, CLI_CALLER, { action: 'token.create' });
      assert.equal(audit.items.length, 1);
      assert.ok(!JSON.stringify(audit.items).includes(t.token));
      const other = await createToken(s, CLI_CALLER, { role: 'publisher', name: 'ci' });
      assert.notEqual(other.token, t.token);
      assert.equal(other.name, 'ci');
    });

    it('createToken refuses bad roles, team names, expiry and non-admin callers', async () => {
      const bad = async (
        req: Parameters<typeof createToken>[2],
        code = 'INVENTORY_INPUT_INVALID',
        who = CLI_CALLER,
      ) =>
        expectCustodyErrorAsync(
          () => createToken(s, who, req),
          code.startsWith('AUTH_') ? AccessError : InventoryError,
          code,
        );
      await bad({ role: 'root' });
      await bad({ role: 'Admin' });
      await bad({ role: 'viewer', teams: ['Web'] });
      await bad({ role: 'viewer', teams: ['a b'] });
      await bad({ role: 'viewer', teams: ['x'.repeat(64)] });
      await bad({ role: 'viewer', expiresInDays: 0 });
      await bad({ role: 'viewer', expiresInDays: 3651 });
      await bad({ role: 'viewer', expiresInDays: Number.NaN });
      await bad({ role: 'admin' }, 'AUTH_FORBIDDEN', caller('publisher'));
      await bad({ role: 'viewer' }, 'AUTH_FORBIDDEN', caller('auditor'));
      assert.equal((await s.db.kysely.selectFrom('tokens').selectAll().execute()).length, 0);
      assert.equal((await s.db.kysely.selectFrom('teams').selectAll().execute()).length, 0);
    });

    it('a team-scoped admin grants only what it holds, and lists and revokes only its teams', async () => {
      const boot = await bootstrapAdminToken(s);
      assert.ok(boot);
      await createToken(s, CLI_CALLER, { role: 'viewer', person: 'b', teams: ['b'] });
      const admin = await tokenCaller(s, 'admin', ['a'], 'x');
      const forbidden = (fn: () => Promise<unknown>) =>
        expectCustodyErrorAsync(fn, AccessError, 'AUTH_FORBIDDEN');
      const before = await s.db.kysely.selectFrom('tokens').selectAll().execute();
      await forbidden(() => createToken(s, admin, { role: 'admin', person: 'y' }));
      await forbidden(() => createToken(s, admin, { role: 'viewer', person: 'y', teams: ['b'] }));
      await forbidden(() => createToken(s, admin, { role: 'approver', person: 'y', teams: ['a'] }));
      await forbidden(() => revokeToken(s, admin, boot.id));
      await forbidden(() => createTeam(s, admin, 'c'));
      await forbidden(() => setGatePolicy(s, admin, 'b', '{}'));
      assert.deepEqual(await s.db.kysely.selectFrom('tokens').selectAll().execute(), before);
      assert.deepEqual(
        (await listTeamViews(s, CLI_CALLER)).map((t) => t.name),
        ['a', 'b', 'default'],
      );

      const made = await createToken(s, admin, { role: 'publisher', person: 'y', teams: ['a'] });
      assert.deepEqual(made.teams, ['a']);
      await setGatePolicy(s, admin, 'a', '{}');
      assert.deepEqual(
        (await listTokenViews(s, admin)).map((v) => [v.person, v.teams]),
        [
          ['x', ['a']],
          ['y', ['a']],
        ],
      );
      await revokeToken(s, admin, made.id);
      // Its audit trail: its own team's entries only (the tokens of team a, its gate).
      const trail = await auditTrail(s, admin, {});
      assert.deepEqual(
        trail.items.map((e) => [e.action, e.team]),
        [
          ['token.revoke', 'a'],
          ['team.gate-policy', 'a'],
          ['token.create', 'a'],
          ['token.create', 'a'],
        ],
      );
    });

    it('an organisation-wide admin grants every role, the approver too, but decides nothing', async () => {
      const admin = await tokenCaller(s, 'admin', undefined, 'root');
      const t = await createToken(s, admin, { role: 'approver', person: 'ann', teams: ['a'] });
      assert.equal(t.role, 'approver');
      await createToken(s, admin, { role: 'admin', person: 'y' });
    });

    it("admin use cases re-read the caller's token: a revoked or made-up one is AUTH_TOKEN_INVALID", async () => {
      const admin = await tokenCaller(s, 'admin', ['a'], 'x');
      const stale = (fn: () => Promise<unknown>) =>
        expectCustodyErrorAsync(fn, AccessError, 'AUTH_TOKEN_INVALID');
      await stale(() => createToken(s, caller('admin'), { role: 'viewer', person: 'y' }));
      await stale(() =>
        createToken(
          s,
          { ...admin, principal: { ...admin.principal, teams: undefined } },
          {
            role: 'viewer',
            person: 'y',
          },
        ),
      );
      const id = Number(/^token:(\d+):/.exec(admin.principal.actor)?.[1]);
      await revokeToken(s, CLI_CALLER, id);
      await stale(() => createToken(s, admin, { role: 'viewer', person: 'y', teams: ['a'] }));
      await stale(() => setGatePolicy(s, admin, 'a', '{}'));
      await stale(() => revokeToken(s, admin, id));
    });

    it('authenticate: the principal of a valid token; unknown ones are AUTH_TOKEN_INVALID', async () => {
      const auth = new TokenAuthenticator(s);
      const t = await createToken(s, CLI_CALLER, { role: 'publisher', teams: ['web'], name: 'ci' });
      assert.deepEqual(await auth.authenticate(t.token), {
        actor: `token:${t.id}:ci`,
        person: 'ci',
        role: 'publisher',
        teams: ['web'],
      });
      await invalid(auth, `cust_${'A'.repeat(43)}`);
      await invalid(auth, '');
      await invalid(auth, `${t.token}x`);
      await invalid(auth, t.token.toUpperCase());
    });

    it('authenticate: expired tokens are refused from the moment they expire', async () => {
      const t = await createToken(s, CLI_CALLER, { role: 'viewer', expiresInDays: 1 });
      assert.equal((await new TokenAuthenticator(s).authenticate(t.token)).role, 'viewer');
      now = new Date(now.getTime() + DAY - 1);
      await new TokenAuthenticator(s).authenticate(t.token);
      now = new Date(now.getTime() + 1);
      await invalid(new TokenAuthenticator(s), t.token);
    });

    it('authenticate: a revoked token is refused once the cache entry lapses', async () => {
      const auth = new TokenAuthenticator(s, 5_000);
      const t = await createToken(s, CLI_CALLER, { role: 'viewer' });
      await auth.authenticate(t.token);
      await revokeToken(s, CLI_CALLER, t.id);
      // Cached for ttlMs: the documented window in which a revocation is not yet seen.
      await auth.authenticate(t.token);
      now = new Date(now.getTime() + 5_001);
      await invalid(auth, t.token);
      await invalid(new TokenAuthenticator(s), t.token);
      const views = await listTokenViews(s, CLI_CALLER);
      assert.equal(views[0]?.revokedAt, new Date(now.getTime() - 5_001).toISOString());
      await expectCustodyErrorAsync(
        () => revokeToken(s, CLI_CALLER, t.id),
        InventoryError,
        'INVENTORY_NOT_FOUND',
      );
      await expectCustodyErrorAsync(
        () => revokeToken(s, CLI_CALLER, 9999),
        InventoryError,
        'INVENTORY_NOT_FOUND',
      );
      await expectCustodyErrorAsync(
        () => revokeToken(s, caller('publisher'), t.id),
        AccessError,
        'AUTH_FORBIDDEN',
      );
      // forget() drops the cache at once.
      const u = await createToken(s, CLI_CALLER, { role: 'viewer' });
      await auth.authenticate(u.token);
      await revokeToken(s, CLI_CALLER, u.id);
      auth.forget();
      await invalid(auth, u.token);
    });
  });
}
