import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NamespaceConfig } from '../../../src/admission/types.js';
import { type OpenedAdmission, openAdmission } from '../../../src/app/admission/open-admission.js';
import { type Keyless, openKeyless } from '../../../src/app/ca/open-keyless.js';
import { openRegistry } from '../../../src/app/oci/registry.js';
import { run } from '../../../src/cli/main.js';
import { createLogger } from '../../../src/log/logger.js';
import { MEDIA } from '../../../src/oci/index.js';
import { buildServer, type CustodyServer } from '../../../src/server/app.js';
import { buildImageBlobs } from '../../helpers/image-builder.js';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';
import { KEYLESS_PUBLIC_URL, tokenFor } from '../../helpers/server.js';
import { freshServices, type TestServices } from '../../helpers/store.js';
import { createToken, ecKey, SKIP, type TestToken } from '../../pkcs11/softhsm.js';
import { custodyClass, type Gate, startGate } from './harness.js';

/**
 * Chaos: the registry, the log, the CA, the OIDC provider and the HSM each made unavailable or
 * slow in turn, then all at once (a partition), on the real parts — docker-registry behind
 * gates, the Custody server (its CA, dev OIDC issuer and log) behind a gate whose request
 * classes fail separately, SoftHSM for the fallback key — with admission composed as the
 * service composes it and reviews posted to the real webhook route. For each outage: what each
 * mode decides, and what reconciliation records once the upstream is back.
 */

const SUBJECT = 'releaser@example.com';
const TTL_MS = 60_000;
const UPSTREAM_TIMEOUT_MS = 400;
/** What the API server waits by default; every decision must come well within it. */
const WEBHOOK_TIMEOUT_MS = 10_000;
const MODES = ['enforce', 'warn', 'audit'] as const;
const HIGH_RISK = ['hr-enforce', 'hr-warn', 'hr-audit'] as const;
/** Denial words of policy reasons: an infrastructure failure must never read as one of them. */
const POLICY_REASON =
  /reason (unsigned|identity|issuer-drift|provenance|sbom-missing|sbom-gate|vulnerability)/;

interface ReviewAnswer {
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; message: string };
    warnings?: string[];
    auditAnnotations?: Record<string, string>;
  };
}

interface StoredDecision {
  uid: string;
  degraded: boolean;
  allowed: boolean;
  reconciliation: { result: string; at: string } | null;
  images: { image: string; outcome: string; reason: string | null; degraded: unknown }[];
}

