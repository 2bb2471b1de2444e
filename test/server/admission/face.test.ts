import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { AdmissionError, parseAdmissionReview } from '../../../src/admission/review/index.js';
import {
  answerAdmissionReview,
  answerImageReview,
  certificateFingerprint,
  normalizeFingerprint,
  referenceProblems,
  requestInvalidDecision,
} from '../../../src/app/admission/face.js';
import { conformancePath } from '../../helpers/conformance.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';

// biome-ignore lint/suspicious/noExplicitAny: reviews are poked into freely
type Json = any;
const REQUEST: Json = JSON.parse(
  readFileSync(conformancePath('admission', 'example-request-pod-create.json'), 'utf8'),
);

describe('app/admission/face helpers', () => {
  it('answerAdmissionReview denies an unreadable object without calling decide, and tells onInvalid', async () => {
    const bad = structuredClone(REQUEST);
    bad.request.object.spec.containers = 'nope';
    const told: string[] = [];
    const a = await answerAdmissionReview(
      bad,
      async () => assert.fail('decide must not be called'),
      async (env, e) => {
        told.push(`${env.uid} ${e.code}`);
      },
    );
    assert.equal(a.response.allowed, false);
    assert.deepEqual(told, [`${REQUEST.request.uid} ADMISSION_REVIEW_INVALID`]);
    await expectCustodyErrorAsync(
      () => answerAdmissionReview({ kind: 'AdmissionReview' }, async () => assert.fail()),
      AdmissionError,
      'ADMISSION_REVIEW_UNSUPPORTED',
    );
  });

  it('answerImageReview parses, decides and answers', async () => {
    const a = await answerImageReview(
      { apiVersion: 'imagepolicy.k8s.io/v1alpha1', kind: 'ImageReview', spec: { namespace: 'n' } },
      async (r) => ({
        decision: {
          ...requestInvalidDecision(
            { apiVersion: 'admission.k8s.io/v1', uid: 'u' },
            { code: 'C', message: 'm' },
            { known: false },
            new Date(0),
          ),
          namespace: r.namespace,
          allowed: true,
        },
      }),
    );
    assert.deepEqual(a.status, { allowed: true });
  });

  it('requestInvalidDecision denies, whoever asked', () => {
    const d = requestInvalidDecision(
      { apiVersion: 'admission.k8s.io/v1', uid: 'u-1' },
      {
        code: 'ADMISSION_IMAGE_INVALID',
        message: 'The image at /spec/containers/0/image is missing',
      },
      { known: true, cluster: 'prod', via: 'bearer-token' },
      new Date('2026-12-04T00:00:00Z'),
    );
    assert.equal(d.allowed, false);
    assert.equal(d.cluster, 'prod');
    assert.equal(d.uid, 'u-1');
    assert.equal(d.at, '2026-12-04T00:00:00.000Z');
    assert.match(d.message ?? '', /^ADMISSION_IMAGE_INVALID: /);
  });

  it('referenceProblems names the images that break the reference grammar', () => {
    const body = structuredClone(REQUEST);
    body.request.object.spec.containers[0].image = 'Alpine:Latest!';
    body.request.object.spec.containers[1].image = 'ghcr.io/example/nginx@sha256:123';
    const r = parseAdmissionReview(body);
    assert.deepEqual(
      referenceProblems(r.images).map((p) => p.pointer),
      ['/spec/containers/0/image', '/spec/containers/1/image'],
    );
    assert.deepEqual(referenceProblems(parseAdmissionReview(REQUEST).images), []);
  });

  it('fingerprints certificates as registered, whatever form the administrator wrote', () => {
    const der = new Uint8Array([1, 2, 3]);
    const hex = createHash('sha256').update(der).digest('hex');
    assert.equal(certificateFingerprint(der), hex);
    const colons = hex.toUpperCase().match(/../g)?.join(':') as string;
    assert.equal(normalizeFingerprint(colons), hex);
    assert.equal(normalizeFingerprint(`sha256:${hex}`), hex);
    assert.equal(normalizeFingerprint('abcd'), undefined);
  });
});
