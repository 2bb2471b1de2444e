import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { AccessError } from '../../../src/access/index.js';
import { auditTrail } from '../../../src/app/audit-trail.js';
import { diffReleases } from '../../../src/app/inventory/diff-releases.js';
import { ingestSbom } from '../../../src/app/inventory/ingest-sbom.js';
import { portfolioFigures } from '../../../src/app/inventory/portfolio-figures.js';
import { releaseDetail } from '../../../src/app/inventory/read-catalogue.js';
import { patchRelease } from '../../../src/app/inventory/update-release.js';
import { bootstrapAdminToken, CLI_CALLER, createToken } from '../../../src/app/tokens.js';
import { parseSbom } from '../../../src/formats/index.js';
import { InventoryError } from '../../../src/inventory/errors.js';
import { diffSboms } from '../../../src/sbom/diff/index.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';
import { BACKENDS, freshServices, type TestServices } from '../../helpers/store.js';
import { caller, demoSbom, edited } from './fixtures.js';

const DAY = 86_400_000;

for (const backend of BACKENDS) {
  describe(`diff, portfolio figures and release updates (${backend})`, () => {
    let s: TestServices;
    let now: Date;
    beforeEach(async () => {
      now = new Date();
      s = await freshServices(backend, () => now);
      await bootstrapAdminToken(s);
      await createToken(s, CLI_CALLER, { role: 'publisher', teams: ['web'] });
    });
    afterEach(() => s.close());

    const push = async (
      which: 'demo-app' | 'demo-app-1.1',
      product: string,
      release: string,
      who = CLI_CALLER,
    ) => ingestSbom(s, who, { bytes: await demoSbom(which), product, release });

    it('diffReleases equals diffSboms of the two documents', async () => {
      const a = await push('demo-app', 'demo', '1.0.0');
      const b = await push('demo-app-1.1', 'demo', '1.1.0');
      const d = await diffReleases(s, CLI_CALLER, b.sbom.releaseId, a.sbom.releaseId);
      const expected = diffSboms(
        parseSbom(await demoSbom('demo-app'), 'a'),
        parseSbom(await demoSbom('demo-app-1.1'), 'b'),
      );
      assert.deepEqual(d.diff, expected);
      assert.equal(d.from.version, '1.0.0');
      assert.equal(d.to.version, '1.1.0');
      // lodash moved from 4.17.20 to 4.17.21 between the two.
      assert.ok(JSON.stringify(d.diff).includes('4.17.21'));
      // The other way round is the inverse diff.
      const back = await diffReleases(s, CLI_CALLER, a.sbom.releaseId, b.sbom.releaseId);
      assert.deepEqual(
        back.diff,
        diffSboms(
          parseSbom(await demoSbom('demo-app-1.1'), 'b'),
          parseSbom(await demoSbom('demo-app'), 'a'),
        ),
      );
      await expectCustodyErrorAsync(
        () => diffReleases(s, caller('viewer', ['web']), b.sbom.releaseId, a.sbom.releaseId),
        InventoryError,
        'INVENTORY_NOT_FOUND',
      );
      await expectCustodyErrorAsync(
        () => diffReleases(s, CLI_CALLER, b.sbom.releaseId, 9999),
        InventoryError,
        'INVENTORY_NOT_FOUND',
      );
    });

    it('portfolioFigures: coverage, freshness (stale, without SBOM), quality histogram', async () => {
      const a = await push('demo-app', 'demo', '1.0.0');
      // 1.1.0 gets two SBOMs: the first is superseded and must not count as current.
      await ingestSbom(s, CLI_CALLER, {
        bytes: edited(await demoSbom('demo-app'), (d) => {
          d['serialNumber'] = 'urn:uuid:5f0c2d1e-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
        }),
        product: 'demo',
        release: '1.1.0',
      });
      const b = await push('demo-app-1.1', 'demo', '1.1.0');
      const w = await push('demo-app-1.1', 'web-app', '2.0.0', caller('publisher', ['web']));
      // A deployed release nobody pushed an SBOM for (as an import from elsewhere would leave it).
      const demoId = (await releaseDetail(s, CLI_CALLER, a.sbom.releaseId)).productId;
      await s.db.kysely
        .insertInto('releases')
        .values({
          product_id: demoId,
          version: '0.9.0',
          tag: null,
          commit_sha: null,
          created_at: now.toISOString(),
          rebuilt_at: null,
          deployed: 1,
        })
        .execute();
      await patchRelease(s, CLI_CALLER, a.sbom.releaseId, {
        deployed: true,
        rebuiltAt: '2000-01-01T00:00:00Z',
      });
      await patchRelease(s, CLI_CALLER, b.sbom.releaseId, { deployed: true, rebuiltAt: 'now' });
      now = new Date(now.getTime() + 10 * DAY);

      const f = await portfolioFigures(s, CLI_CALLER);
      assert.equal(f.generatedAt, now.toISOString());
      assert.deepEqual(f.coverage, {
        products: 2,
        releases: 4,
        releasesWithSbom: 3,
        releaseCoverage: 0.75,
        artifacts: 3,
        artifactsWithSbom: 3,
        artifactCoverage: 1,
        artifactsWithSignedSbom: 0,
        signedCoverage: 0,
      });
      assert.equal(f.freshness.deployedReleases, 3);
      assert.deepEqual(
        f.freshness.withoutSbom.map((r) => [r.product, r.version]),
        [['demo', '0.9.0']],
      );
      // 1.1.0 was rebuilt after its SBOM was made; 1.0.0's rebuild predates its SBOM.
      assert.deepEqual(
        f.freshness.stale.map((r) => [r.id, r.product, r.version]),
        [[b.sbom.releaseId, 'demo', '1.1.0']],
      );
      const docTime = Date.parse(parseSbom(await demoSbom('demo-app'), 'a').timestamp ?? '');
      const age = Math.round(((now.getTime() - docTime) / DAY) * 10) / 10;
      assert.equal(f.freshness.medianAgeDays, age);
      assert.equal(f.freshness.maxAgeDays, age);
      const scores = [a, b, w].map((r) => r.sbom.qualityScore);
      const histogram = Array.from(
        { length: 11 },
        (_, i) => scores.filter((sc) => Math.min(10, Math.floor(sc)) === i).length,
      );
      assert.deepEqual(f.quality.histogram, histogram);
      assert.equal(f.quality.sboms, 3);
      assert.equal(
        f.quality.meanScore,
        Math.round((scores.reduce((x, y) => x + y, 0) / 3) * 10) / 10,
      );
      assert.deepEqual(f.index, { sboms: 4, currentSboms: 3, components: 75 + 81 + 81 });

      // A team token sees its team's share only.
      const web = await portfolioFigures(s, caller('viewer', ['web']));
      assert.equal(web.coverage.products, 1);
      assert.equal(web.coverage.releases, 1);
      assert.equal(web.freshness.deployedReleases, 0);
      assert.deepEqual(web.index, { sboms: 1, currentSboms: 1, components: 81 });
      const none = await portfolioFigures(s, caller('viewer', ['nobody']));
      assert.equal(none.coverage.products, 0);
      assert.equal(none.coverage.releaseCoverage, 0);
      assert.equal(none.quality.meanScore, null);
      assert.equal(none.freshness.medianAgeDays, null);
    });

    it('patchRelease: deployed, rebuilt, tag and commit, audited', async () => {
      const a = await push('demo-app', 'demo', '1.0.0');
      const id = a.sbom.releaseId;
      const r = await patchRelease(s, CLI_CALLER, id, {
        deployed: true,
        rebuiltAt: 'now',
        tag: 'v1.0.0',
        commit: 'abc123',
      });
      assert.deepEqual(
        [r.deployed, r.rebuiltAt, r.tag, r.commit, r.version],
        [true, now.toISOString(), 'v1.0.0', 'abc123', '1.0.0'],
      );
      const r2 = await patchRelease(s, CLI_CALLER, id, {
        deployed: false,
        rebuiltAt: '2026-01-02T03:04:05+01:00',
      });
      assert.equal(r2.deployed, false);
      assert.equal(r2.rebuiltAt, '2026-01-02T02:04:05.000Z');
      assert.equal(r2.tag, 'v1.0.0');
      const audit = await auditTrail(s, CLI_CALLER, { action: 'release.update' });
      assert.equal(audit.items.length, 2);
      assert.equal(audit.items[0]?.target, `release:${id}`);
      assert.equal(audit.items[0]?.team, 'default');
      await expectCustodyErrorAsync(
        () => patchRelease(s, CLI_CALLER, id, { rebuiltAt: 'yesterday' }),
        InventoryError,
        'INVENTORY_INPUT_INVALID',
      );
      await expectCustodyErrorAsync(
        () => patchRelease(s, caller('viewer'), id, { deployed: true }),
        AccessError,
        'AUTH_FORBIDDEN',
      );
      await expectCustodyErrorAsync(
        () => patchRelease(s, caller('publisher', ['web']), id, { deployed: true }),
        InventoryError,
        'INVENTORY_NOT_FOUND',
      );
      await expectCustodyErrorAsync(
        () => patchRelease(s, CLI_CALLER, 9999, { deployed: true }),
        InventoryError,
        'INVENTORY_NOT_FOUND',
      );
    });
  });
}
