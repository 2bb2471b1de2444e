import {
  ADMISSION_REVIEW_VERSIONS,
  AdmissionError,
  type AdmissionReviewVersion,
  type ReviewEnvelope,
} from './errors.js';
import {
  CONTAINER_LISTS,
  type ContainerList,
  containerImages,
  type ImageAt,
  isObject,
  POD_SPEC_PATHS,
  podSpecImages,
} from './pod-images.js';

export const ADMISSION_OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT'] as const;
export type AdmissionOperation = (typeof ADMISSION_OPERATIONS)[number];

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

/** What Custody reads of an AdmissionReview request (admission.k8s.io/v1 AdmissionRequest). */
export interface ParsedAdmissionReview extends ReviewEnvelope {
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  /** `ephemeralcontainers`, `status`, `exec`, …; absent for the object itself. */
  subResource?: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  /** Absent on a CREATE whose name the API server generates (see `generateName`). */
  name?: string;
  generateName?: string;
  /** `Pod/web-1`, `Deployment/web`, `Pod/web-7d9f-` (a generated name's prefix). */
  workload: string;
  operation: AdmissionOperation;
  dryRun: boolean;
  username?: string;
  /** Every image the object would run, in kubelet start order; empty when it runs none. */
  images: ImageAt[];
}

/** Deeper than any Kubernetes object nests; a guard for code that walks it. */
export const MAX_OBJECT_DEPTH = 100;
const MAX_UID_LENGTH = 256;

/**
 * Read an AdmissionReview (admission.k8s.io/v1, or v1beta1 from older API servers). Untrusted
 * input: every field is checked before it is used.
 *
 * Which images count: a pod's three container lists; a pod-owning workload's template
 * (POD_SPEC_PATHS); for the pods/ephemeralcontainers subresource only the ephemeral containers
 * (the rest of the pod cannot change there and was admitted when it was created). DELETE and
 * CONNECT, other subresources and kinds that run no containers carry no images.
 *
 * @throws AdmissionError — with `envelope` set whenever apiVersion and uid were readable, so the
 *   caller answers with a denial (`invalidReviewResponse`) rather than an HTTP error.
 */
export function parseAdmissionReview(body: unknown): ParsedAdmissionReview {
  const envelope = readEnvelope(body);
  const request = (body as { request: Record<string, unknown> }).request;
  const field = new Fields(request, envelope);
  const k = field.triple('kind', 'kind');
  const kind: GroupVersionKind = { group: k.group, version: k.version, kind: k.last };
  const r = field.triple('resource', 'resource');
  const resource: GroupVersionResource = { group: r.group, version: r.version, resource: r.last };
  const subResource = field.optionalString('subResource');
  const operation = field.string('operation');
  if (!(ADMISSION_OPERATIONS as readonly string[]).includes(operation)) {
    throw new AdmissionError(
      'ADMISSION_REVIEW_INVALID',
      `request.operation is ${JSON.stringify(operation.slice(0, 40))}, not one of ${ADMISSION_OPERATIONS.join(', ')}`,
      { envelope, details: { pointer: '/request/operation' } },
    );
  }
  const dryRun = request['dryRun'];
  if (dryRun !== undefined && dryRun !== null && typeof dryRun !== 'boolean')
    throw field.invalid('dryRun', 'is not true or false');
  const userInfo = request['userInfo'];
  if (userInfo !== undefined && userInfo !== null && !isObject(userInfo))
    throw field.invalid('userInfo', 'is not an object');
  const username = isObject(userInfo) ? userInfo['username'] : undefined;
  if (username !== undefined && typeof username !== 'string')
    throw field.invalid('userInfo/username', 'is not a string');

  const object = request['object'];
  if (object !== undefined && object !== null && !isObject(object))
    throw field.invalid('object', 'is not an object');
  if (isObject(object)) assertDepth(object, envelope);
  const metadata = isObject(object) && isObject(object['metadata']) ? object['metadata'] : {};
  const namespace =
    field.optionalString('namespace') ?? stringOr(metadata['namespace'], undefined) ?? '';
  const name = field.optionalString('name') || stringOr(metadata['name'], undefined) || undefined;
  const generateName = stringOr(metadata['generateName'], undefined) || undefined;
  const op = operation as AdmissionOperation;
  const writes = op === 'CREATE' || op === 'UPDATE';
  if (writes && !isObject(object) && runsPods(kind))
    throw field.invalid('object', `is missing: a ${op} of a ${kind.kind} carries the object`);
  const images = writes && isObject(object) ? imagesOf(kind, subResource, object, envelope) : [];
  return {
    ...envelope,
    kind,
    resource,
    ...(subResource !== undefined && subResource !== '' ? { subResource } : {}),
    namespace,
    ...(name !== undefined ? { name } : {}),
    ...(generateName !== undefined ? { generateName } : {}),
    workload: `${kind.kind}/${name ?? generateName ?? ''}`,
    operation: op,
    dryRun: dryRun === true,
    ...(username !== undefined ? { username } : {}),
    images,
  };
}

/**
 * apiVersion, kind and uid: what a response needs.
 * @throws AdmissionError without `envelope` (there is nothing to answer to)
 */
