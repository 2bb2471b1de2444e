import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { computeKpis, type Figure } from '../../src/app/kpi/index.js';
import { DEFAULT_SLO_SETTINGS } from '../../src/config/index.js';
import { KPI_CATALOGUE } from '../../src/kpi/index.js';
import { BACKENDS, freshServices, type TestServices } from '../helpers/store.js';
import { NOW, seedManual, seedPortfolio } from './seed.js';

const D = 86_400;
/** [value, numerator, denominator] per KPI, worked out by hand from seed.ts. */
type Expect = Record<string, [number | null, number | null, number | null]>;

const ORG: Expect = {
  'b1.images-verified-at-admission': [3 / 5, 3, 5],
  'b1.services-build-l2': [2 / 3, 2, 3],
  'b1.time-to-detect-unsigned': [3 * D, 3 * D, 1],
  'b1.reconstructable-build-records': [3 / 6, 3, 6],
  'b1.release-managers-trained': [7, 7, null],
  'b2.services-build-l3': [1 / 3, 1, 3],
  'b2.rebuild-fidelity': [2 / 3, 2, 3],
  'b2.deployments-blocked-provenance': [2 / 10, 2, 10],
  'b2.releases-pinned-dependencies': [2 / 3, 2, 3],
  'b3.time-in-enforce': [35 / 40, 35 * D, 40 * D],
  'b3.cached-verification-material': [2 / 4, 2, 4],
  'b3.error-budget-burn': [1, 2, 2],
  'b3.degraded-deployments': [2, 2, 10],
  'b3.degraded-reconciled': [1 / 2, 1, 2],
  'b3.median-time-to-reconcile': [200, 400, 2],
  'b3.outage-deployment-delays': [1, 1, 10],
  'b3.chaos-test-coverage': [1 / 3, 1, 3],
  'b3.chaos-test-frequency': [2, 2, null],
  'b3.services-fallback-runbook': [1 / 3, 1, 3],
  'b4.signed-sbom-share': [3 / 6, 3, 6],
  'b4.sbom-freshness': [4 * D, 47 * D, 5],
  'b4.sbom-deployed-alignment': [3 / 4, 3, 4],
  'b4.mttr-high-severity': [7 * D, 14 * D, 2],
  'b4.third-party-coverage': [1 / 2, 1, 2],
  'b4.sbom-gate-blocks': [2, 2, null],
  'b4.sbom-gate-resolution': [2 * D, 2 * D, 1],
};

const NONE: [null, null, null] = [null, null, null];
const ORGANISATION_ONLY = Object.fromEntries(
  KPI_CATALOGUE.filter((k) => k.scope === 'organisation').map((k) => [k.id, NONE]),
);

const ALPHA: Expect = {
  ...ORGANISATION_ONLY,
  'b1.services-build-l2': [1, 2, 2],
  'b1.time-to-detect-unsigned': [3 * D, 3 * D, 1],
  'b1.reconstructable-build-records': [2 / 4, 2, 4],
  'b1.release-managers-trained': [5, 5, null],
  'b2.services-build-l3': [1 / 2, 1, 2],
  'b2.rebuild-fidelity': [1 / 2, 1, 2],
  'b2.releases-pinned-dependencies': [2 / 3, 2, 3],
  'b3.chaos-test-coverage': [1 / 2, 1, 2],
  'b3.chaos-test-frequency': [2, 2, null],
  'b3.services-fallback-runbook': [1 / 2, 1, 2],
  'b4.signed-sbom-share': [2 / 4, 2, 4],
  'b4.sbom-freshness': [3 * D, 17 * D, 4],
  'b4.mttr-high-severity': [10 * D, 10 * D, 1],
  'b4.third-party-coverage': [1, 1, 1],
};

const BETA: Expect = {
  ...ORGANISATION_ONLY,
  'b1.services-build-l2': [0, 0, 1],
  'b1.time-to-detect-unsigned': [null, null, 0],
  'b1.reconstructable-build-records': [1 / 2, 1, 2],
  'b1.release-managers-trained': [2, 2, null],
  'b2.services-build-l3': [0, 0, 1],
  'b2.rebuild-fidelity': [1, 1, 1],
  'b2.releases-pinned-dependencies': [null, 0, 0],
  'b3.chaos-test-coverage': [0, 0, 1],
  'b3.chaos-test-frequency': [0, 0, null],
  'b3.services-fallback-runbook': [0, 0, 1],
  'b4.signed-sbom-share': [1 / 2, 1, 2],
  'b4.sbom-freshness': [30 * D, 30 * D, 1],
  'b4.mttr-high-severity': [4 * D, 4 * D, 1],
  'b4.third-party-coverage': [0, 0, 1],
};

function check(got: Map<string, Figure>, want: Expect): void {
  assert.deepEqual([...got.keys()].sort(), KPI_CATALOGUE.map((k) => k.id).sort());
  for (const [id, [value, numerator, denominator]] of Object.entries(want)) {
    const f = got.get(id);
    assert.ok(f, id);
    const close = (a: number | null, b: number | null, what: string) => {
      if (b === null) assert.equal(a, null, `${id} ${what}`);
      else
        assert.ok(
          a !== null && Math.abs(a - b) < 1e-6 * Math.max(1, Math.abs(b)),
          `${id} ${what}: ${a} ≠ ${b}`,
        );
    };
    close(f.value, value, 'value');
    close(f.numerator, numerator, 'numerator');
    close(f.denominator, denominator, 'denominator');
  }
}

for (const backend of BACKENDS) {
  describe(`KPI computation (${backend})`, () => {
    let s: TestServices;
    let teams: Map<string, number>;
    before(async () => {
      s = await freshServices(backend, () => NOW, { tlog: false });
      await seedPortfolio(s.db.kysely);
      await seedManual(s.db.kysely);
      const rows = await s.db.kysely.selectFrom('teams').select(['id', 'name']).execute();
      teams = new Map(rows.map((r) => [r.name, r.id]));
    });
    after(async () => s.close());

    it('computes every KPI organisation-wide from the seeded rows', async () => {
      check(await computeKpis(s.db.read, { team: null }, NOW, DEFAULT_SLO_SETTINGS), ORG);
    });

    it('computes team-scoped KPIs per team, and leaves admission’s to the organisation', async () => {
      for (const [team, want] of [
        ['alpha', ALPHA],
        ['beta', BETA],
      ] as const) {
        const teamId = teams.get(team) as number;
        check(await computeKpis(s.db.read, { team, teamId }, NOW, DEFAULT_SLO_SETTINGS), want);
      }
    });
  });
}
