import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  findAdmissionMaterial,
  pruneAdmissionMaterial,
  saveAdmissionMaterial,
  unpinAdmissionMaterial,
} from '../../../../src/store/admission-material.js';
import { BACKENDS, freshServices, type TestServices } from '../../../helpers/store.js';

const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

for (const backend of BACKENDS) {
  describe(`admission material store (${backend})`, () => {
    let s: TestServices;
    before(async () => {
      s = await freshServices(backend);
    });
    after(async () => {
      await s.close();
    });

    const row = (digest: string, verifiedAt: string, material = '{}') => ({
      key: `${digest}|fp`,
      digest,
      registry: 'registry.example',
      repository: 'acme/app',
      verifiedAt,
      material,
    });

    it('saves, replaces, keeps a pin through a refresh, prunes only unpinned old rows', async () => {
      const q = s.db.kysely;
      await saveAdmissionMaterial(q, row(D1, '2026-01-01T00:00:00.000Z'));
      await saveAdmissionMaterial(q, { ...row(D2, '2026-01-01T00:00:00.000Z'), pinned: true });
      assert.equal((await findAdmissionMaterial(q, `${D1}|fp`))?.pinned, false);
      // A refresh (pinned not said) keeps the pin and replaces the material.
      await saveAdmissionMaterial(q, row(D2, '2026-01-02T00:00:00.000Z', '{"v":2}'));
      const d2 = await findAdmissionMaterial(q, `${D2}|fp`);
      assert.equal(d2?.pinned, true);
      assert.equal(d2?.material, '{"v":2}');
      assert.equal(d2?.verifiedAt, '2026-01-02T00:00:00.000Z');
      assert.equal(await pruneAdmissionMaterial(q, '2026-01-05T00:00:00.000Z'), 1);
      assert.equal(await findAdmissionMaterial(q, `${D1}|fp`), undefined);
      assert.ok(await findAdmissionMaterial(q, `${D2}|fp`));
      await unpinAdmissionMaterial(q, D2);
      assert.equal(await pruneAdmissionMaterial(q, '2026-01-05T00:00:00.000Z'), 1);
      assert.equal(await findAdmissionMaterial(q, `${D2}|fp`), undefined);
    });
  });
}
