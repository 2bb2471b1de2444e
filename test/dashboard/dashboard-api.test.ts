import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type SeededPortfolio, seedPortfolio } from '../../bench/_seed-portfolio.js';
import { leafHash, verifyInclusion } from '../../src/tlog/index.js';
import { BACKENDS, call, startServer, type TestServer, tokenFor } from '../helpers/server.js';

// The dashboard's read endpoints on a seeded portfolio (bench/_seed-portfolio.ts): 60 releases of
// 6 products in 3 teams; product k belongs to team-(k % 3), release i to product i % 6.

const RELEASES = 60;

/** Every page of a listing, following nextCursor; fails on a page seen twice. */
async function walk(
  srv: TestServer,
  token: string,
  path: string,
  // biome-ignore lint/suspicious/noExplicitAny: items are whatever the listing returns
): Promise<any[]> {
  // biome-ignore lint/suspicious/noExplicitAny: as above
  const items: any[] = [];
  const seen = new Set<string>();
  let cursor: string | null = null;
  for (let n = 0; n < 100; n++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await call(
      srv,
      'GET',
      cursor === null ? path : `${path}${sep}cursor=${encodeURIComponent(cursor)}`,
      { token },
    );
    assert.equal(r.status, 200, r.text);
    const page = r.json.items ?? r.json.releases;
    items.push(...page);
    cursor = r.json.nextCursor;
    if (cursor === null) return items;
    assert.ok(!seen.has(cursor), 'a cursor came back twice');
    seen.add(cursor);
  }
  throw new Error('more than 100 pages');
}

