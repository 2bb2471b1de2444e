import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  getNamespaceConfig,
  listNamespaceConfigViews,
  StoredAdmissionGovernance,
  setNamespaceConfig,
} from '../../../../src/app/admission/governance/index.js';
import { BACKENDS, freshServices, type TestServices } from '../../../helpers/store.js';
import { auditActions, callerFor, count } from './callers.js';

for (const backend of BACKENDS) {
  describe(`admission namespaces (${backend})`, () => {
    let s: TestServices;
    before(async () => {
      s = await freshServices(backend);
    });
    after(async () => s.close());

    it('answers the secure default for a namespace nobody configured', async () => {
      const viewer = await callerFor(s, 'viewer', 'vic');
      const c = await getNamespaceConfig(s, viewer, 'prod', 'fresh', 'enforce');
      assert.equal(c.source, 'default');
      assert.equal(c.mode, 'enforce');
      assert.equal(c.requireDigest, true);
      const g = new StoredAdmissionGovernance(s, { defaultMode: 'warn' });
      assert.equal((await g.namespaceConfig('prod', 'fresh')).mode, 'warn');
    });

    it('stores a version per change, keeps the history, and audits each', async () => {
      const admin = await callerFor(s, 'admin', 'ada');
      const a = await setNamespaceConfig(s, admin, '*', 'web', { mode: 'audit', team: 'shop' });
      assert.equal(a.created, true);
      assert.equal(a.config.version, 1);
      const same = await setNamespaceConfig(s, admin, '*', 'web', { mode: 'audit', team: 'shop' });
      assert.equal(same.created, false);
      const b = await setNamespaceConfig(s, admin, '*', 'web', {
        mode: 'enforce',
        team: 'shop',
        highRisk: true,
      });
      assert.equal(b.config.version, 2);
      const rows = await s.db.kysely
        .selectFrom('admission_namespaces')
        .selectAll()
        .where('namespace', '=', 'web')
        .execute();
      assert.equal(rows.length, 2);
      assert.deepEqual(await auditActions(s, 'admission.namespace'), [
        'admission.namespace.set',
        'admission.namespace.set',
      ]);
    });

    it('reads the cluster-specific configuration first, then *, then the default', async () => {
      const admin = await callerFor(s, 'admin', 'ada2');
      const g = new StoredAdmissionGovernance(s);
      await setNamespaceConfig(s, admin, '*', 'api', { mode: 'warn', team: 'shop' });
      const before = g.generation();
      assert.equal((await g.namespaceConfig('prod', 'api')).mode, 'warn');
      assert.notEqual(g.generation(), before);
      await setNamespaceConfig(s, admin, 'prod', 'api', { mode: 'audit', team: 'shop' });
      // This replica's write is seen at once (no waiting for the refresh interval).
      const prod = await g.namespaceConfig('prod', 'api');
      assert.equal(prod.mode, 'audit');
      assert.equal(prod.cluster, 'prod');
      assert.equal((await g.namespaceConfig('staging', 'api')).mode, 'warn');
      assert.equal((await g.namespaceConfig(undefined, 'api')).mode, 'warn');
    });

    it("keeps a team-scoped admin to its team's namespaces; a refused write leaves no row", async () => {
      const shopAdmin = await callerFor(s, 'admin', 'sam', ['shop']);
      const otherAdmin = await callerFor(s, 'admin', 'oli', ['other']);
      const publisher = await callerFor(s, 'publisher', 'pat', ['shop']);
      await setNamespaceConfig(s, shopAdmin, '*', 'cart', { mode: 'warn', team: 'shop' });
      const rows = await count(s, 'admission_namespaces');
      const audits = await count(s, 'audit_events');
      await assert.rejects(
        setNamespaceConfig(s, otherAdmin, '*', 'cart', { mode: 'audit', team: 'other' }),
        { code: 'AUTH_FORBIDDEN' },
      );
      await assert.rejects(setNamespaceConfig(s, otherAdmin, '*', 'nobody', { mode: 'audit' }), {
        code: 'AUTH_FORBIDDEN',
      });
      await assert.rejects(setNamespaceConfig(s, shopAdmin, '*', 'cart', { mode: 'nope' }), {
        code: 'ADMISSION_NAMESPACE_INVALID',
      });
      await assert.rejects(
        setNamespaceConfig(s, publisher, '*', 'cart', { mode: 'audit', team: 'shop' }),
        {
          code: 'AUTH_FORBIDDEN',
        },
      );
      assert.equal(await count(s, 'admission_namespaces'), rows);
      assert.equal(await count(s, 'audit_events'), audits);
      const otherViewer = await callerFor(s, 'viewer', 'ove', ['other']);
      await assert.rejects(getNamespaceConfig(s, otherViewer, '*', 'cart', 'enforce'), {
        code: 'ADMISSION_NAMESPACE_NOT_FOUND',
      });
      const listed = await listNamespaceConfigViews(s, otherViewer, {});
      assert.equal(listed.length, 0);
      const shopViewer = await callerFor(s, 'viewer', 'sve', ['shop']);
      assert.ok(
        (await listNamespaceConfigViews(s, shopViewer, {})).some((c) => c.namespace === 'cart'),
      );
    });

    it('refuses a write from a token revoked since it was read (checked inside the transaction)', async () => {
      const admin = await callerFor(s, 'admin', 'rev');
      const id = Number(/^token:(\d+):/.exec(admin.principal.actor)?.[1]);
      await s.db.kysely
        .updateTable('tokens')
        .set({ revoked_at: new Date().toISOString() })
        .where('id', '=', id)
        .execute();
      await assert.rejects(setNamespaceConfig(s, admin, '*', 'late', { mode: 'audit' }), {
        code: 'AUTH_TOKEN_INVALID',
      });
    });
  });
}
