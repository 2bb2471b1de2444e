import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../../src/log/logger.js';
import { buildServer } from '../../../src/server/app.js';
import { conformancePath } from '../../helpers/conformance.js';
import { call, errorCode, type TestServer, tokenFor } from '../../helpers/server.js';
import { freshServices } from '../../helpers/store.js';
import { DIGEST, RecordingFace } from './recording-face.js';

// biome-ignore lint/suspicious/noExplicitAny: reviews are poked into freely
type Json = any;
const REQUEST: Json = JSON.parse(
  readFileSync(conformancePath('admission', 'example-request-pod-create.json'), 'utf8'),
);
const UID = REQUEST.request.uid as string;
const MAX_BODY = 64 * 1024;

/** The real service (buildServer) with the webhook, on loopback. */
async function startWithWebhook(
  face: RecordingFace,
  unidentifiedRatePerS = 0,
): Promise<TestServer> {
  const services = await freshServices('sqlite');
  const custody = await buildServer({
    services,
    logger: createLogger(process.env['CUSTODY_TEST_LOG'] ?? 'silent'),
    maxSbomBytes: 8 * 1024 * 1024,
    maxBodyBytes: 1024 * 1024,
    admission: { face, maxBodyBytes: MAX_BODY, unidentifiedRatePerS },
  });
  await custody.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = custody.app.server.address() as AddressInfo;
  return {
    services,
    custody,
    base: `http://127.0.0.1:${port}`,
    async close() {
      await custody.app.close();
      await services.close();
    },
  };
}