for (const backend of BACKENDS) {
  describe(`dashboard API (${backend})`, () => {
    let srv: TestServer;
    let seed: SeededPortfolio;
    let org: string;
    let scoped: string;
    /** Release ids of team-1, by the seed's layout. */
    let team1: number[];

    before(async () => {
      srv = await startServer(backend);
      seed = await seedPortfolio(srv.services, { releases: RELEASES, products: 6, teams: 3 });
      org = await tokenFor(srv.services, 'viewer');
      scoped = await tokenFor(srv.services, 'viewer', ['team-1'], 'team-one-viewer');
      team1 = seed.releaseIds.filter((_, i) => (i % 6) % 3 === 1);
    });
    after(async () => srv?.close());

    it('releases: every page walked once, newest first; a team token sees only its team', async () => {
      const all = await walk(srv, org, '/api/v1/dashboard/releases?limit=7');
      assert.deepEqual(
        all.map((r) => r.id),
        [...seed.releaseIds].reverse(),
      );
      const mine = await walk(srv, scoped, '/api/v1/dashboard/releases?limit=6');
      assert.deepEqual(mine.map((r) => r.id).sort(), [...team1].sort());
      assert.ok(mine.every((r) => r.team === 'team-1'));
      const byName = await walk(srv, org, '/api/v1/dashboard/releases?limit=9&sort=product');
      assert.equal(new Set(byName.map((r) => r.id)).size, RELEASES);
      const names = byName.map((r) => r.product);
      assert.deepEqual(names, [...names].sort());
      // Another team through the filter is an empty listing, not an error.
      const other = await call(srv, 'GET', '/api/v1/dashboard/releases?team=team-2', {
        token: scoped,
      });
      assert.deepEqual(other.json.items, []);
    });

    it('releases: a row carries coverage, SLSA level, freshness and findings', async () => {
      const r = await call(
        srv,
        'GET',
        '/api/v1/dashboard/releases?product=product-0000&limit=200',
        {
          token: org,
        },
      );
      assert.equal(r.status, 200);
      assert.equal(r.json.items.length, RELEASES / 6);
      const first = r.json.items.at(-1); // release 0: SBOM unsigned (even), provenance (i % 4 == 0)
      assert.equal(first.id, seed.releaseIds[0]);
      assert.equal(first.artifacts, 1);
      assert.equal(first.withSbom, 1);
      assert.equal(first.withSignedSbom, 0);
      assert.equal(first.withProvenance, 1);
      assert.equal(first.deployed, true);
      assert.ok(['fresh', 'stale', 'due', 'missing'].includes(first.freshness));
      assert.equal(typeof first.openFindings.critical, 'number');
      const q = await call(srv, 'GET', '/api/v1/dashboard/releases?q=DUCT-0001', { token: org });
      assert.ok(q.json.items.length > 0);
      assert.ok(q.json.items.every((x: { product: string }) => x.product === 'product-0001'));
      const bad = await call(srv, 'GET', '/api/v1/dashboard/releases?cursor=nonsense', {
        token: org,
      });
      assert.equal(bad.status, 400);
      assert.equal(bad.json.error.code, 'INVENTORY_QUERY_INVALID');
    });

    it('overview: counts over the caller’s teams', async () => {
      const o = (await call(srv, 'GET', '/api/v1/dashboard/overview', { token: org })).json;
      assert.equal(o.products, 6);
      assert.equal(o.releases, RELEASES);
      const open = o.openFindings;
      assert.equal(open.critical + open.high + open.medium + open.low, seed.openFindings);
      assert.equal(o.vexPendingApproval, seed.vexDrafts);
      assert.ok(o.vexOverdue > 0 && o.vexOverdue <= seed.vexDrafts);
      assert.notEqual(o.admission, null);
      assert.equal(o.followUps.open, seed.followUps);
      assert.ok(o.followUps.overdue > 0 && o.followUps.overdue < seed.followUps + 1);
      const deployed = seed.releaseIds.filter((_, i) => i % 3 === 0).length;
      const f = o.freshness;
      assert.equal(f.fresh + f.due + f.stale + f.missing, deployed);
      const mine = (await call(srv, 'GET', '/api/v1/dashboard/overview', { token: scoped })).json;
      assert.equal(mine.products, 2);
      assert.equal(mine.releases, team1.length);
      assert.equal(mine.admission, null);
    });

    it('search: a purl, name@version and a CVE find their releases', async () => {
      const withSbom = seed.releaseIds.filter((_, i) => i % 20 !== 7);
      const purl = await walk(
        srv,
        org,
        `/api/v1/dashboard/search?limit=8&q=${encodeURIComponent(seed.commonPurl)}`,
      );
      assert.deepEqual(
        purl.map((r) => r.releaseId),
        [...withSbom].reverse(),
      );
      assert.equal(purl[0].components[0].name, 'seed-lib-0');
      const nv = await call(srv, 'GET', '/api/v1/dashboard/search?q=seed-lib-1@1.0.0', {
        token: org,
      });
      assert.equal(nv.json.kind, 'name-version');
      assert.ok(nv.json.releases.length > 0);
      assert.ok(
        nv.json.releases.every((r: { components: { version: string }[] }) =>
          r.components.every((c) => c.version === '1.0.0'),
        ),
      );
      const cve = await call(srv, 'GET', `/api/v1/dashboard/search?q=${seed.cve}`, { token: org });
      assert.equal(cve.json.kind, 'vulnerability');
      assert.equal(cve.json.vulnerability.id, seed.advisory);
      assert.deepEqual(
        cve.json.releases.map((r: { releaseId: number }) => r.releaseId).sort(),
        nv.json.releases.map((r: { releaseId: number }) => r.releaseId).sort(),
      );
      const scopedCve = await call(srv, 'GET', `/api/v1/dashboard/search?q=${seed.cve}`, {
        token: scoped,
      });
      assert.ok(scopedCve.json.releases.every((r: { team: string }) => r.team === 'team-1'));
      const unknown = await call(srv, 'GET', '/api/v1/dashboard/search?q=CVE-1999-0000', {
        token: org,
      });
      assert.equal(unknown.json.vulnerability, null);
    });

    it('scorecards and risk contributors', async () => {
      const cards = (await call(srv, 'GET', '/api/v1/dashboard/scorecards', { token: org })).json;
      assert.deepEqual(
        cards.items.map((c: { team: string }) => c.team),
        ['team-0', 'team-1', 'team-2'],
      );
      assert.equal(
        cards.items.reduce((n: number, c: { releases: number }) => n + c.releases, 0),
        RELEASES,
      );
      const mine = (await call(srv, 'GET', '/api/v1/dashboard/scorecards', { token: scoped })).json;
      assert.deepEqual(
        mine.items.map((c: { team: string }) => c.team),
        ['team-1'],
      );
      const risk = (
        await call(srv, 'GET', '/api/v1/dashboard/risk-contributors?limit=5', { token: org })
      ).json;
      assert.ok(risk.items.length > 0);
      for (const r of risk.items) {
        assert.equal(r.score, r.openHighCritical * r.deployedReleases);
        assert.ok(r.vulnerabilities.length > 0);
      }
      const scores = risk.items.map((r: { score: number }) => r.score);
      assert.deepEqual(
        scores,
        [...scores].sort((a, b) => b - a),
      );
    });

    it('vex queue: drafts awaiting a second person, overdue first', async () => {
      const q = await walk(srv, org, '/api/v1/dashboard/vex-queue?limit=2');
      assert.equal(q.length, seed.vexDrafts);
      const deadlines = q.map((x) => x.deadline);
      assert.deepEqual(deadlines, [...deadlines].sort());
      assert.equal(q[0].overdue, true);
      const mine = await walk(srv, scoped, '/api/v1/dashboard/vex-queue');
      assert.ok(mine.every((x) => x.team === 'team-1'));
    });

    it('vulnerabilities: open advisories, overdue first, with VEX state and deadlines', async () => {
      const all = await walk(srv, org, '/api/v1/dashboard/vulnerabilities?limit=1');
      assert.equal(all.length, 4);
      // The first advisory has a draft per affected product, half of them past their deadline.
      const first = all.find((v) => v.id === seed.advisory);
      assert.equal(first.overdue, true);
      assert.equal(all[0].id, seed.advisory);
      assert.equal(first.vex.pending, first.products);
      assert.deepEqual(first.aliases, [seed.cve]);
      // The others have no statement yet: due one draft deadline after they were opened.
      const other = all.find((v) => v.id !== seed.advisory);
      assert.equal(other.vex.missing, other.products);
      assert.ok(other.deadline > other.firstOpenedAt);
      const findings = all.reduce((n, v) => n + v.affectedReleases, 0);
      assert.equal(findings, seed.openFindings);
      const critical = await call(
        srv,
        'GET',
        '/api/v1/dashboard/vulnerabilities?severity=critical',
        {
          token: scoped,
        },
      );
      assert.ok(critical.json.items.every((v: { severity: string }) => v.severity === 'critical'));
      assert.ok(critical.json.items.every((v: { products: number }) => v.products <= 2));
    });

    it('release detail: artifacts, signatures, SLSA, and a log entry whose proof verifies', async () => {
      const id = seed.releaseIds[0] as number;
      const first = (await call(srv, 'GET', `/api/v1/dashboard/releases/${id}`, { token: org }))
        .json;
      assert.equal(first.artifacts.length, 1);
      assert.equal(first.slsa.builder, 'https://github.com/actions/runner');
      assert.equal(first.previous, null);
      const digest = first.artifacts[0].digest as string;
      const body = new TextEncoder().encode(JSON.stringify({ test: 'dashboard', digest }));
      const log = srv.services.tlog?.log;
      assert.ok(log);
      await log.append({
        kind: 'custody-test',
        body,
        leafHash: leafHash(body),
        subject: digest,
      });
      const r = (await call(srv, 'GET', `/api/v1/dashboard/releases/${id}`, { token: org })).json;
      assert.equal(r.logEntries.length, 1);
      const e = r.logEntries[0];
      const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
      verifyInclusion(
        e.logIndex,
        e.proof.treeSize,
        leafHash(Uint8Array.from(Buffer.from(e.leaf, 'base64'))),
        e.proof.hashes.map(hex),
        hex(e.proof.rootHash),
      );
      assert.ok(e.checkpoint.includes(Buffer.from(hex(e.proof.rootHash)).toString('base64')));
      // Release 13 (product 1) is signed (odd); its product's previous release is release 7.
      const signed = (
        await call(srv, 'GET', `/api/v1/dashboard/releases/${seed.releaseIds[13]}`, { token: org })
      ).json;
      assert.equal(signed.signatures[0].subject, 'sbom');
      assert.equal(signed.signatures[0].emergency, false);
      // A bundle certified by Custody's emergency issuer for an identity it issued one to.
      const db = srv.services.db.kysely;
      const release = await db
        .selectFrom('sboms')
        .select(['id', 'team_id', 'created_at'])
        .where('release_id', '=', seed.releaseIds[13] as number)
        .executeTakeFirstOrThrow();
      await db
        .insertInto('emergency_requests')
        .values({
          team_id: release.team_id,
          identity: 'oncall@example.com',
          public_key: 'PEM',
          reason: 'OIDC provider down',
          lifetime_seconds: 86400,
          requester_actor: 'token:1:a',
          requester_person: 'asker',
          requested_at: release.created_at,
          expires_at: release.created_at,
          status: 'issued',
          approver_actor: 'token:2:b',
          approver_person: 'approver',
          decided_at: release.created_at,
        })
        .execute();
      await db
        .insertInto('sbom_signatures')
        .values({
          sbom_id: release.id,
          bundle_digest: `sha256:${'e'.repeat(64)}`,
          content: 'message',
          signer_kind: 'identity',
          identity: 'oncall@example.com',
          issuer: 'http://127.0.0.1:8080/emergency',
          key_name: null,
          key_hint: null,
          log_index: null,
          logged_by: null,
          created_at: release.created_at,
          created_by: 'test',
        })
        .execute();
      const marked = (
        await call(srv, 'GET', `/api/v1/dashboard/releases/${seed.releaseIds[13]}`, { token: org })
      ).json;
      assert.deepEqual(
        marked.signatures.map((g: { emergency: boolean }) => g.emergency),
        [false, true],
      );
      assert.equal(marked.signatures[1].signer.identity, 'oncall@example.com');
      assert.deepEqual(signed.previous, { id: seed.releaseIds[7], version: '1.1.0' });
      // Another team's release is absent for a team token.
      const hidden = await call(srv, 'GET', `/api/v1/dashboard/releases/${id}`, {
        token: scoped,
      });
      assert.equal(hidden.status, 404);
      assert.equal(hidden.json.error.code, 'INVENTORY_NOT_FOUND');
    });

    it('release components: pages, search, licences and hashes', async () => {
      const id = seed.releaseIds[1] as number;
      const all = await walk(srv, org, `/api/v1/dashboard/releases/${id}/components?limit=2`);
      assert.equal(all.length, 5);
      assert.equal(new Set(all.map((c) => c.purl)).size, 5);
      assert.ok(all.every((c) => c.hashes.length === 1 && c.hashes[0].alg === 'SHA-256'));
      assert.ok(all.some((c) => c.licenses.length === 1));
      const q = await call(srv, 'GET', `/api/v1/dashboard/releases/${id}/components?q=LIB-0@`, {
        token: org,
      });
      assert.deepEqual(
        q.json.items.map((c: { name: string }) => c.name),
        ['seed-lib-0'],
      );
    });
  });
}
