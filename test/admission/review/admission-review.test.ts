import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  AdmissionError,
  CONTAINER_LISTS,
  MAX_CONTAINERS,
  MAX_IMAGE_LENGTH,
  MAX_OBJECT_DEPTH,
  POD_SPEC_PATHS,
  parseAdmissionReview,
} from '../../../src/admission/review/index.js';
import { conformancePath } from '../../helpers/conformance.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

// biome-ignore lint/suspicious/noExplicitAny: reviews are poked into freely
type Json = any;

const example = (name: string): Json =>
  JSON.parse(readFileSync(conformancePath('admission', name), 'utf8'));

/** RFC 6901 resolution, the oracle for the pointers the parser returns. */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  let v: Json = doc;
  for (const raw of pointer.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (v === null || typeof v !== 'object' || !(seg in v)) return undefined;
    v = v[seg];
  }
  return v;
}

/** A review of `object` (of kind `group/Kind`). */
export function reviewOf(object: Json, o: Partial<Record<string, unknown>> = {}): Json {
  const [group, kind] = String(o['gk'] ?? '/Pod').split('/') as [string, string];
  return {
    apiVersion: o['apiVersion'] ?? 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: 'b2c1e7e0-0000-4000-8000-000000000001',
      kind: { group, version: 'v1', kind },
      resource: { group, version: 'v1', resource: `${kind.toLowerCase()}s` },
      namespace: 'prod',
      operation: o['operation'] ?? 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object,
      ...(o['subResource'] ? { subResource: o['subResource'] } : {}),
      ...(o['dryRun'] !== undefined ? { dryRun: o['dryRun'] } : {}),
    },
  };
}

function withSpec(path: readonly string[], spec: Json, kind: string): Json {
  let inner: Json = spec;
  for (const seg of [...path].reverse()) inner = { [seg]: inner };
  return { apiVersion: 'v1', kind, metadata: { name: 'web', namespace: 'prod' }, ...inner };
}

