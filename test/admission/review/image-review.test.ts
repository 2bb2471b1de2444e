import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  AdmissionError,
  AUDIT_ANNOTATION_KEY,
  imageReviewResponse,
  MAX_CONTAINERS,
  parseImageReview,
} from '../../../src/admission/review/index.js';
import type { AdmissionDecision } from '../../../src/admission/types.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

/** The request the ImagePolicyWebhook plugin sends (the Kubernetes documentation's example). */
const REQUEST = {
  apiVersion: 'imagepolicy.k8s.io/v1alpha1',
  kind: 'ImageReview',
  spec: {
    containers: [
      { image: 'myrepo/myimage:v1' },
      {
        image:
          'myrepo/myimage@sha256:beb6bd6a68f114c1dc2ea4b28db81bdf91de202a9014972bec5e4d9171d90ed',
      },
    ],
    annotations: {
      'mycluster.image-policy.k8s.io/ticket-1234': 'break-glass',
      'unrelated.example.com/x': 'y',
    },
    namespace: 'mynamespace',
  },
};

function decision(d: Partial<AdmissionDecision>): AdmissionDecision {
  return {
    uid: 'generated',
    api: 'image-review',
    namespace: 'mynamespace',
    workload: 'Pod/',
    operation: 'CREATE',
    dryRun: false,
    mode: 'enforce',
    modeSource: 'default',
    allowed: true,
    images: [],
    degraded: false,
    warnings: [],
    at: '2026-12-04T12:00:00Z',
    ...d,
  };
}

describe('parseImageReview', () => {
  it('reads the namespace, each image with its pointer, and only image-policy annotations', () => {
    const r = parseImageReview(REQUEST);
    assert.equal(r.namespace, 'mynamespace');
    assert.deepEqual(
      r.images.map((i) => [i.pointer, i.image]),
      REQUEST.spec.containers.map((c, i) => [`/spec/containers/${i}/image`, c.image]),
    );
    assert.deepEqual(r.annotations, { 'mycluster.image-policy.k8s.io/ticket-1234': 'break-glass' });
  });

  it('takes a pod without containers or annotations', () => {
    const r = parseImageReview({
      apiVersion: 'imagepolicy.k8s.io/v1alpha1',
      kind: 'ImageReview',
      spec: {},
    });
    assert.deepEqual(r, { namespace: '', images: [], annotations: {} });
  });

  it('refuses what is not an ImageReview, with codes', () => {
    const cases: [unknown, string][] = [
      [null, 'ADMISSION_IMAGE_REVIEW_INVALID'],
      [{ ...REQUEST, apiVersion: 'imagepolicy.k8s.io/v1' }, 'ADMISSION_IMAGE_REVIEW_INVALID'],
      [{ ...REQUEST, spec: [] }, 'ADMISSION_IMAGE_REVIEW_INVALID'],
      [{ ...REQUEST, spec: { containers: {} } }, 'ADMISSION_IMAGE_REVIEW_INVALID'],
      [{ ...REQUEST, spec: { containers: [null] } }, 'ADMISSION_IMAGE_REVIEW_INVALID'],
      [{ ...REQUEST, spec: { namespace: 1 } }, 'ADMISSION_IMAGE_REVIEW_INVALID'],
      [{ ...REQUEST, spec: { containers: [{}] } }, 'ADMISSION_IMAGE_INVALID'],
      [
        { ...REQUEST, spec: { annotations: { 'a.image-policy.k8s.io/b': 1 } } },
        'ADMISSION_IMAGE_REVIEW_INVALID',
      ],
      [
        {
          ...REQUEST,
          spec: { containers: Array.from({ length: MAX_CONTAINERS + 1 }, () => ({ image: 'a' })) },
        },
        'ADMISSION_REVIEW_TOO_LARGE',
      ],
    ];
    for (const [body, code] of cases) {
      const e = expectCustodyError(
        () => parseImageReview(body),
        AdmissionError,
        code,
      ) as AdmissionError;
      // An ImageReview has no uid: it is never answered with a denial body.
      assert.equal(e.envelope, undefined);
    }
  });

  it('throws nothing but AdmissionError for any input', () => {
    fc.assert(
      fc.property(fc.anything({ maxDepth: 5 }), fc.anything({ maxDepth: 4 }), (x, spec) => {
        for (const body of [
          x,
          { apiVersion: 'imagepolicy.k8s.io/v1alpha1', kind: 'ImageReview', spec },
        ]) {
          try {
            parseImageReview(body);
          } catch (e) {
            if (!(e instanceof AdmissionError)) throw e;
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('imageReviewResponse', () => {
  it('allowed: status allowed and nothing else', () => {
    assert.deepEqual(imageReviewResponse(decision({})), {
      apiVersion: 'imagepolicy.k8s.io/v1alpha1',
      kind: 'ImageReview',
      status: { allowed: true },
    });
  });

  it('denied: the reason says what is missing', () => {
    const r = imageReviewResponse(
      decision({
        allowed: false,
        images: [
          {
            image: 'myrepo/myimage:v1',
            outcome: 'fail',
            reason: 'unsigned',
            message: 'no signature',
            cached: false,
            effect: 'deny',
          },
        ],
      }),
    );
    assert.deepEqual(r.status, {
      allowed: false,
      reason: 'image myrepo/myimage:v1: no signature',
      auditAnnotations: { decision: 'deny' },
    });
  });

  it('warn: allowed, the warnings kept in audit annotations with valid keys', () => {
    const r = imageReviewResponse(
      decision({
        mode: 'warn',
        warnings: ['image a is not signed'],
        images: [
          {
            image: 'a',
            outcome: 'fail',
            reason: 'unsigned',
            message: 'x',
            cached: false,
            effect: 'warn',
          },
          {
            image: 'b',
            outcome: 'fail',
            reason: 'unsigned',
            message: 'x',
            cached: false,
            effect: 'allow-by-exception',
            exceptionId: 'E1',
          },
        ],
      }),
      { exceptions: [{ id: 'E1', expiresAt: '2027-01-01T00:00:00Z' }] },
    );
    assert.deepEqual(r.status, {
      allowed: true,
      auditAnnotations: {
        decision: 'warn',
        warnings: 'image a is not signed',
        exception: 'E1',
        exceptionExpires: '2027-01-01T00:00:00Z',
      },
    });
    for (const k of Object.keys(r.status.auditAnnotations ?? {}))
      assert.match(k, AUDIT_ANNOTATION_KEY);
  });
});