describe('admission chaos: upstreams down or slow, in turn and all at once', { skip: SKIP }, () => {
  let dir: string;
  let reg: TestRegistry;
  /** One gate per scenario in front of the same docker-registry (circuits are per registry). */
  let rReg: Gate; // registry down
  let rSlow: Gate; // registry slow
  let rUp: Gate; // stays up: log, CA, OIDC, HSM outages
  let rPart: Gate; // partition
  let cGate: Gate; // the Custody server: ca, oidc, log, api
  let services: TestServices;
  let keyless: Keyless;
  let custody: CustodyServer;
  let base: string;
  let adm: OpenedAdmission;
  let admin: string;
  let hsm: TestToken;
  let hsmUri: string;
  /** The admission side's clock runs ahead by this much: past a TTL without waiting it out. */
  let skew = 0;
  const img: Record<string, { ref: string; digest: string; repo: string }> = {};
  let env: Record<string, string>;
  /** An unsigned image per registry gate: asked until the registry answers again. */
  const probes = new Map<Gate, { ref: string; digest: string }>();
  /** Decisions of one test that a later one reconciles. */
  const ctx: { registryDown: ReviewAnswer[] } = { registryDown: [] };

  const cli = async (extra: Record<string, string>, ...argv: string[]) => {
    let out = '';
    let err = '';
    const code = await run(argv, {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: { ...env, ...extra },
      cwd: dir,
    } as never);
    return { code, out, err };
  };
  const mustRun = async (...argv: string[]) => {
    const r = await cli({}, ...argv);
    assert.equal(r.code, 0, `${argv.join(' ')}: ${r.err}${r.out}`);
    return r;
  };

  async function pushImage(gate: Gate, name: string): Promise<string> {
    const built = await buildImageBlobs({
      layers: [{ files: [{ path: 'app', content: `${name}\n` }], gzip: true }],
    });
    const { client } = openRegistry({ CUSTODY_OCI_REGISTRIES: reg.host });
    const repo = { registry: reg.host, repository: `acme/${name}` };
    for (const [d, bytes] of built.blobs)
      if (d !== built.manifestDigest)
        await client.pushBlob(repo, bytes, 'application/octet-stream');
    await client.putManifest(
      repo,
      '1.0',
      built.blobs.get(built.manifestDigest) as Uint8Array,
      MEDIA.ociManifest,
    );
    const ref = `${gate.host}/acme/${name}@${built.manifestDigest}`;
    img[name] = { ref, digest: built.manifestDigest, repo: `acme/${name}` };
    return ref;
  }

  /** Built, signed keylessly, its SBOM attested: what passes the default policy. */
  async function goodImage(gate: Gate, name: string): Promise<string> {
    const ref = await pushImage(gate, name);
    await mustRun('sign', ref);
    await mustRun('attest', ref, '--type', 'cyclonedx', '--predicate', 'sbom.json');
    return ref;
  }

  let uid = 0;
  const template = {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      name: 'web',
      namespace: '',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', namespace: '' },
        spec: { containers: [] as { name: string; image: string }[] },
      },
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
    },
  };

  /** An AdmissionReview posted to the webhook route as the API server posts it. */
  async function review(image: string, namespace: string): Promise<ReviewAnswer & { ms: number }> {
    const body = structuredClone(template);
    body.request.uid = `chaos-${++uid}`;
    body.request.namespace = namespace;
    body.request.object.metadata.namespace = namespace;
    body.request.object.spec.containers = [{ name: 'c0', image }];
    const t0 = performance.now();
    const r = await fetch(`${base}/admission/validate?timeout=10s`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const ms = performance.now() - t0;
    assert.equal(r.status, 200, await r.clone().text());
    const answer = (await r.json()) as ReviewAnswer;
    assert.equal(answer.response.uid, body.request.uid);
    return { ...answer, ms };
  }

  /** An ImageReview posted as the ImagePolicyWebhook admission plugin posts it. */
  async function imageReview(
    image: string,
    namespace: string,
  ): Promise<{
    status: { allowed: boolean; reason?: string; auditAnnotations?: Record<string, string> };
  }> {
    const r = await fetch(`${base}/admission/imagereview`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        apiVersion: 'imagepolicy.k8s.io/v1alpha1',
        kind: 'ImageReview',
        spec: { containers: [{ image }], namespace },
      }),
    });
    assert.equal(r.status, 200, await r.clone().text());
    return (await r.json()) as never;
  }

  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return { status: r.status, json: text === '' ? undefined : JSON.parse(text), text };
  };

  /** The stored decision a review was answered with (the recorder batches: flushed first). */
  async function stored(answer: ReviewAnswer): Promise<StoredDecision> {
    await adm.recorder.flush();
    let cursor: string | null = null;
    for (;;) {
      const q: string = `/api/v1/admission/decisions?limit=500${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await api('GET', q);
      assert.equal(page.status, 200, page.text);
      const hit = (page.json.items as StoredDecision[]).find((d) => d.uid === answer.response.uid);
      if (hit) return hit;
      cursor = page.json.nextCursor;
      assert.ok(cursor, `decision ${answer.response.uid} not stored`);
    }
  }

  async function allDecisions(): Promise<StoredDecision[]> {
    await adm.recorder.flush();
    const out: StoredDecision[] = [];
    let cursor: string | null = null;
    do {
      const page = await api(
        'GET',
        `/api/v1/admission/decisions?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
      );
      out.push(...(page.json.items as StoredDecision[]));
      cursor = page.json.nextCursor;
    } while (cursor);
    return out;
  }

  const nsConfig = (ns: string): Promise<NamespaceConfig> =>
    adm.governance.namespaceConfig(undefined, ns);

  /** Past every TTL of material verified so far (the admission side's clock only). */
  const pastTtl = () => {
    skew += TTL_MS + 1_000;
  };

  /**
   * Until the registry behind `gate` answers the engine again: a circuit opened by an outage
   * stays open for its cool-down (10 s) after the upstream is back.
   */
  async function registryAnswers(gate: Gate): Promise<void> {
    const probe = probes.get(gate) as { ref: string; digest: string };
    const ns = await nsConfig('enforce');
    const until = Date.now() + 15_000;
    for (;;) {
      adm.engine.invalidate(probe.digest);
      const v = await adm.engine.check(probe.ref, ns, new Date());
      if (v.outcome !== 'infra' && v.degraded === undefined) return;
      assert.ok(Date.now() < until, `the registry behind ${gate.host} stayed unreachable`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** The signatures of an image withdrawn from the registry (cosign's .sig and the referrers). */
  async function stripSignatures(name: string): Promise<void> {
    const { repo, digest } = img[name] as { repo: string; digest: string };
    const accept = [
      MEDIA.ociManifest,
      MEDIA.ociIndex,
      'application/vnd.docker.distribution.manifest.v2+json',
    ].join(', ');
    let deleted = 0;
    for (const tag of [`${digest.replace(':', '-')}.sig`, digest.replace(':', '-')]) {
      const h = await fetch(`${reg.url}/v2/${repo}/manifests/${tag}`, {
        method: 'HEAD',
        headers: { accept },
      });
      if (h.status !== 200) continue;
      const d = h.headers.get('docker-content-digest');
      const del = await fetch(`${reg.url}/v2/${repo}/manifests/${d}`, { method: 'DELETE' });
      assert.equal(del.status, 202, await del.text());
      deleted++;
    }
    assert.ok(deleted >= 1, 'a signature was there to withdraw');
  }

  async function tagsOf(repo: string): Promise<string[]> {
    const r = await fetch(`${reg.url}/v2/${repo}/tags/list`);
    return ((await r.json()) as { tags: string[] | null }).tags ?? [];
  }

  /**
   * What each mode makes of an infrastructure failure: enforce (and any high-risk namespace)
   * denies saying the image could not be verified, warn admits with a warning, audit admits with
   * an annotation; the stored decision is degraded and its reason is infrastructure, never a
   * policy reason.
   */
  async function assertInfra(a: ReviewAnswer, ns: string, why: RegExp = /.*/): Promise<void> {
    const r = a.response;
    const mode = ns.replace(/^hr-/, '');
    if (mode === 'enforce' || ns.startsWith('hr-')) {
      assert.equal(r.allowed, false, JSON.stringify(r));
      assert.match(
        r.status?.message ?? '',
        new RegExp(`could not be verified: .*reason infrastructure, mode=${mode}\\)`),
      );
      assert.match(r.status?.message ?? '', why);
      assert.doesNotMatch(r.status?.message ?? '', POLICY_REASON);
      assert.equal(r.auditAnnotations?.['decision'], 'deny');
    } else if (mode === 'warn') {
      assert.equal(r.allowed, true, JSON.stringify(r));
      assert.match(r.warnings?.join('\n') ?? '', /\(mode=warn, reason infrastructure\): /);
      assert.equal(r.auditAnnotations?.['decision'], 'warn');
    } else {
      assert.equal(r.allowed, true, JSON.stringify(r));
      assert.equal(r.auditAnnotations?.['decision'], 'audit');
    }
    assert.ok(r.auditAnnotations?.['degraded'], 'marked degraded');
    const d = await stored(a);
    assert.equal(d.degraded, true);
    assert.deepEqual(
      d.images.map((i) => [i.outcome, i.reason]),
      [['infra', 'infrastructure']],
    );
  }

  function assertDegradedAdmit(a: ReviewAnswer, via: 'cached-material' | 'rollback-bundle') {
    const r = a.response;
    assert.equal(r.allowed, true, JSON.stringify(r));
    assert.match(
      r.warnings?.join('\n') ?? '',
      new RegExp(
        `admitted in degraded mode \\(registry unavailable; ${via}.*re-verified when registry is back`,
      ),
    );
    assert.equal(r.auditAnnotations?.['degraded'], `registry:${via}`);
  }

  function assertCleanAdmit(a: ReviewAnswer) {
    assert.equal(a.response.allowed, true, JSON.stringify(a.response));
    assert.equal(a.response.warnings, undefined, JSON.stringify(a.response));
    assert.equal(a.response.auditAnnotations, undefined, JSON.stringify(a.response));
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-chaos-'));
    reg = await startRegistry();
    [rReg, rSlow, rUp, rPart] = await Promise.all([
      startGate(reg.url),
      startGate(reg.url, { slowMs: 2_000 }),
      startGate(reg.url),
      startGate(reg.url),
    ]);
    const registries = [rReg, rSlow, rUp, rPart].map((g) => g.host).join(',');

    // The Custody server as `custody serve --dev-oidc` composes it, admission included.
    services = await freshServices('sqlite');
    keyless = (await openKeyless({
      dataDir: services.dataDir,
      publicUrl: KEYLESS_PUBLIC_URL,
      devOidc: true,
      issuers: [],
      logEntry: () => services.tlog?.trustedRootEntry(new Date(0)),
    })) as Keyless;
    hsm = createToken('chaos-fallback');
    const hsmKey = ecKey();
    hsm.importKey(hsmKey.privateKey, { label: 'fallback', id: '09' });
    hsmUri = hsm.uri('object=fallback');
    writeFileSync(join(dir, 'hsm.pub'), hsmKey.publicKey.export({ type: 'spki', format: 'pem' }));
    env = {
      HOME: dir,
      CUSTODY_DEV_OIDC_SUBJECT: SUBJECT,
      CUSTODY_OCI_REGISTRIES: registries,
    };
    await mustRun('keys', 'generate', '-o', 'signer.key');
    const admissionEnv = {
      CUSTODY_OCI_REGISTRIES: registries,
      CUSTODY_ADMISSION_CACHE_TTL: `${TTL_MS}ms`,
      CUSTODY_ADMISSION_MAX_STALENESS: '1h',
      CUSTODY_ADMISSION_UPSTREAM_TIMEOUT: `${UPSTREAM_TIMEOUT_MS}ms`,
      CUSTODY_ADMISSION_UPSTREAM_RETRIES: '1',
      CUSTODY_ADMISSION_KEYS: `${join(dir, 'signer.pub')},fallback:${join(dir, 'hsm.pub')}`,
    };
    adm = openAdmission(
      { ...services, clock: () => new Date(Date.now() + skew) },
      {
        env: admissionEnv,
        ownTrustedRoot: keyless.trustedRoot,
        caIssuers: keyless.devOidc ? [keyless.devOidc.issuer] : [],
        cwd: dir,
        log: () => {},
        jobs: false,
      },
    );
    custody = await buildServer({
      services,
      logger: createLogger(process.env['CUSTODY_TEST_LOG'] ?? 'silent'),
      maxSbomBytes: 8 * 1024 * 1024,
      maxBodyBytes: 1024 * 1024,
      tlog: { ratePerClient: 0 },
      keyless,
      trustedRoot: keyless.trustedRoot,
      admission: { face: adm.face },
      admissionRecords: { reconcile: adm.reconcile, reconcileIntervalMs: 0, slo: adm.slo },
      admissionGovernance: {
        defaultMode: adm.settings.defaultMode,
        blastRadius: adm.blastRadius,
      },
    });
    adm.hooks.current = custody.metrics.admission;
    await custody.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(custody.app.server.address() as AddressInfo).port}`;
    cGate = await startGate(base, { classify: custodyClass, slowMs: 2_000 });
    env['CUSTODY_URL'] = cGate.url;
    admin = await tokenFor(services, 'admin', undefined, 'chaos-admin');

    for (const mode of MODES) {
      const p = await api('PUT', `/api/v1/admission/namespaces/${mode}`, { mode });
      assert.equal(p.status, 201, p.text);
      const h = await api('PUT', `/api/v1/admission/namespaces/hr-${mode}`, {
        mode,
        highRisk: true,
      });
      assert.equal(h.status, 201, h.text);
    }
    const fb = await api('PUT', '/api/v1/admission/namespaces/fallback-ok', {
      mode: 'enforce',
      acceptFallback: true,
    });
    assert.equal(fb.status, 201, fb.text);

    writeFileSync(
      join(dir, 'sbom.json'),
      JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [] }),
    );
    for (const [i, g] of [rReg, rSlow, rUp, rPart].entries()) {
      await pushImage(g, `probe-${i}`);
      probes.set(g, img[`probe-${i}`] as { ref: string; digest: string });
    }
    await goodImage(rReg, 'r-cached');
    await goodImage(rReg, 'r-bad');
    await goodImage(rReg, 'r-pinned');
    await goodImage(rReg, 'r-cold');
    await goodImage(rSlow, 's-cached');
    await goodImage(rSlow, 's-cold');
    await goodImage(rUp, 'signed');
    await goodImage(rPart, 'p-cached');
    await goodImage(rPart, 'p-pinned');
    await goodImage(rPart, 'p-cold');
    // Signed later, through an outage: their SBOMs attested now, with the primary key.
    for (const name of ['later', 'fb-ca', 'fb-oidc', 'refused', 'hsm-none']) {
      const ref = await pushImage(rUp, name);
      await mustRun(
        'attest',
        ref,
        '--key',
        'signer.key',
        '--type',
        'cyclonedx',
        '--predicate',
        'sbom.json',
      );
    }
  });

  after(async () => {
    await custody?.app.close();
    await adm?.close();
    await cGate?.stop();
    for (const g of [rReg, rSlow, rUp, rPart]) await g?.stop();
    await reg?.stop();
    await services?.close();
    hsm?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registry down: cached images admitted degraded in every mode, unknown ones per mode, high risk closed unless pinned', async () => {
    const cached = img['r-cached']?.ref as string;
    const bad = img['r-bad']?.ref as string;
    const pinned = img['r-pinned']?.ref as string;
    for (const ns of MODES) {
      assertCleanAdmit(await review(cached, ns));
      assertCleanAdmit(await review(bad, ns));
    }
    await adm.engine.pin(pinned);
    rReg.all('down');
    pastTtl();
    const degraded: ReviewAnswer[] = [];
    for (const ns of MODES) {
      const a = await review(cached, ns);
      assertDegradedAdmit(a, 'cached-material');
      degraded.push(a);
      const b = await review(bad, ns);
      assertDegradedAdmit(b, 'cached-material');
      degraded.push(b);
      const cold = await review(img['r-cold']?.ref as string, ns);
      await assertInfra(cold, ns, /nothing verified is cached/);
      degraded.push(cold);
    }
    for (const ns of HIGH_RISK) {
      const a = await review(cached, ns);
      await assertInfra(a, ns, /no rollback bundle is pinned/);
      degraded.push(a);
      const p = await review(pinned, ns);
      assertDegradedAdmit(p, 'rollback-bundle');
      degraded.push(p);
    }
    for (const a of degraded) {
      const d = await stored(a);
      assert.equal(d.degraded, true, `${a.response.uid} is stored as degraded`);
      assert.equal(d.reconciliation, null);
    }
    ctx.registryDown = degraded;
  });

  it('registry slow (every answer past the upstream time-out): decided well within the webhook time-out, as infrastructure', async () => {
    await review(img['s-cached']?.ref as string, 'enforce');
    pastTtl();
    rSlow.all('slow');
    const started = performance.now();
    try {
      for (const ns of MODES) {
        const cold = await review(img['s-cold']?.ref as string, ns);
        await assertInfra(cold, ns, /did not answer/);
        assert.ok(cold.ms < WEBHOOK_TIMEOUT_MS / 3, `decided in ${Math.round(cold.ms)} ms`);
        const warm = await review(img['s-cached']?.ref as string, ns);
        assertDegradedAdmit(warm, 'cached-material');
        assert.ok(warm.ms < WEBHOOK_TIMEOUT_MS / 3, `decided in ${Math.round(warm.ms)} ms`);
      }
    } finally {
      rSlow.all('up');
    }
    assert.ok(performance.now() - started < WEBHOOK_TIMEOUT_MS);
  });

  it('registry back: reconciliation confirms the good images, overturns the one whose signatures were withdrawn meanwhile', async () => {
    // Withdrawn while the registry could not be asked: the degraded admissions of r-bad were wrong.
    await stripSignatures('r-bad');
    rReg.all('up');
    await registryAnswers(rReg);
    const r = await api('POST', '/api/v1/admission/reconcile');
    assert.equal(r.status, 200, r.text);
    const results = new Map<string, string[]>();
    for (const a of ctx.registryDown) {
      const d = await stored(a);
      const image = d.images[0]?.image as string;
      results.set(image, [...(results.get(image) ?? []), d.reconciliation?.result ?? 'pending']);
    }
    assert.deepEqual(results.get(img['r-cached']?.ref as string), [
      'confirmed',
      'confirmed',
      'confirmed',
      'confirmed',
      'confirmed',
      'confirmed',
    ]);
    assert.deepEqual(results.get(img['r-cold']?.ref as string), [
      'confirmed',
      'confirmed',
      'confirmed',
    ]);
    assert.deepEqual(results.get(img['r-pinned']?.ref as string), [
      'confirmed',
      'confirmed',
      'confirmed',
    ]);
    assert.deepEqual(results.get(img['r-bad']?.ref as string), [
      'overturned',
      'overturned',
      'overturned',
    ]);
    const overturned = await api('GET', '/api/v1/admission/reconciliations?result=overturned');
    assert.equal(overturned.status, 200, overturned.text);
    const detail = JSON.stringify(overturned.json.items);
    assert.match(detail, /unsigned/);
    // Once reconciled, a decision is no longer awaiting reconciliation: the next run leaves it be.
    const first = await Promise.all(
      ctx.registryDown.map(async (a) => (await stored(a)).reconciliation),
    );
    const again = await api('POST', '/api/v1/admission/reconcile');
    assert.equal(again.status, 200, again.text);
    assert.deepEqual(
      await Promise.all(ctx.registryDown.map(async (a) => (await stored(a)).reconciliation)),
      first,
    );
  });

  it('log down: signed images still admitted offline (nothing asks the log); --log-later signs; infra by mode; upload and reconcile confirm', async () => {
    const later = img['later']?.ref as string;
    cGate.set('log', 'down');
    const answers: ReviewAnswer[] = [];
    try {
      pastTtl();
      const signed = img['signed']?.ref as string;
      const custodyBefore = ['log', 'ca', 'oidc', 'api'].map((c) => cGate.seen(c));
      const registryBefore = rUp.seen('all');
      for (const ns of MODES) assertCleanAdmit(await review(signed, ns));
      assert.ok(rUp.seen('all') > registryBefore, 'verified again, from the registry');
      // A slow log is no different: nothing waits for it.
      cGate.set('log', 'slow');
      pastTtl();
      const slow = await review(signed, 'enforce');
      assertCleanAdmit(slow);
      assert.ok(slow.ms < 1_500, `decided in ${Math.round(slow.ms)} ms`);
      assert.deepEqual(
        ['log', 'ca', 'oidc', 'api'].map((c) => cGate.seen(c)),
        custodyBefore,
        'verification is offline against the trusted root: no request reached the Custody gate',
      );
      cGate.set('log', 'down');

      const s = await cli(
        {},
        'sign',
        later,
        '--key',
        'signer.key',
        '--log-later',
        '--spool',
        'spool',
        '-o',
        'later.json',
      );
      assert.equal(s.code, 0, s.err);
      assert.match(s.err, /NOT logged yet/);
      for (const ns of MODES) {
        const a = await review(later, ns);
        await assertInfra(a, ns, /not in the transparency log yet/);
        assert.equal(a.response.auditAnnotations?.['degraded'], 'log:log-later');
        assert.equal((await stored(a)).degraded, true);
        answers.push(a);
      }
    } finally {
      cGate.set('log', 'up');
    }
    const u = await cli({}, 'log', 'upload', '--spool', 'spool', '--url', cGate.url, '--json');
    assert.equal(u.code, 0, u.err);
    const r = await api('POST', '/api/v1/admission/reconcile');
    assert.equal(r.status, 200, r.text);
    for (const a of answers)
      assert.equal((await stored(a)).reconciliation?.result, 'confirmed', a.response.uid);
    // Now logged, it is admitted like any signed image.
    assertCleanAdmit(await review(later, 'enforce'));
  });

  for (const outage of ['ca', 'oidc'] as const) {
    it(`${outage === 'ca' ? 'CA' : 'OIDC provider'} down: keyless signing falls back to the HSM key, marked; admitted only where fallbacks are accepted`, async () => {
      cGate.set(outage, 'down');
      try {
        const name = `fb-${outage}`;
        const ref = img[name]?.ref as string;
        const s = await cli({}, 'sign', ref, '--fallback-key', hsmUri);
        assert.equal(s.code, 0, s.err);
        assert.match(s.err, /signed with the FALLBACK key/);
        const ok = await review(ref, 'fallback-ok');
        assert.equal(ok.response.allowed, true, JSON.stringify(ok.response));
        const v = await adm.engine.check(ref, await nsConfig('fallback-ok'), new Date());
        assert.equal(v.outcome, 'pass', v.message);
        assert.equal(v.fallback, true);
        const no = await review(ref, 'enforce');
        assert.equal(no.response.allowed, false);
        assert.match(no.response.status?.message ?? '', /fallback.*reason identity, mode=enforce/);
        // Already-signed images: unaffected, nothing degraded.
        pastTtl();
        for (const ns of MODES) {
          const a = await review(img['signed']?.ref as string, ns);
          assertCleanAdmit(a);
          assert.equal((await stored(a)).degraded, false);
        }
      } finally {
        cGate.set(outage, 'up');
      }
    });
  }

  it('a refused identity (the CA answers, and says no) never falls back; nothing is pushed', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const jwt = `${b64({ alg: 'RS256', kid: 'k' })}.${b64({ iss: 'https://untrusted.example', sub: 'mallory', aud: 'sigstore', iat: now, exp: now + 300 })}.${b64({ s: 1 })}`;
    const writes = rUp.seen('writes:all');
    const r = await cli(
      { SIGSTORE_ID_TOKEN: jwt },
      'sign',
      img['refused']?.ref as string,
      '--fallback-key',
      hsmUri,
    );
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /SIGN_SERVICE_FAILED/);
    assert.doesNotMatch(r.err, /FALLBACK/);
    assert.equal(rUp.seen('writes:all'), writes, 'nothing was pushed');
    assert.ok(!(await tagsOf('acme/refused')).some((t) => t.endsWith('.sig')));
  });

  it('HSM down while the CA is down: SIGN_FALLBACK_UNAVAILABLE, nothing pushed; existing images unaffected', async () => {
    cGate.set('ca', 'down');
    const tokens = join(hsm.dir, 'tokens');
    renameSync(tokens, `${tokens}.gone`);
    try {
      const writes = rUp.seen('writes:all');
      const r = await cli({}, 'sign', img['hsm-none']?.ref as string, '--fallback-key', hsmUri);
      assert.equal(r.code, 2, r.err);
      assert.match(r.err, /SIGN_FALLBACK_UNAVAILABLE: Nothing could sign/);
      assert.equal(rUp.seen('writes:all'), writes, 'nothing was pushed');
      assert.ok(!(await tagsOf('acme/hsm-none')).some((t) => t.endsWith('.sig')));
      pastTtl();
      for (const ns of MODES) {
        const a = await review(img['signed']?.ref as string, ns);
        assertCleanAdmit(a);
        assert.equal((await stored(a)).degraded, false);
      }
    } finally {
      renameSync(`${tokens}.gone`, tokens);
      cGate.set('ca', 'up');
    }
    assert.ok(existsSync(tokens));
  });

  it('partition (registry, log, CA, OIDC down at once): cached admitted degraded, unknown per mode, nothing hangs; healed, every degraded decision is reconciled', async () => {
    const cached = img['p-cached']?.ref as string;
    const cold = img['p-cold']?.ref as string;
    const pinned = img['p-pinned']?.ref as string;
    for (const ns of MODES) assertCleanAdmit(await review(cached, ns));
    await adm.engine.pin(pinned);
    rPart.all('down');
    cGate.all('down');
    pastTtl();
    const started = performance.now();
    try {
      for (const ns of MODES) {
        assertDegradedAdmit(await review(cached, ns), 'cached-material');
        await assertInfra(await review(cold, ns), ns);
      }
      for (const ns of HIGH_RISK) {
        await assertInfra(await review(cached, ns), ns, /no rollback bundle/);
        assertDegradedAdmit(await review(pinned, ns), 'rollback-bundle');
      }
      // The same engine behind ImagePolicyWebhook: the same answers.
      const warm = await imageReview(cached, 'enforce');
      assert.equal(warm.status.allowed, true, JSON.stringify(warm));
      assert.equal(warm.status.auditAnnotations?.['degraded'], 'true');
      const unknown = await imageReview(cold, 'enforce');
      assert.equal(unknown.status.allowed, false);
      assert.match(unknown.status.reason ?? '', /could not be verified: .*reason infrastructure/);
      // Signing during the partition fails, coded, at once.
      const s = await cli(
        {},
        'sign',
        cold,
        '--fallback-key',
        hsmUri,
        '--log-later',
        '-o',
        'p.json',
      );
      assert.equal(s.code, 2, s.err);
      assert.match(s.err, /^custody: OCI_REGISTRY_UNAVAILABLE: /m);
    } finally {
      rPart.all('up');
      cGate.all('up');
    }
    assert.ok(performance.now() - started < 20_000, 'nothing hung');

    const metric = async () => {
      const m = await (
        await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${admin}` } })
      ).text();
      return Number(/^custody_admission_degraded_pending (\d+)$/m.exec(m)?.[1]);
    };
    assert.ok((await metric()) > 0, 'degraded decisions await reconciliation');
    await registryAnswers(rPart);
    await registryAnswers(rSlow);
    const r = await api('POST', '/api/v1/admission/reconcile');
    assert.equal(r.status, 200, r.text);
    const pending = (await allDecisions()).filter((d) => d.degraded && d.reconciliation === null);
    assert.deepEqual(
      pending.map((d) => `${d.uid} ${JSON.stringify(d.images)}`),
      [],
      'every degraded decision has a result',
    );
    assert.equal(await metric(), 0);
  });
});