describe('the admission webhook on the service listener', () => {
  const face = new RecordingFace([{ token: 'kubeconfig-token-of-prod', name: 'prod-eu' }]);
  let srv: TestServer;
  before(async () => {
    srv = await startWithWebhook(face);
  });
  after(async () => srv.close());

  it('answers an AdmissionReview without an API token: the tag-only images are denied', async () => {
    const n = face.identified.length;
    const a = await call(srv, 'POST', '/admission/validate', { body: REQUEST });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.apiVersion, 'admission.k8s.io/v1');
    assert.equal(a.json.kind, 'AdmissionReview');
    assert.equal(a.json.response.uid, UID);
    assert.equal(a.json.response.allowed, false);
    assert.equal(a.json.response.status.code, 403);
    assert.match(a.json.response.status.message, /busybox:1\.36: not pinned by digest/);
    // Nobody presented anything: asked, unidentified, still decided.
    assert.deepEqual(face.identified[n], {});
    assert.deepEqual(face.reviews.at(-1), { who: { known: false }, mutate: false });
  });

  it('passes the bearer token to identify, and the main API hook does not check it', async () => {
    const a = await call(srv, 'POST', '/admission/validate', {
      body: REQUEST,
      token: 'kubeconfig-token-of-prod',
    });
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(face.identified.at(-1), { bearerToken: 'kubeconfig-token-of-prod' });
    assert.deepEqual(face.reviews.at(-1)?.who, {
      known: true,
      cluster: 'prod-eu',
      via: 'bearer-token',
    });
    // A token the API does not know is the webhook's business, not a 401.
    const b = await call(srv, 'POST', '/admission/validate', { body: REQUEST, token: 'nonsense' });
    assert.equal(b.status, 200, b.text);
    assert.deepEqual(face.identified.at(-1), { bearerToken: 'nonsense' });
    assert.deepEqual(face.reviews.at(-1)?.who, { known: false });
    // The rest of the service still wants its token.
    const api = await call(srv, 'GET', '/api/v1/products', { token: 'nonsense' });
    assert.equal(api.status, 401);
  });

  it('passes on how long the API server waits (its ?timeout= on the webhook URL)', async () => {
    for (const [q, ms] of [
      ['10s', 10_000],
      ['1m0s', 60_000],
      ['500ms', 500],
      ['soon', undefined],
    ] as const) {
      const a = await call(srv, 'POST', `/admission/validate?timeout=${q}`, { body: REQUEST });
      assert.equal(a.status, 200, a.text);
      assert.equal(face.reviews.at(-1)?.timeoutMs, ms, q);
    }
  });

  it('answers in v1beta1 when asked in v1beta1', async () => {
    const a = await call(srv, 'POST', '/admission/validate', {
      body: { ...REQUEST, apiVersion: 'admission.k8s.io/v1beta1' },
    });
    assert.equal(a.status, 200);
    assert.equal(a.json.apiVersion, 'admission.k8s.io/v1beta1');
  });

  it('mutate: pins tags to digests with a JSONPatch', async () => {
    const pinned = structuredClone(REQUEST);
    pinned.request.object.spec.initContainers = [];
    pinned.request.object.spec.containers[0].image = `alpine@${DIGEST}`;
    const a = await call(srv, 'POST', '/admission/mutate', { body: pinned });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.response.allowed, true);
    assert.equal(a.json.response.patchType, 'JSONPatch');
    const ops = JSON.parse(Buffer.from(a.json.response.patch, 'base64').toString());
    assert.deepEqual(ops, [
      {
        op: 'replace',
        path: '/spec/containers/1/image',
        value: `ghcr.io/example/nginx@${DIGEST}`,
      },
    ]);
    assert.equal(face.reviews.at(-1)?.mutate, true);
  });

  it('denies a review whose uid is readable but whose object is not (200, never an allow)', async () => {
    const bad = structuredClone(REQUEST);
    bad.request.object.spec.containers[0].image = 42;
    const a = await call(srv, 'POST', '/admission/validate', { body: bad });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.response.uid, UID);
    assert.equal(a.json.response.allowed, false);
    assert.equal(a.json.response.status.code, 400);
    assert.match(
      a.json.response.status.message,
      /ADMISSION_IMAGE_INVALID.*\/spec\/containers\/0\/image/,
    );
    assert.equal(face.invalid.at(-1), 'ADMISSION_IMAGE_INVALID');
  });

  it('refuses with 400 and a code what has no uid to answer to', async () => {
    const cases: [unknown, string, string?][] = [
      ['{"apiVersion":', 'JSON_PARSE', 'application/json'],
      [{ ...REQUEST, apiVersion: 'admission.k8s.io/v2' }, 'ADMISSION_REVIEW_UNSUPPORTED'],
      [{ ...REQUEST, request: { ...REQUEST.request, uid: undefined } }, 'ADMISSION_REVIEW_INVALID'],
      [[1, 2], 'ADMISSION_REVIEW_INVALID'],
    ];
    for (const [body, code, contentType] of cases) {
      const a = await call(srv, 'POST', '/admission/validate', {
        body,
        ...(contentType ? { contentType } : {}),
      });
      assert.equal(a.status, 400, a.text);
      assert.equal(errorCode(a), code);
    }
    const t = await call(srv, 'POST', '/admission/validate', {
      body: 'x',
      contentType: 'text/plain',
    });
    assert.equal(t.status, 415);
    assert.equal(errorCode(t), 'REQUEST_UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses a body over its limit with ADMISSION_REVIEW_TOO_LARGE (413)', async () => {
    const big = structuredClone(REQUEST);
    big.request.object.metadata.annotations = { pad: 'x'.repeat(MAX_BODY) };
    const reviews = face.reviews.length;
    const a = await call(srv, 'POST', '/admission/validate', { body: big });
    assert.equal(a.status, 413, a.text);
    assert.equal(errorCode(a), 'ADMISSION_REVIEW_TOO_LARGE');
    assert.equal(face.reviews.length, reviews, 'the face never saw it');
    // The service's own routes keep their own answer.
    const token = await tokenFor(srv.services, 'admin');
    const other = await call(srv, 'POST', '/api/v1/policies', {
      token,
      body: { pad: 'x'.repeat(2 * 1024 * 1024) },
    });
    assert.equal(other.status, 413);
    assert.equal(errorCode(other), 'INPUT_TOO_LARGE');
  });

  it('answers ImageReview at /admission/imagereview', async () => {
    const body = {
      apiVersion: 'imagepolicy.k8s.io/v1alpha1',
      kind: 'ImageReview',
      spec: { containers: [{ image: 'alpine:3' }], namespace: 'prod' },
    };
    const a = await call(srv, 'POST', '/admission/imagereview', {
      body,
      token: 'kubeconfig-token-of-prod',
    });
    assert.equal(a.status, 200, a.text);
    assert.equal(a.json.kind, 'ImageReview');
    assert.equal(a.json.status.allowed, false);
    assert.match(a.json.status.reason, /alpine:3/);
    assert.deepEqual(face.imageReviews.at(-1)?.who, {
      known: true,
      cluster: 'prod-eu',
      via: 'bearer-token',
    });
    const bad = await call(srv, 'POST', '/admission/imagereview', {
      body: { kind: 'ImageReview' },
    });
    assert.equal(bad.status, 400);
    assert.equal(errorCode(bad), 'ADMISSION_IMAGE_REVIEW_INVALID');
  });

  it('lists its routes in /openapi.json as public, tagged admission', async () => {
    const token = await tokenFor(srv.services, 'viewer');
    const a = await call(srv, 'GET', '/openapi.json', { token });
    for (const p of ['/admission/validate', '/admission/mutate', '/admission/imagereview']) {
      const op = a.json.paths[p]?.post;
      assert.ok(op, p);
      assert.deepEqual(op.tags, ['admission']);
      assert.deepEqual(op.security, []);
    }
  });
});

describe('the admission webhook limits unidentified callers, never registered clusters', () => {
  const face = new RecordingFace([{ token: 'kubeconfig-token-of-prod', name: 'prod-eu' }]);
  let srv: TestServer;
  before(async () => {
    srv = await startWithWebhook(face, 2); // 2 a second, bursts of 4
  });
  after(async () => srv.close());

  it('answers 429 ADMISSION_RATE_LIMITED with Retry-After past the burst; a cluster is not limited', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 6; i++)
      codes.push((await call(srv, 'POST', '/admission/validate', { body: REQUEST })).status);
    assert.deepEqual(codes.slice(0, 4), [200, 200, 200, 200]);
    assert.ok(codes.slice(4).includes(429), codes.join(','));
    const limited = await call(srv, 'POST', '/admission/validate', { body: REQUEST });
    assert.equal(limited.status, 429);
    assert.equal(errorCode(limited), 'ADMISSION_RATE_LIMITED');
    assert.match(limited.headers.get('retry-after') ?? '', /^[1-9]\d*$/);
    for (let i = 0; i < 10; i++) {
      const a = await call(srv, 'POST', '/admission/validate', {
        body: REQUEST,
        token: 'kubeconfig-token-of-prod',
      });
      assert.equal(a.status, 200, a.text);
    }
  });
});