describe('parseAdmissionReview', () => {
  it('reads the conformance pod request: every image, with pointers that resolve to it', () => {
    const body = example('example-request-pod-create.json');
    const r = parseAdmissionReview(body);
    assert.equal(r.apiVersion, 'admission.k8s.io/v1');
    assert.equal(r.uid, '1299d386-525b-4032-98ae-1949f69f9cfc');
    assert.deepEqual(r.kind, { group: '', version: 'v1', kind: 'Pod' });
    assert.deepEqual(r.resource, { group: '', version: 'v1', resource: 'pods' });
    assert.equal(r.namespace, 'default');
    assert.equal(r.name, 'nginx');
    assert.equal(r.workload, 'Pod/nginx');
    assert.equal(r.operation, 'CREATE');
    assert.equal(r.dryRun, false);
    assert.equal(r.username, 'kubernetes-admin');
    assert.deepEqual(
      r.images.map((i) => [i.pointer, i.image, i.container, i.list]),
      [
        ['/spec/initContainers/0/image', 'busybox:1.36', 'init', 'initContainers'],
        ['/spec/containers/0/image', 'alpine', 'sleeping-sidecar', 'containers'],
        [
          '/spec/containers/1/image',
          'ghcr.io/example/nginx@sha256:4901d46645c8f1dbb47b7ffd639e00873f9faa51eb2d7d40d56ceb99da069e54',
          'nginx',
          'containers',
        ],
      ],
    );
    for (const i of r.images) assert.equal(resolvePointer(body.request.object, i.pointer), i.image);
  });

  describe('the Kubernetes API round-trip file (every AdmissionReview field set)', () => {
    const body = example('k8s-api-roundtrip-admission.k8s.io.v1.AdmissionReview.json');

    it('is refused with its envelope: its operation is a placeholder, not an operation', () => {
      const e = expectCustodyError(
        () => parseAdmissionReview(body),
        AdmissionError,
        'ADMISSION_REVIEW_INVALID',
      ) as AdmissionError;
      assert.deepEqual(e.envelope, { apiVersion: 'admission.k8s.io/v1', uid: 'uidValue' });
      assert.equal(e.details?.['pointer'], '/request/operation');
    });

    for (const operation of ['CREATE', 'UPDATE', 'DELETE', 'CONNECT']) {
      it(`reads every field with operation ${operation}; a custom kind runs no images`, () => {
        const r = parseAdmissionReview({ ...body, request: { ...body.request, operation } });
        assert.equal(r.uid, 'uidValue');
        assert.deepEqual(r.kind, {
          group: 'groupValue',
          version: 'versionValue',
          kind: 'kindValue',
        });
        assert.deepEqual(r.resource, {
          group: 'groupValue',
          version: 'versionValue',
          resource: 'resourceValue',
        });
        assert.equal(r.subResource, 'subResourceValue');
        assert.equal(r.namespace, 'namespaceValue');
        assert.equal(r.name, 'nameValue');
        assert.equal(r.workload, 'kindValue/nameValue');
        assert.equal(r.operation, operation);
        assert.equal(r.dryRun, true);
        assert.equal(r.username, 'usernameValue');
        assert.deepEqual(r.images, []);
      });
    }
  });

  it('reads v1beta1 reviews as well', () => {
    const body = example('example-request-pod-create.json');
    const r = parseAdmissionReview({ ...body, apiVersion: 'admission.k8s.io/v1beta1' });
    assert.equal(r.apiVersion, 'admission.k8s.io/v1beta1');
    assert.equal(r.images.length, 3);
  });

  it('finds the pod spec of every pod-owning kind', () => {
    const expected: Record<string, string> = {
      '/Pod': '/spec',
      '/PodTemplate': '/template/spec',
      '/ReplicationController': '/spec/template/spec',
      'apps/Deployment': '/spec/template/spec',
      'apps/ReplicaSet': '/spec/template/spec',
      'apps/StatefulSet': '/spec/template/spec',
      'apps/DaemonSet': '/spec/template/spec',
      'batch/Job': '/spec/template/spec',
      'batch/CronJob': '/spec/jobTemplate/spec/template/spec',
    };
    for (const [gk, base] of Object.entries(expected)) {
      const at = POD_SPEC_PATHS[gk];
      assert.ok(at, gk);
      const kind = gk.split('/')[1] as string;
      const object = withSpec(
        at.path,
        { containers: [{ name: 'a', image: 'reg.example/a:1' }] },
        kind,
      );
      const r = parseAdmissionReview(reviewOf(object, { gk }));
      assert.deepEqual(
        r.images.map((i) => i.pointer),
        [`${base}/containers/0/image`],
        gk,
      );
      assert.equal(r.workload, `${kind}/web`);
    }
  });

  it('names a pod with a generated name by its prefix', () => {
    const object = {
      kind: 'Pod',
      metadata: { generateName: 'web-7d9f-' },
      spec: { containers: [{ name: 'a', image: 'a' }] },
    };
    const r = parseAdmissionReview(reviewOf(object));
    assert.equal(r.name, undefined);
    assert.equal(r.generateName, 'web-7d9f-');
    assert.equal(r.workload, 'Pod/web-7d9f-');
  });

  it('takes only the ephemeral containers of the pods/ephemeralcontainers subresource', () => {
    const object = {
      kind: 'Pod',
      metadata: { name: 'web' },
      spec: {
        containers: [{ name: 'app', image: 'app:1' }],
        ephemeralContainers: [{ name: 'debugger', image: 'busybox:1.36' }],
      },
    };
    const r = parseAdmissionReview(
      reviewOf(object, { operation: 'UPDATE', subResource: 'ephemeralcontainers' }),
    );
    assert.deepEqual(
      r.images.map((i) => [i.pointer, i.image]),
      [['/spec/ephemeralContainers/0/image', 'busybox:1.36']],
    );
    // Before 1.23 the subresource's object was an EphemeralContainers list.
    const legacy = parseAdmissionReview(
      reviewOf(
        { kind: 'EphemeralContainers', ephemeralContainers: [{ name: 'd', image: 'busybox' }] },
        { gk: '/EphemeralContainers', operation: 'UPDATE', subResource: 'ephemeralcontainers' },
      ),
    );
    assert.deepEqual(
      legacy.images.map((i) => i.pointer),
      ['/ephemeralContainers/0/image'],
    );
  });

  it('finds no images for DELETE, CONNECT, other subresources and kinds that run none', () => {
    const pod = { kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ image: 'a' }] } };
    assert.deepEqual(parseAdmissionReview(reviewOf(null, { operation: 'DELETE' })).images, []);
    assert.deepEqual(parseAdmissionReview(reviewOf(pod, { operation: 'CONNECT' })).images, []);
    assert.deepEqual(
      parseAdmissionReview(reviewOf(pod, { operation: 'UPDATE', subResource: 'status' })).images,
      [],
    );
    assert.deepEqual(
      parseAdmissionReview(reviewOf({ kind: 'ConfigMap', data: {} }, { gk: '/ConfigMap' })).images,
      [],
    );
    // A kind named like a workload in another group is not one.
    const lookalike = withSpec(
      ['spec', 'template', 'spec'],
      { containers: [{ image: 'x' }] },
      'Deployment',
    );
    assert.deepEqual(
      parseAdmissionReview(reviewOf(lookalike, { gk: 'example.com/Deployment' })).images,
      [],
    );
  });

  it('reads dryRun', () => {
    const pod = { kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ image: 'a' }] } };
    assert.equal(parseAdmissionReview(reviewOf(pod, { dryRun: true })).dryRun, true);
  });

  describe('refuses what it cannot read', () => {
    const pod = (spec: Json) => reviewOf({ kind: 'Pod', metadata: { name: 'web' }, spec });

    it('without an envelope when there is nothing to answer to', () => {
      for (const [body, code] of [
        [null, 'ADMISSION_REVIEW_INVALID'],
        ['text', 'ADMISSION_REVIEW_INVALID'],
        [[], 'ADMISSION_REVIEW_INVALID'],
        [
          { apiVersion: 'admission.k8s.io/v2', kind: 'AdmissionReview' },
          'ADMISSION_REVIEW_UNSUPPORTED',
        ],
        [{ apiVersion: 'admission.k8s.io/v1', kind: 'Pod' }, 'ADMISSION_REVIEW_UNSUPPORTED'],
        [
          { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' },
          'ADMISSION_REVIEW_INVALID',
        ],
        [
          { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: {} },
          'ADMISSION_REVIEW_INVALID',
        ],
        [
          { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'a b' } },
          'ADMISSION_REVIEW_INVALID',
        ],
        [
          {
            apiVersion: 'admission.k8s.io/v1',
            kind: 'AdmissionReview',
            request: { uid: 'x'.repeat(257) },
          },
          'ADMISSION_REVIEW_INVALID',
        ],
      ] as const) {
        const e = expectCustodyError(() => parseAdmissionReview(body), AdmissionError, code);
        assert.equal((e as AdmissionError).envelope, undefined, JSON.stringify(body));
      }
    });

    it('with the envelope when the uid was readable, naming the field at fault', () => {
      const cases: [Json, string, string][] = [
        [
          pod({ containers: [{ name: 'a' }] }),
          'ADMISSION_IMAGE_INVALID',
          '/spec/containers/0/image',
        ],
        [
          pod({ containers: [{ image: 42 }] }),
          'ADMISSION_IMAGE_INVALID',
          '/spec/containers/0/image',
        ],
        [
          pod({ containers: [{ image: 'alpine latest' }] }),
          'ADMISSION_IMAGE_INVALID',
          '/spec/containers/0/image',
        ],
        [
          pod({ containers: [{ image: 'аlpine' }] }),
          'ADMISSION_IMAGE_INVALID',
          '/spec/containers/0/image',
        ],
        [
          pod({ initContainers: [{ image: 'a'.repeat(MAX_IMAGE_LENGTH + 1) }] }),
          'ADMISSION_IMAGE_INVALID',
          '/spec/initContainers/0/image',
        ],
        [pod({ containers: 'alpine' }), 'ADMISSION_REVIEW_INVALID', '/spec/containers'],
        [pod({ containers: ['alpine'] }), 'ADMISSION_REVIEW_INVALID', '/spec/containers/0'],
        [pod('spec'), 'ADMISSION_REVIEW_INVALID', '/spec'],
        [reviewOf({ kind: 'Pod', metadata: {} }), 'ADMISSION_REVIEW_INVALID', '/spec'],
        [
          reviewOf({ kind: 'Service', spec: {} }),
          'ADMISSION_REVIEW_INVALID',
          '/request/object/kind',
        ],
        [reviewOf(['not', 'an', 'object']), 'ADMISSION_REVIEW_INVALID', '/request/object'],
        [
          pod({ containers: Array.from({ length: MAX_CONTAINERS + 1 }, () => ({ image: 'a' })) }),
          'ADMISSION_REVIEW_TOO_LARGE',
          '/spec/containers',
        ],
        [
          pod({
            containers: Array.from({ length: MAX_CONTAINERS }, () => ({ image: 'a' })),
            initContainers: [{ image: 'b' }],
          }),
          'ADMISSION_REVIEW_TOO_LARGE',
          '/spec/containers',
        ],
        [reviewOf(null, { operation: 'PATCH' }), 'ADMISSION_REVIEW_INVALID', '/request/operation'],
        [reviewOf(null), 'ADMISSION_REVIEW_INVALID', '/request/object'],
        [
          reviewOf(undefined, { operation: 'UPDATE', gk: 'apps/Deployment' }),
          'ADMISSION_REVIEW_INVALID',
          '/request/object',
        ],
        [reviewOf(null, { dryRun: 'yes' }), 'ADMISSION_REVIEW_INVALID', '/request/dryRun'],
      ];
      for (const [body, code, pointer] of cases) {
        const e = expectCustodyError(
          () => parseAdmissionReview(body),
          AdmissionError,
          code,
        ) as AdmissionError;
        assert.deepEqual(e.envelope, { apiVersion: 'admission.k8s.io/v1', uid: body.request.uid });
        assert.equal(e.details?.['pointer'], pointer, e.message);
        assert.ok(e.message.length > 10);
      }
    });

    it('an object nested deeper than any Kubernetes object', () => {
      let deep: Json = 'leaf';
      for (let i = 0; i < MAX_OBJECT_DEPTH + 5; i++) deep = { d: deep };
      const body = reviewOf({
        kind: 'Pod',
        metadata: { annotations: deep },
        spec: { containers: [] },
      });
      const e = expectCustodyError(
        () => parseAdmissionReview(body),
        AdmissionError,
        'ADMISSION_REVIEW_TOO_DEEP',
      ) as AdmissionError;
      assert.ok(e.envelope);
      let ok: Json = 'leaf';
      for (let i = 0; i < MAX_OBJECT_DEPTH - 5; i++) ok = { d: ok };
      parseAdmissionReview(
        reviewOf({ kind: 'Pod', metadata: { annotations: ok }, spec: { containers: [] } }),
      );
    });
  });

  describe('properties', () => {
    const isTyped = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        if (!(e instanceof AdmissionError)) throw e;
      }
    };

    it('no input makes it throw anything but an AdmissionError', () => {
      fc.assert(
        fc.property(fc.anything({ maxDepth: 6 }), (x) => isTyped(() => parseAdmissionReview(x))),
        { numRuns: 500 },
      );
    });

    it('no corruption of a valid review does either', () => {
      const base = example('example-request-pod-create.json');
      const paths: string[][] = [];
      const walk = (v: Json, p: string[]) => {
        paths.push(p);
        if (v && typeof v === 'object') for (const k of Object.keys(v)) walk(v[k], [...p, k]);
      };
      walk(base, []);
      fc.assert(
        fc.property(
          fc.constantFrom(...paths.filter((p) => p.length > 0)),
          fc.anything({ maxDepth: 3 }),
          (path, value) => {
            const body = structuredClone(base);
            let v = body;
            for (const k of path.slice(0, -1)) v = v[k];
            v[path[path.length - 1] as string] = value;
            isTyped(() => parseAdmissionReview(body));
          },
        ),
        { numRuns: 1000 },
      );
    });

    const imageArb = fc.stringMatching(/^[a-z0-9][a-z0-9./:@_-]{0,60}$/);
    const containersArb = fc.array(
      fc.record({ name: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/), image: imageArb }),
      { maxLength: 5 },
    );
    const podSpecArb = fc.record(
      {
        containers: containersArb,
        initContainers: containersArb,
        ephemeralContainers: containersArb,
      },
      { requiredKeys: [] },
    );

    it('every image of a generated pod spec is found, in any pod-owning kind, at a pointer that resolves to it', () => {
      fc.assert(
        fc.property(fc.constantFrom(...Object.keys(POD_SPEC_PATHS)), podSpecArb, (gk, spec) => {
          const at = POD_SPEC_PATHS[gk] as { path: readonly string[] };
          const kind = gk.split('/')[1] as string;
          const object = withSpec(at.path, spec, kind);
          const r = parseAdmissionReview(reviewOf(object, { gk }));
          const expected = CONTAINER_LISTS.flatMap((l) => (spec[l] ?? []).map((c) => c.image));
          assert.deepEqual(
            r.images.map((i) => i.image),
            expected,
          );
          for (const i of r.images) assert.equal(resolvePointer(object, i.pointer), i.image);
        }),
        { numRuns: 300 },
      );
    });
  });
});
