import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AdmissionDecision, NamespaceConfig } from '../../src/admission/types.js';
import { createDecisionRecorder } from '../../src/app/admission/records/index.js';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { createLogger } from '../../src/log/logger.js';
import { buildServer } from '../../src/server/app.js';
import { REPO_ROOT } from '../helpers/conformance.js';
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

const NOW = new Date('2026-12-01T12:00:00.000Z');
const OTHER = `sha256:${'e'.repeat(64)}`;

function decision(over: Partial<AdmissionDecision> & { digest?: string; image?: string }) {
  const { digest = OTHER, image = 'registry.local/app', ...rest } = over;
  const d: AdmissionDecision = {
    uid: `uid-${Math.random().toString(36).slice(2)}`,
    api: 'admission-review',
    cluster: 'prod',
    namespace: 'shop',
    workload: 'Deployment/web',
    operation: 'CREATE',
    dryRun: false,
    mode: 'audit',
    modeSource: 'namespace',
    allowed: true,
    degraded: false,
    warnings: [],
    at: '2026-11-30T10:00:00.000Z',
    images: [{ image, digest, outcome: 'pass', message: 'ok', cached: true, effect: 'allow' }],
    ...rest,
  };
  return d;
}

const unsigned = (image: string, digest: string) => ({
  image,
  digest,
  outcome: 'fail' as const,
  reason: 'unsigned' as const,
  message: 'no signature by a trusted identity',
  cached: false,
  effect: 'audit' as const,
});

async function cli(argv: string[], env: Record<string, string>) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd: REPO_ROOT,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

