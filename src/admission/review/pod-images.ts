import { AdmissionError, type ReviewEnvelope } from './errors.js';

/** The three container lists of a pod spec, in the order the kubelet starts them. */
export const CONTAINER_LISTS = ['initContainers', 'containers', 'ephemeralContainers'] as const;
export type ContainerList = (typeof CONTAINER_LISTS)[number];

/** One image of an object, with the JSON pointer (RFC 6901) of its `image` field. */
export interface ImageAt {
  image: string;
  /** e.g. `/spec/template/spec/initContainers/0/image` */
  pointer: string;
  /** The container's name ('' when it has none). */
  container: string;
  list: ContainerList;
}

/** Containers one object may carry; Kubernetes itself has no limit, real pods have a handful. */
export const MAX_CONTAINERS = 256;
/** The distribution reference grammar caps a reference at this length. */
export const MAX_IMAGE_LENGTH = 4096;

/**
 * Where each pod-owning kind keeps its pod spec, keyed `group/Kind` (the core group is ''). A
 * kind not listed runs no containers: it is admitted without an image check. `optional`: the API
 * lets the template be absent (a ReplicationController's).
 */
export const POD_SPEC_PATHS: Readonly<
  Record<string, { path: readonly string[]; optional?: boolean }>
> = {
  '/Pod': { path: ['spec'] },
  '/PodTemplate': { path: ['template', 'spec'] },
  '/ReplicationController': { path: ['spec', 'template', 'spec'], optional: true },
  'apps/Deployment': { path: ['spec', 'template', 'spec'] },
  'apps/ReplicaSet': { path: ['spec', 'template', 'spec'] },
  'apps/StatefulSet': { path: ['spec', 'template', 'spec'] },
  'apps/DaemonSet': { path: ['spec', 'template', 'spec'] },
  'batch/Job': { path: ['spec', 'template', 'spec'] },
  'batch/CronJob': { path: ['spec', 'jobTemplate', 'spec', 'template', 'spec'] },
  // Clusters before 1.16 served workloads from extensions/v1beta1.
  'extensions/Deployment': { path: ['spec', 'template', 'spec'] },
  'extensions/ReplicaSet': { path: ['spec', 'template', 'spec'] },
  'extensions/DaemonSet': { path: ['spec', 'template', 'spec'] },
};

/**
 * Every image of the pod spec at `path` inside `object`, in kubelet start order.
 * `lists` narrows which container lists count (the ephemeralcontainers subresource).
 * @throws AdmissionError ADMISSION_REVIEW_INVALID, ADMISSION_REVIEW_TOO_LARGE, ADMISSION_IMAGE_INVALID
 */
export function podSpecImages(
  object: unknown,
  at: { path: readonly string[]; optional?: boolean },
  envelope: ReviewEnvelope,
  lists: readonly ContainerList[] = CONTAINER_LISTS,
): ImageAt[] {
  let spec: unknown = object;
  for (const [i, seg] of at.path.entries()) {
    const next = isObject(spec) ? spec[seg] : undefined;
    if (next === undefined || next === null) {
      if (at.optional) return [];
      throw new AdmissionError(
        'ADMISSION_REVIEW_INVALID',
        `The object has no ${pointerOf(at.path.slice(0, i + 1))}, where its pod spec belongs`,
        { envelope, details: { pointer: pointerOf(at.path.slice(0, i + 1)) } },
      );
    }
    spec = next;
  }
  if (!isObject(spec)) {
    throw new AdmissionError(
      'ADMISSION_REVIEW_INVALID',
      `The object's ${pointerOf(at.path)} is not a pod spec (an object)`,
      { envelope, details: { pointer: pointerOf(at.path) } },
    );
  }
  return containerImages(spec, at.path, envelope, lists);
}

/** The images of the container lists of `holder` (a pod spec, or the legacy EphemeralContainers object). */
export function containerImages(
  holder: Readonly<Record<string, unknown>>,
  base: readonly string[],
  envelope: ReviewEnvelope,
  lists: readonly ContainerList[] = CONTAINER_LISTS,
): ImageAt[] {
  const out: ImageAt[] = [];
  for (const list of lists) {
    const items = holder[list];
    if (items === undefined || items === null) continue;
    const listPointer = pointerOf([...base, list]);
    if (!Array.isArray(items)) {
      throw new AdmissionError('ADMISSION_REVIEW_INVALID', `${listPointer} is not a list`, {
        envelope,
        details: { pointer: listPointer },
      });
    }
    if (out.length + items.length > MAX_CONTAINERS) {
      throw new AdmissionError(
        'ADMISSION_REVIEW_TOO_LARGE',
        `The object has more than ${MAX_CONTAINERS} containers; Custody checks at most that many per object`,
        { envelope, details: { pointer: listPointer, limit: MAX_CONTAINERS } },
      );
    }
    for (const [i, c] of items.entries()) {
      const pointer = `${listPointer}/${i}/image`;
      if (!isObject(c)) {
        throw new AdmissionError(
          'ADMISSION_REVIEW_INVALID',
          `${listPointer}/${i} is not a container`,
          {
            envelope,
            details: { pointer: `${listPointer}/${i}` },
          },
        );
      }
      out.push({
        image: checkImage(c['image'], pointer, envelope),
        pointer,
        container: typeof c['name'] === 'string' ? c['name'] : '',
        list,
      });
    }
  }
  return out;
}

/**
 * The image string as written, after the checks any reference passes: the grammar itself is the
 * app's to check (oci/'s parseImageReference), so that a bad reference becomes a verdict with a
 * reason rather than an unreadable review.
 */
export function checkImage(v: unknown, pointer: string, envelope?: ReviewEnvelope): string {
  let problem: string | undefined;
  if (typeof v !== 'string' || v === '') problem = 'is missing or not a string';
  else if (v.length > MAX_IMAGE_LENGTH) problem = `is longer than ${MAX_IMAGE_LENGTH} characters`;
  // Visible ASCII only: a space, a control character or a look-alike letter is never part of
  // a reference, and would otherwise reach logs and messages as written.
  else if (!/^[\x21-\x7e]+$/.test(v)) problem = 'holds characters no image reference has';
  if (problem === undefined) return v as string;
  throw new AdmissionError('ADMISSION_IMAGE_INVALID', `The image at ${pointer} ${problem}`, {
    ...(envelope ? { envelope } : {}),
    details: { pointer },
  });
}

/** RFC 6901: `~` as `~0`, `/` as `~1`. */
export function pointerOf(segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
