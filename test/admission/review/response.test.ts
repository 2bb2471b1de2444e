import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  AUDIT_ANNOTATION_KEY,
  admissionResponse,
  digestPinPatch,
  invalidReviewResponse,
  MAX_WARNING_LENGTH,
  MAX_WARNINGS,
  parseAdmissionReview,
  readEnvelope,
} from '../../../src/admission/review/index.js';
import type { AdmissionDecision, ImageVerdict } from '../../../src/admission/types.js';
import { conformancePath } from '../../helpers/conformance.js';

// biome-ignore lint/suspicious/noExplicitAny: reviews are poked into freely
type Json = any;
const example = (name: string): Json =>
  JSON.parse(readFileSync(conformancePath('admission', name), 'utf8'));

const REQUEST = example('example-request-pod-create.json');
const REVIEW = parseAdmissionReview(REQUEST);
const NGINX = REVIEW.images[2]?.image as string;
const PROVENANCE = { name: 'require-provenance', version: '1', digest: 'sha256:00' };

type Img = AdmissionDecision['images'][number];
function img(image: string, effect: Img['effect'], v: Partial<ImageVerdict & Img> = {}): Img {
  return {
    image,
    outcome: effect === 'allow' ? 'pass' : 'fail',
    message: '',
    cached: false,
    effect,
    ...v,
  };
}