for (const backend of BACKENDS) {
  describe(`admission records over HTTP (${backend})`, () => {
    let srv: TestServer;
    let admin: string;
    let viewer: string;
    let artifact: string;
    let releasePath: string;
    before(async () => {
      srv = await startServer(backend, { clock: () => NOW });
      admin = await tokenFor(srv.services, 'admin');
      await tokenFor(srv.services, 'publisher', ['alpha']);
      viewer = await tokenFor(srv.services, 'viewer');
      const { demo } = await sbomFixtures();
      const p = await push(srv, admin, demo, { product: 'web', release: '1.0.0', team: 'alpha' });
      assert.equal(p.status, 201, p.text);
      artifact = p.json.sbom.artifact;
      releasePath = '/api/v1/products/web/releases/1.0.0';
      const rec = createDecisionRecorder(srv.services, srv.custody.metrics.admission);
      // shop (audit): 3 decisions, 2 of them would be denied in enforce (unsigned twice).
      await rec.record(decision({ at: '2026-11-29T10:00:00.000Z' }));
      await rec.record(
        decision({
          at: '2026-11-29T11:00:00.000Z',
          images: [unsigned('r/unsigned', `sha256:${'a'.repeat(64)}`)],
        }),
      );
      await rec.record(
        decision({
          at: '2026-11-30T11:00:00.000Z',
          images: [unsigned('r/unsigned', `sha256:${'a'.repeat(64)}`)],
        }),
      );
      // api (enforce): one denial, dry run left out of the report.
      await rec.record(
        decision({
          namespace: 'api',
          mode: 'enforce',
          allowed: false,
          message: 'r/x: unsigned',
          images: [{ ...unsigned('r/x', `sha256:${'b'.repeat(64)}`), effect: 'deny' }],
        }),
      );
      await rec.record(decision({ namespace: 'api', mode: 'enforce', dryRun: true }));
      // Long ago: outside a 7-day window.
      await rec.record(
        decision({
          namespace: 'old',
          at: '2026-10-01T00:00:00.000Z',
          images: [unsigned('r/o', OTHER)],
        }),
      );
      await rec.flush();
    });
    after(async () => srv.close());

    it('an admitted digest from an identified cluster marks its release deployed in the inventory', async () => {
      const before = await call(srv, 'GET', releasePath, { token: viewer });
      assert.equal(before.json.deployed, false);
      const rec = createDecisionRecorder(srv.services);
      // Unidentified caller first: nothing changes.
      const { cluster: _, ...anonymous } = decision({ namespace: 'prod-web', digest: artifact });
      await rec.record(anonymous);
      assert.equal((await call(srv, 'GET', releasePath, { token: viewer })).json.deployed, false);
      await rec.record(decision({ namespace: 'prod-web', mode: 'enforce', digest: artifact }));
      assert.equal((await call(srv, 'GET', releasePath, { token: viewer })).json.deployed, true);
      const deps = await call(srv, 'GET', `/api/v1/admission/deployments?digest=${artifact}`, {
        token: viewer,
      });
      assert.equal(deps.status, 200, deps.text);
      assert.deepEqual(
        deps.json.items.map((d: { cluster: string; namespace: string }) => [
          d.cluster,
          d.namespace,
        ]),
        [['prod', 'prod-web']],
      );
    });

    it('GET /api/v1/admission/decisions filters and pages', async () => {
      const all = await call(srv, 'GET', '/api/v1/admission/decisions?namespace=shop', {
        token: viewer,
      });
      assert.equal(all.status, 200, all.text);
      assert.equal(all.json.items.length, 3);
      const un = await call(
        srv,
        'GET',
        '/api/v1/admission/decisions?reason=unsigned&allowed=false',
        {
          token: viewer,
        },
      );
      assert.deepEqual(
        un.json.items.map((d: { namespace: string }) => d.namespace),
        ['api'],
      );
      assert.equal(un.json.items[0].images[0].reason, 'unsigned');
      const p1 = await call(srv, 'GET', '/api/v1/admission/decisions?namespace=shop&limit=2', {
        token: viewer,
      });
      assert.equal(p1.json.items.length, 2);
      assert.ok(p1.json.nextCursor);
      const p2 = await call(
        srv,
        'GET',
        `/api/v1/admission/decisions?namespace=shop&limit=2&cursor=${p1.json.nextCursor}`,
        { token: viewer },
      );
      assert.equal(p2.json.items.length, 1);
      assert.equal(p2.json.nextCursor, null);
      const since = await call(
        srv,
        'GET',
        '/api/v1/admission/decisions?namespace=shop&since=2026-11-30',
        { token: viewer },
      );
      assert.equal(since.json.items.length, 1);
    });

    it('bad filters are coded errors; team-scoped tokens are refused', async () => {
      for (const q of [
        'reason=nonsense',
        'since=yesterday',
        'limit=0',
        'cursor=abc',
        'namespace=a%20b',
      ]) {
        const a = await call(srv, 'GET', `/api/v1/admission/decisions?${q}`, { token: viewer });
        assert.equal(a.status, 400, q);
        assert.equal(errorCode(a), 'ADMISSION_RECORDS_QUERY_INVALID', q);
      }
      const r = await call(srv, 'GET', '/api/v1/admission/report?days=0', { token: viewer });
      assert.equal(errorCode(r), 'ADMISSION_RECORDS_QUERY_INVALID');
      const scoped = await tokenFor(srv.services, 'viewer', ['alpha']);
      const a = await call(srv, 'GET', '/api/v1/admission/decisions', { token: scoped });
      assert.equal(a.status, 403);
      assert.equal(errorCode(a), 'AUTH_FORBIDDEN');
    });

    it('GET /api/v1/admission/report: what enforce would have denied, per namespace', async () => {
      const a = await call(srv, 'GET', '/api/v1/admission/report?days=7', { token: viewer });
      assert.equal(a.status, 200, a.text);
      const byNs = Object.fromEntries(
        a.json.namespaces.map((n: { namespace: string }) => [n.namespace, n]),
      );
      assert.equal(byNs['old'], undefined);
      assert.equal(byNs['shop'].decisions, 3);
      assert.equal(byNs['shop'].wouldDeny, 2);
      assert.deepEqual(byNs['shop'].byReason, { unsigned: 2 });
      assert.equal(byNs['shop'].topImages[0].image, 'r/unsigned');
      assert.equal(byNs['shop'].topImages[0].decisions, 2);
      assert.equal(byNs['shop'].readyForEnforce, false);
      assert.equal(byNs['api'].decisions, 1);
      assert.equal(byNs['api'].denied, 1);
      const one = await call(srv, 'GET', '/api/v1/admission/report?days=90&namespace=old', {
        token: viewer,
      });
      assert.deepEqual(
        one.json.namespaces.map((n: { namespace: string }) => n.namespace),
        ['old'],
      );
    });

    it('custody admission report: a table by default, JSON with --json', async () => {
      const env = { CUSTODY_URL: srv.base, CUSTODY_TOKEN: viewer };
      const t = await cli(['admission', 'report', '--days', '7'], env);
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stdout, /NAMESPACE\s+DECISIONS\s+DENIED/);
      assert.match(t.stdout, /^shop\s+3\s+0\s+3\s+2\s+66\.7%/m);
      assert.match(t.stdout, /r\/unsigned\s+\[unsigned\]/);
      const j = await cli(['admission', 'report', '--namespace', 'shop', '--json'], env);
      assert.equal(j.code, 0, j.stderr);
      assert.equal(JSON.parse(j.stdout).namespaces[0].wouldDeny, 2);
      const bad = await cli(['admission', 'report', '--days', 'x'], env);
      assert.equal(bad.code, 2);
    });

    it('/metrics: decisions by mode, namespace, result and reason; records figures', async () => {
      const m = await call(srv, 'GET', '/metrics', { token: viewer });
      assert.equal(m.status, 200);
      assert.match(
        m.text,
        /custody_admission_decisions_total\{mode="audit",namespace="shop",result="allowed",reason="unsigned"\} 2/,
      );
      assert.match(m.text, /custody_admission_degraded_pending 0/);
      assert.match(m.text, /custody_admission_blocked_images 1/);
      assert.match(
        m.text,
        /custody_admission_namespace_mode_seconds\{namespace="shop",mode="audit"\}/,
      );
      assert.match(m.text, /custody_admission_slo_burn_rate\{window="slo"\} 0/);
      assert.match(m.text, /custody_admission_slo_target 0.999/);
    });

    it('POST /api/v1/admission/reconcile: admins only; 503 without an engine, a run with one', async () => {
      const no = await call(srv, 'POST', '/api/v1/admission/reconcile', { token: admin });
      assert.equal(no.status, 503);
      assert.equal(errorCode(no), 'ADMISSION_RECONCILE_UNAVAILABLE');
      const v = await call(srv, 'POST', '/api/v1/admission/reconcile', { token: viewer });
      assert.equal(v.status, 403);
      const rec = createDecisionRecorder(srv.services);
      await rec.record(
        decision({
          namespace: 'degraded',
          degraded: true,
          images: [
            {
              image: 'r/d',
              digest: OTHER,
              outcome: 'pass',
              message: 'cached',
              cached: false,
              effect: 'allow',
              degraded: { upstream: 'log', via: 'cached-material', detail: 'log down' },
            },
          ],
        }),
      );
      const checked: string[] = [];
      const withEngine = await buildServer({
        services: srv.services,
        logger: createLogger('silent'),
        maxSbomBytes: 1 << 20,
        maxBodyBytes: 1 << 20,
        admissionRecords: {
          reconcile: {
            checker: {
              async check(image) {
                checked.push(image);
                return { image, outcome: 'pass', message: 'signed', cached: false };
              },
            },
            governanceNs: async (_c, namespace) =>
              ({ namespace, cluster: '*', mode: 'audit' }) as NamespaceConfig,
          },
        },
      });
      try {
        const a = await withEngine.app.inject({
          method: 'POST',
          url: '/api/v1/admission/reconcile',
          headers: { authorization: `Bearer ${admin}` },
        });
        assert.equal(a.statusCode, 200, a.body);
        assert.equal(a.json().confirmed, 1);
        assert.deepEqual(checked, [`r/d@${OTHER}`]);
        const list = await call(srv, 'GET', '/api/v1/admission/reconciliations?result=confirmed', {
          token: viewer,
        });
        assert.equal(list.json.items.length, 1);
        assert.equal(list.json.items[0].namespace, 'degraded');
      } finally {
        await withEngine.app.close();
      }
    });
  });
}
