import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openRegistry } from '../../src/app/oci/registry.js';
import { run } from '../../src/cli/main.js';
import { MEDIA } from '../../src/oci/index.js';
import { CONFORMANCE } from '../helpers/conformance.js';
import { buildImageBlobs } from '../helpers/image-builder.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { type Served, serveProcess } from '../helpers/serve-process.js';

const SUBJECT = 'releaser@example.com';

interface ReviewAnswer {
  apiVersion: string;
  response: {
    uid: string;
    allowed: boolean;
    status?: { code: number; message: string };
    warnings?: string[];
    auditAnnotations?: Record<string, string>;
    patchType?: string;
    patch?: string;
  };
}

/**
 * The "done when", on the real parts: `custody serve --dev-oidc` (CA, log, admission
 * webhook) as a child process, docker-registry, images pushed, signed and attested with the
 * CLI, and AdmissionReviews posted to the webhook as an API server would post them (the pod of
 * the conformance example, its images replaced).
 */
describe('admission end to end: custody serve, docker-registry, the CLI', () => {
  let reg: TestRegistry;
  let served: Served;
  let dir: string;
  let env: Record<string, string>;
  let admin: string;
  const digests: Record<string, string> = {};

  const cli = async (...argv: string[]) => {
    let out = '';
    let err = '';
    const code = await run(argv, {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env,
      cwd: dir,
    });
    assert.equal(code, 0, `${argv.join(' ')}: ${err}${out}`);
    return out;
  };

  const api = async (method: string, path: string, token: string, body?: unknown) => {
    const r = await fetch(`${served.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    return { status: r.status, body: text === '' ? undefined : (JSON.parse(text) as never) };
  };

  const tokenOf = async (role: string, person: string, teams?: string[]) => {
    const r = await api('POST', '/api/v1/tokens', admin, {
      role,
      person,
      ...(teams ? { teams } : {}),
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return (r.body as unknown as { token: string }).token;
  };

  let uid = 0;
  const review = async (
    images: string[],
    namespace: string,
    o: { path?: string; bearer?: string } = {},
  ): Promise<ReviewAnswer> => {
    const body = JSON.parse(
      readFileSync(join(CONFORMANCE, 'admission/example-request-pod-create.json'), 'utf8'),
    );
    body.request.uid = `e2e-${++uid}`;
    body.request.namespace = namespace;
    body.request.object.metadata.namespace = namespace;
    body.request.object.spec.initContainers = [];
    body.request.object.spec.containers = images.map((image, i) => ({ name: `c${i}`, image }));
    const r = await fetch(`${served.url}${o.path ?? '/admission/validate'}?timeout=10s`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(o.bearer ? { authorization: `Bearer ${o.bearer}` } : {}),
      },
      body: JSON.stringify(body),
    });
    assert.equal(r.status, 200, await r.clone().text());
    const answer = (await r.json()) as ReviewAnswer;
    assert.equal(answer.response.uid, body.request.uid);
    return answer;
  };

  async function pushImage(name: string): Promise<string> {
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
    digests[name] = built.manifestDigest;
    return `${reg.host}/acme/${name}@${built.manifestDigest}`;
  }

  let signed: string;
  let unsigned: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-admission-e2e-'));
    reg = await startRegistry();
    served = await serveProcess(
      join(dir, 'data'),
      { CUSTODY_TLOG_RATE: '0', CUSTODY_OCI_REGISTRIES: reg.host },
      [],
      ['--dev-oidc'],
    );
    // The first admin token follows the address, on stdout.
    for (let i = 0; i < 100 && !/CUSTODY_TOKEN=/.test(served.stdout()); i++)
      await new Promise((r) => setTimeout(r, 50));
    admin = /CUSTODY_TOKEN=(\S+)/.exec(served.stdout())?.[1] as string;
    assert.ok(admin, served.stdout());
    env = {
      CUSTODY_URL: served.url,
      CUSTODY_TOKEN: admin,
      CUSTODY_DEV_OIDC_SUBJECT: SUBJECT,
      CUSTODY_OCI_REGISTRIES: reg.host,
    };
    writeFileSync(
      join(dir, 'sbom.json'),
      JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', version: 1, components: [] }),
    );
    signed = await pushImage('web');
    unsigned = await pushImage('unsigned');
    // Built, signed and attested (a signed CycloneDX SBOM about the digest), attached to the registry.
    await cli('sign', signed);
    await cli('attest', signed, '--type', 'cyclonedx', '--predicate', 'sbom.json');
  });

  after(async () => {
    served.child.kill('SIGTERM');
    await served.exit;
    await reg.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('admits an image built, signed, attested and attached to the registry', async () => {
    const a = await review([signed], 'shop');
    assert.equal(a.response.allowed, true, JSON.stringify(a.response));
    assert.equal(a.response.warnings, undefined);
  });

  it('denies an unsigned image out of the box (no configuration: enforce), saying what is missing', async () => {
    const a = await review([signed, unsigned], 'shop');
    assert.equal(a.response.allowed, false);
    assert.equal(a.response.status?.code, 403);
    assert.match(a.response.status?.message ?? '', /acme\/unsigned.*reason unsigned, mode=enforce/);
    assert.doesNotMatch(a.response.status?.message ?? '', /acme\/web/);
  });

  it('denies a tag-only reference in enforce (the default policy requires digests)', async () => {
    const a = await review([`${reg.host}/acme/web:1.0`], 'shop');
    assert.equal(a.response.allowed, false);
    assert.match(a.response.status?.message ?? '', /digest-required/);
  });

  it('warns in warn and annotates in audit, per namespace', async () => {
    for (const mode of ['warn', 'audit'] as const) {
      const put = await api('PUT', `/api/v1/admission/namespaces/shop-${mode}`, admin, { mode });
      assert.equal(put.status, 201, JSON.stringify(put.body));
    }
    const w = await review([unsigned], 'shop-warn');
    assert.equal(w.response.allowed, true);
    assert.match(
      w.response.warnings?.join('\n') ?? '',
      /mode=warn, reason unsigned\): .*acme\/unsigned/,
    );
    const a = await review([unsigned], 'shop-audit');
    assert.equal(a.response.allowed, true);
    assert.equal(a.response.auditAnnotations?.['decision'], 'audit');
  });

  it('the mutating endpoint pins a tag to the digest it was admitted at', async () => {
    const put = await api('PUT', '/api/v1/admission/namespaces/shop-tags', admin, {
      mode: 'enforce',
      requireDigest: false,
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    const a = await review([`${reg.host}/acme/web:1.0`], 'shop-tags', {
      path: '/admission/mutate',
    });
    assert.equal(a.response.allowed, true, JSON.stringify(a.response));
    assert.equal(a.response.patchType, 'JSONPatch');
    const patch = JSON.parse(Buffer.from(a.response.patch ?? '', 'base64').toString());
    assert.deepEqual(patch, [
      {
        op: 'replace',
        path: '/spec/containers/0/image',
        value: `${reg.host}/acme/web:1.0@${digests['web']}`,
      },
    ]);
  });

  it('records what an identified cluster admitted as deployed; an unidentified caller’s nothing', async () => {
    const c = await api('POST', '/api/v1/admission/clusters', admin, { name: 'prod-eu' });
    assert.equal(c.status, 201, JSON.stringify(c.body));
    const clusterToken = (c.body as unknown as { token: string }).token;
    assert.equal((await review([signed], 'payments')).response.allowed, true);
    assert.equal(
      (await review([signed], 'payments', { bearer: clusterToken })).response.allowed,
      true,
    );
    let rows: { cluster: string; namespace: string; digest: string }[] = [];
    for (let i = 0; i < 50 && rows.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100)); // the recorder batches off the answer path
      const d = await api('GET', '/api/v1/admission/deployments?namespace=payments', admin);
      rows = (d.body as unknown as { items: typeof rows }).items;
    }
    assert.deepEqual(
      rows.map((r) => [r.cluster, r.namespace, r.digest]),
      [['prod-eu', 'payments', digests['web']]],
    );
  });

  it('an exception approved by the service owner and security admits, then stops by itself at expiry', async () => {
    assert.equal((await api('POST', '/api/v1/teams', admin, { name: 'shop' })).status, 201);
    const put = await api('PUT', '/api/v1/admission/namespaces/checkout', admin, {
      mode: 'enforce',
      team: 'shop',
    });
    assert.equal(put.status, 201, JSON.stringify(put.body));
    const requester = await tokenOf('publisher', 'alice@example.com', ['shop']);
    const owner = await tokenOf('approver', 'bob@example.com', ['shop']);
    const security = await tokenOf('approver', 'carol@example.com');
    assert.equal((await review([unsigned], 'checkout')).response.allowed, false);
    const expiresAt = new Date(Date.now() + 4000).toISOString();
    const ex = await api('POST', '/api/v1/admission/exceptions', requester, {
      namespace: 'checkout',
      imagePattern: `${reg.host}/acme/unsigned`,
      ticket: 'SEC-42',
      reasons: ['unsigned'],
      expiresAt,
    });
    assert.equal(ex.status, 201, JSON.stringify(ex.body));
    const id = (ex.body as unknown as { id: string }).id;
    // Pending until both sides approve: still denied.
    assert.equal((await review([unsigned], 'checkout')).response.allowed, false);
    const byOwner = await api('POST', `/api/v1/admission/exceptions/${id}/approvals`, owner);
    assert.equal(byOwner.status, 200, JSON.stringify(byOwner.body));
    const bySecurity = await api('POST', `/api/v1/admission/exceptions/${id}/approvals`, security);
    assert.equal(bySecurity.status, 200, JSON.stringify(bySecurity.body));
    const during = await review([unsigned], 'checkout');
    assert.equal(during.response.allowed, true, JSON.stringify(during.response));
    assert.match(during.response.warnings?.join('\n') ?? '', /exception/);
    assert.equal(during.response.auditAnnotations?.['decision'], 'allow-by-exception');
    await new Promise((r) => setTimeout(r, Math.max(0, Date.parse(expiresAt) - Date.now() + 300)));
    const afterExpiry = await review([unsigned], 'checkout');
    assert.equal(afterExpiry.response.allowed, false, 'enforcement returns by itself');
  });

  it('/metrics counts decisions by mode, namespace, result and reason; the report lists would-denies', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const m = await (
      await fetch(`${served.url}/metrics`, { headers: { authorization: `Bearer ${admin}` } })
    ).text();
    assert.match(
      m,
      /custody_admission_decisions_total\{mode="enforce",namespace="shop",result="denied",reason="unsigned"\} [1-9]/,
    );
    assert.match(
      m,
      /custody_admission_decisions_total\{mode="warn",namespace="shop-warn",result="allowed",reason="unsigned"\} 1/,
    );
    assert.match(m, /custody_admission_cache_hits [0-9]/);
    const report = await api('GET', '/api/v1/admission/report?days=1&namespace=shop-audit', admin);
    assert.equal(report.status, 200);
    assert.match(JSON.stringify(report.body), /unsigned/);
  });
});