function decision(d: Partial<AdmissionDecision>): AdmissionDecision {
  return {
    uid: REVIEW.uid,
    api: 'admission-review',
    namespace: 'default',
    workload: 'Pod/nginx',
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

/**
 * The examples shorten digests to eight hex digits and `...` for people to read; Custody's
 * annotations keep the whole digest (audit logs are for machines). Everything else compares as is.
 */
function shortDigests(v: Json): Json {
  return JSON.parse(JSON.stringify(v).replace(/(sha256:[0-9a-f]{8})[0-9a-f]{56}/g, '$1...'));
}

describe('admissionResponse matches the conformance responses', () => {
  it('allow: uid and allowed, nothing else', () => {
    const d = decision({
      images: REVIEW.images.map((i) => img(i.image, 'allow')),
    });
    assert.deepEqual(admissionResponse(REVIEW, d), example('example-response-allow.json'));
  });

  it('deny in enforce: 403 Forbidden with the message, and what was denied in the audit annotations', () => {
    const expected = example('example-response-deny-enforce.json');
    const d = decision({
      allowed: false,
      images: [
        img('busybox:1.36', 'allow'),
        img('alpine', 'allow'),
        img(NGINX, 'deny', {
          reason: 'provenance',
          policy: PROVENANCE,
          message: 'builder id https://github.com/evil/gen.yml not trusted',
        }),
      ],
      message: expected.response.status.message,
    });
    assert.deepEqual(shortDigests(admissionResponse(REVIEW, d)), expected);
  });

  it('warn: allowed, the warnings, and the rules that failed', () => {
    const expected = example('example-response-warn.json');
    const d = decision({
      mode: 'warn',
      images: [
        img('busybox:1.36', 'allow'),
        img('alpine', 'warn', {
          reason: 'digest-required',
          failedRules: ['require-signature', 'require-sbom'],
        }),
        img(NGINX, 'allow'),
      ],
      warnings: expected.response.warnings,
    });
    assert.deepEqual(admissionResponse(REVIEW, d), expected);
  });

  it('an exception: allowed, its warning, and the exception with its expiry', () => {
    const expected = example('example-response-exception-audit.json');
    const d = decision({
      images: [
        img('busybox:1.36', 'allow'),
        img('alpine', 'allow-by-exception', {
          reason: 'provenance',
          policy: PROVENANCE,
          exceptionId: 'EXC-42',
        }),
        img(NGINX, 'allow'),
      ],
      warnings: expected.response.warnings,
    });
    const exceptions = [{ id: 'EXC-42', expiresAt: '2026-12-31T00:00:00Z' }];
    assert.deepEqual(admissionResponse(REVIEW, d, { exceptions }), expected);
  });

  it('mutate: the digest-pin patch, base64 JSONPatch', () => {
    const expected = example('example-response-mutate-digest.json');
    const ops = JSON.parse(Buffer.from(expected.response.patch, 'base64').toString('utf8'));
    const digest = /@(sha256:[0-9a-f]{64})$/.exec(ops[0].value)?.[1] as string;
    const patch = digestPinPatch(REVIEW.images, new Map([['/spec/containers/0/image', digest]]));
    assert.deepEqual(patch, ops);
    const d = decision({ images: REVIEW.images.map((i) => img(i.image, 'allow')) });
    assert.deepEqual(admissionResponse(REVIEW, d, { patch }), expected);
  });

  it('answers in the apiVersion it was asked in', () => {
    const beta = { ...REVIEW, apiVersion: 'admission.k8s.io/v1beta1' as const };
    assert.equal(admissionResponse(beta, decision({})).apiVersion, 'admission.k8s.io/v1beta1');
  });

  it('uses only fields Kubernetes knows (the round-trip file lists every one)', () => {
    const roundtrip = example('k8s-api-roundtrip-admission.k8s.io.v1.AdmissionReview.json');
    const known = new Set(Object.keys(roundtrip.response));
    const d = decision({
      allowed: true,
      mode: 'audit',
      images: [img('alpine', 'audit', { reason: 'unsigned' })],
      warnings: ['w'],
      degraded: true,
    });
    const r = admissionResponse(REVIEW, d, { patch: [{ op: 'replace', path: '/x', value: 'y' }] });
    for (const k of Object.keys(r.response)) assert.ok(known.has(k), k);
    const denied = admissionResponse(REVIEW, decision({ allowed: false, message: 'no' }));
    for (const k of Object.keys(denied.response.status ?? {}))
      assert.ok(k in roundtrip.response.status, k);
  });
});

describe('admissionResponse limits and annotations', () => {
  it('keeps warnings short, printable and few', () => {
    const warnings = Array.from({ length: 50 }, (_, i) => `w${i}\u0007\n${'x'.repeat(400)}`);
    const r = admissionResponse(REVIEW, decision({ warnings }));
    const ws = r.response.warnings ?? [];
    assert.equal(ws.length, MAX_WARNINGS);
    for (const w of ws) {
      assert.ok(w.length <= MAX_WARNING_LENGTH, String(w.length));
      assert.ok(!/\p{Cc}/u.test(w));
    }
    assert.match(ws.at(-1) as string, /31 more warnings/);
  });

  it('writes only audit annotation keys the API server accepts', () => {
    const d = decision({
      allowed: false,
      modeSource: 'override',
      overrideId: 'OVR-1',
      degraded: true,
      images: [
        img('a', 'deny', {
          reason: 'infrastructure',
          outcome: 'infra',
          degraded: { upstream: 'registry', via: 'none', detail: 'down' },
          exceptionId: 'E1',
        }),
      ],
    });
    const a = admissionResponse(REVIEW, d).response.auditAnnotations ?? {};
    assert.deepEqual(Object.keys(a).sort(), [
      'decision',
      'degraded',
      'exception',
      'image',
      'override',
      'policy',
    ]);
    for (const k of Object.keys(a)) assert.match(k, AUDIT_ANNOTATION_KEY);
    assert.equal(a['degraded'], 'registry:none');
    assert.equal(a['policy'], 'infrastructure');
    assert.doesNotMatch('bad key!', AUDIT_ANNOTATION_KEY);
    assert.doesNotMatch('x'.repeat(64), AUDIT_ANNOTATION_KEY);
  });

  it('audit mode names the images it let through', () => {
    const d = decision({ mode: 'audit', images: [img('alpine', 'audit', { reason: 'unsigned' })] });
    assert.deepEqual(admissionResponse(REVIEW, d).response.auditAnnotations, {
      decision: 'audit',
      policy: 'unsigned',
      image: 'alpine',
    });
  });

  it('says why when the decision brings no message, and sends no patch with a denial', () => {
    const d = decision({
      allowed: false,
      images: [img('alpine', 'deny', { reason: 'unsigned', message: 'no signature found' })],
    });
    const r = admissionResponse(REVIEW, d, { patch: [{ op: 'replace', path: '/p', value: 'v' }] });
    assert.equal(r.response.status?.message, 'image alpine: no signature found');
    assert.equal(r.response.patch, undefined);
    assert.equal(r.response.patchType, undefined);
  });

  it('answers an unreadable object with a denial, never an allow', () => {
    const env = readEnvelope(REQUEST);
    const r = invalidReviewResponse(env, { code: 'ADMISSION_IMAGE_INVALID', message: 'bad' });
    assert.deepEqual(r, {
      apiVersion: 'admission.k8s.io/v1',
      kind: 'AdmissionReview',
      response: {
        uid: REVIEW.uid,
        allowed: false,
        status: {
          code: 400,
          reason: 'BadRequest',
          message: 'Custody could not read this request (ADMISSION_IMAGE_INVALID): bad',
        },
        auditAnnotations: {
          decision: 'deny',
          reason: 'request-invalid',
          error: 'ADMISSION_IMAGE_INVALID',
        },
      },
    });
  });
});

describe('digestPinPatch', () => {
  const D = `sha256:${'ab'.repeat(32)}`;
  it('pins tags, keeps them for people, leaves pinned and unresolved images alone', () => {
    const images = REVIEW.images;
    const resolved = new Map([
      ['/spec/initContainers/0/image', D],
      ['/spec/containers/1/image', NGINX.split('@')[1] as string],
    ]);
    assert.deepEqual(digestPinPatch(images, resolved), [
      { op: 'replace', path: '/spec/initContainers/0/image', value: `busybox:1.36@${D}` },
    ]);
  });

  it('replaces a stale digest and takes whole references as they are', () => {
    const images = [
      {
        image: `a@sha256:${'cd'.repeat(32)}`,
        pointer: '/spec/containers/0/image',
        container: '',
        list: 'containers' as const,
      },
      {
        image: 'b:1',
        pointer: '/spec/containers/1/image',
        container: '',
        list: 'containers' as const,
      },
    ];
    const resolved = new Map([
      ['/spec/containers/0/image', D],
      ['/spec/containers/1/image', `reg.example/b@${D}`],
    ]);
    assert.deepEqual(digestPinPatch(images, resolved), [
      { op: 'replace', path: '/spec/containers/0/image', value: `a@${D}` },
      { op: 'replace', path: '/spec/containers/1/image', value: `reg.example/b@${D}` },
    ]);
  });
});
