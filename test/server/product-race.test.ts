import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  BACKENDS,
  call,
  errorCode,
  push,
  sbomFixtures,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

const PRODUCTS = 25;

for (const backend of BACKENDS) {
  describe(`two teams' first pushes to one product name (${backend})`, () => {
    let srv: TestServer;
    let admin: string;
    let pubA: string;
    let pubB: string;
    before(async () => {
      srv = await startServer(backend);
      admin = await tokenFor(srv.services, 'admin');
      pubA = await tokenFor(srv.services, 'publisher', ['team-a']);
      pubB = await tokenFor(srv.services, 'publisher', ['team-b']);
    });
    after(() => srv.close());

    it('one team wins each name; the other gets INVENTORY_CONFLICT and nothing crosses', async () => {
      const f = await sbomFixtures();
      const names = Array.from({ length: PRODUCTS }, (_, i) => `race-${i}`);
      const answers = await Promise.all(
        names.flatMap((product, i) => {
          const a = () => push(srv, pubA, f.demo, { product, release: '1.0.0' });
          const b = () => push(srv, pubB, f.cern, { product, release: '1.0.0' });
          // Alternate who starts first, so that either side wins some names.
          return i % 2 === 0 ? [a(), b()] : [b(), a()].reverse();
        }),
      );
      for (const [i, product] of names.entries()) {
        const a = answers[2 * i];
        const b = answers[2 * i + 1];
        assert.ok(a && b);
        const statuses = [a.status, b.status].sort();
        assert.deepEqual(statuses, [201, 409], `${product}: ${a.text} / ${b.text}`);
        const [winner, loser, winnerToken, winnerTeam] =
          a.status === 201 ? [a, b, pubA, 'team-a'] : [b, a, pubB, 'team-b'];
        assert.equal(errorCode(loser), 'INVENTORY_CONFLICT', loser.text);
        assert.match(loser.json.error.message, /another team/);
        assert.doesNotMatch(loser.json.error.message, /team-a|team-b/);
        // The winner reads its own SBOM back.
        const own = await call(srv, 'GET', `/api/v1/sboms/${winner.json.sbom.id}`, {
          token: winnerToken,
        });
        assert.equal(own.status, 200, own.text);
        assert.equal(winner.json.sbom.team, winnerTeam);
        // The product holds only its team's SBOMs.
        const p = await call(srv, 'GET', `/api/v1/products/${product}`, { token: admin });
        assert.equal(p.status, 200, p.text);
        assert.equal(p.json.team, winner.json.sbom.team);
        for (const r of p.json.releases) {
          const d = await call(srv, 'GET', `/api/v1/releases/${r.id}`, { token: admin });
          for (const s of d.json.sboms ?? []) assert.equal(s.team, p.json.team, d.text);
        }
      }
      const won = answers.filter((x) => x.status === 201);
      assert.equal(won.length, PRODUCTS);
      const rows = await srv.services.db.kysely
        .selectFrom('sboms as s')
        .innerJoin('products as p', 'p.id', 's.product_id')
        .select(['s.team_id', 'p.team_id as product_team'])
        .execute();
      assert.equal(rows.length, PRODUCTS);
      for (const r of rows) assert.equal(r.team_id, r.product_team);
    });
  });
}