export function readEnvelope(body: unknown): ReviewEnvelope {
  if (!isObject(body))
    throw new AdmissionError(
      'ADMISSION_REVIEW_INVALID',
      'The body is not an AdmissionReview object',
    );
  const apiVersion = body['apiVersion'];
  if (!(ADMISSION_REVIEW_VERSIONS as readonly unknown[]).includes(apiVersion)) {
    throw new AdmissionError(
      'ADMISSION_REVIEW_UNSUPPORTED',
      `apiVersion is ${shown(apiVersion)}; Custody reads ${ADMISSION_REVIEW_VERSIONS.join(' and ')} (set admissionReviewVersions in the webhook configuration)`,
      { details: { pointer: '/apiVersion' } },
    );
  }
  if (body['kind'] !== 'AdmissionReview') {
    throw new AdmissionError('ADMISSION_REVIEW_UNSUPPORTED', 'kind is not AdmissionReview', {
      details: { pointer: '/kind' },
    });
  }
  const request = body['request'];
  if (!isObject(request))
    throw new AdmissionError('ADMISSION_REVIEW_INVALID', 'The AdmissionReview has no request', {
      details: { pointer: '/request' },
    });
  const uid = request['uid'];
  if (
    typeof uid !== 'string' ||
    uid === '' ||
    uid.length > MAX_UID_LENGTH ||
    !/^[\x21-\x7e]+$/.test(uid)
  )
    throw new AdmissionError(
      'ADMISSION_REVIEW_INVALID',
      `request.uid is missing or is not a uid (visible ASCII, at most ${MAX_UID_LENGTH} characters)`,
      { details: { pointer: '/request/uid' } },
    );
  return { apiVersion: apiVersion as AdmissionReviewVersion, uid };
}

function runsPods(kind: GroupVersionKind): boolean {
  const key = `${kind.group}/${kind.kind}`;
  return key === '/EphemeralContainers' || POD_SPEC_PATHS[key] !== undefined;
}

function imagesOf(
  kind: GroupVersionKind,
  subResource: string | undefined,
  object: Record<string, unknown>,
  envelope: ReviewEnvelope,
): ImageAt[] {
  const key = `${kind.group}/${kind.kind}`;
  // Before Kubernetes 1.23 the subresource's object was an EphemeralContainers list, not a Pod.
  if (key === '/EphemeralContainers')
    return containerImages(object, [], envelope, ['ephemeralContainers']);
  const at = POD_SPEC_PATHS[key];
  if (at === undefined) return [];
  const objectKind = object['kind'];
  if (objectKind !== undefined && objectKind !== kind.kind) {
    throw new AdmissionError(
      'ADMISSION_REVIEW_INVALID',
      `request.kind is ${kind.kind} but the object's kind is ${shown(objectKind)}`,
      { envelope, details: { pointer: '/request/object/kind' } },
    );
  }
  let lists: readonly ContainerList[] = CONTAINER_LISTS;
  if (subResource !== undefined && subResource !== '') {
    if (key !== '/Pod' || subResource !== 'ephemeralcontainers') return [];
    lists = ['ephemeralContainers'];
  }
  return podSpecImages(object, at, envelope, lists);
}

/** Iterative, so that a hostile depth cannot overflow the stack on the way. */
function assertDepth(root: unknown, envelope: ReviewEnvelope): void {
  const stack: [unknown, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth > MAX_OBJECT_DEPTH)
      throw new AdmissionError(
        'ADMISSION_REVIEW_TOO_DEEP',
        `The object nests deeper than ${MAX_OBJECT_DEPTH} levels`,
        { envelope, details: { limit: MAX_OBJECT_DEPTH } },
      );
    for (const child of Object.values(v))
      if (typeof child === 'object') stack.push([child, depth + 1]);
  }
}

/** A value of the request for a message: strings quoted and cut short, anything else by type. */
function shown(v: unknown): string {
  return typeof v === 'string'
    ? JSON.stringify(v.slice(0, 60))
    : `a ${v === null ? 'null' : typeof v}`;
}

function stringOr<T>(v: unknown, fallback: T): string | T {
  return typeof v === 'string' ? v : fallback;
}

/** Typed reads of request fields, each failure naming its JSON pointer. */
class Fields {
  constructor(
    private readonly request: Record<string, unknown>,
    private readonly envelope: ReviewEnvelope,
  ) {}

  invalid(name: string, problem: string): AdmissionError {
    return new AdmissionError(
      'ADMISSION_REVIEW_INVALID',
      `request.${name.replace(/\//g, '.')} ${problem}`,
      {
        envelope: this.envelope,
        details: { pointer: `/request/${name}` },
      },
    );
  }

  string(name: string): string {
    const v = this.request[name];
    if (typeof v !== 'string' || v === '') throw this.invalid(name, 'is missing or not a string');
    return v;
  }

  optionalString(name: string): string | undefined {
    const v = this.request[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw this.invalid(name, 'is not a string');
    return v;
  }

  /** `{group, version, kind}` (or `resource` as the third key); group may be '' (the core group). */
  triple(
    name: string,
    third: 'kind' | 'resource',
  ): { group: string; version: string; last: string } {
    const v = this.request[name];
    if (!isObject(v)) throw this.invalid(name, 'is missing or not an object');
    const group = v['group'] ?? '';
    const version = v['version'];
    const last = v[third];
    if (
      typeof group !== 'string' ||
      typeof version !== 'string' ||
      typeof last !== 'string' ||
      last === ''
    )
      throw this.invalid(name, `is not {group, version, ${third}} strings`);
    return { group, version, last };
  }
}
