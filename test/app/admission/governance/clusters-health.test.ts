import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import {
  listClusterViews,
  listHealthProbeViews,
  probeUpstreams,
  registerCluster,
  StoredAdmissionGovernance,
} from '../../../../src/app/admission/governance/index.js';
import { HttpClient } from '../../../../src/net/http.js';
import { BACKENDS, freshServices, type TestServices } from '../../../helpers/store.js';
import { callerFor, count } from './callers.js';

const FP = `${'AB:'.repeat(31)}AB`;

for (const backend of BACKENDS) {
  describe(`admission clusters and health probes (${backend})`, () => {
    let s: TestServices;
    let upstream: Server;
    let base: string;
    before(async () => {
      s = await freshServices(backend);
      upstream = createServer((req, res) => {
        res.statusCode = req.url === '/down' ? 503 : 200;
        res.end('x');
      });
      await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    });
    after(async () => {
      upstream.close();
      await s.close();
    });

    it('registers a cluster, shows its token once, stores only its hash, and identifies callers', async () => {
      const admin = await callerFor(s, 'admin', 'ada');
      const c = await registerCluster(s, admin, { name: 'prod-eu', certFingerprints: [FP] });
      assert.match(c.token, /^cadm_/);
      assert.deepEqual(c.certFingerprints, ['ab'.repeat(32)]);
      const stored = await s.db.kysely
        .selectFrom('admission_cluster_credentials')
        .select(['kind', 'value'])
        .execute();
      assert.ok(!stored.some((r) => r.value === c.token));
      assert.ok(stored.some((r) => r.value === createHash('sha256').update(c.token).digest('hex')));
      const g = new StoredAdmissionGovernance(s);
      assert.deepEqual(await g.identifyCluster({ bearerToken: c.token }), {
        known: true,
        cluster: 'prod-eu',
        via: 'bearer-token',
      });
      assert.deepEqual(await g.identifyCluster({ certFingerprint: `sha256:${'AB'.repeat(32)}` }), {
        known: true,
        cluster: 'prod-eu',
        via: 'client-certificate',
      });
      assert.deepEqual(await g.identifyCluster({ bearerToken: `${c.token}x` }), { known: false });
      assert.deepEqual(await g.identifyCluster({}), { known: false });
      const viewer = await callerFor(s, 'viewer', 'vic');
      const [listed] = await listClusterViews(s, viewer);
      assert.equal(listed?.name, 'prod-eu');
      assert.equal((listed as unknown as { token?: string }).token, undefined);
    });

    it('refuses a taken name, a bad fingerprint, and team-scoped admins, leaving no row', async () => {
      const admin = await callerFor(s, 'admin', 'ada2');
      const teamAdmin = await callerFor(s, 'admin', 'tad', ['shop']);
      const rows = await count(s, 'admission_clusters');
      await assert.rejects(registerCluster(s, admin, { name: 'prod-eu' }), {
        code: 'ADMISSION_CLUSTER_CONFLICT',
      });
      await assert.rejects(registerCluster(s, admin, { name: 'x', certFingerprints: ['abc'] }), {
        code: 'ADMISSION_CLUSTER_INVALID',
      });
      await assert.rejects(registerCluster(s, admin, { name: 'Bad Name' }), {
        code: 'ADMISSION_CLUSTER_INVALID',
      });
      await assert.rejects(registerCluster(s, teamAdmin, { name: 'shop-cluster' }), {
        code: 'AUTH_FORBIDDEN',
      });
      assert.equal(await count(s, 'admission_clusters'), rows);
      assert.equal(await count(s, 'admission_cluster_credentials'), 2);
    });

    it('probes upstreams once each and records healthy and unhealthy answers', async () => {
      let calls = 0;
      const http = new HttpClient({
        breaker: false,
        retries: 0,
        fetch: (i, init) => {
          calls++;
          return fetch(i, init);
        },
      });
      const out = await probeUpstreams(
        s,
        [
          { name: 'registry', url: `${base}/v2/` },
          { name: 'log', url: `${base}/down` },
          { name: 'ca', url: 'http://127.0.0.1:1/' },
        ],
        http,
      );
      assert.equal(calls, 3);
      assert.deepEqual(
        out.map((p) => [p.upstream, p.healthy]),
        [
          ['registry', true],
          ['log', false],
          ['ca', false],
        ],
      );
      const viewer = await callerFor(s, 'viewer', 'vic2');
      const stored = await listHealthProbeViews(s, viewer, {});
      assert.equal(stored.length, 3);
      assert.equal(stored.find((p) => p.upstream === 'log')?.detail, 'HTTP 503');
    });
  });
}
