import type { ActiveException, AdmissionDecision } from '../types.js';
import { AdmissionError } from './errors.js';
import { checkImage, type ImageAt, isObject, MAX_CONTAINERS } from './pod-images.js';
import { decisionWord, MAX_MESSAGE_LENGTH } from './response.js';

export const IMAGE_REVIEW_VERSION = 'imagepolicy.k8s.io/v1alpha1';

/**
 * What Custody reads of an ImageReview (imagepolicy.k8s.io/v1alpha1), which the API server's
 * ImagePolicyWebhook admission plugin sends for each pod it admits.
 */
export interface ParsedImageReview {
  namespace: string;
  /** Each container's image; pointers `/spec/containers/<i>/image`. */
  images: ImageAt[];
  /** The pod's `*.image-policy.k8s.io/*` annotations (the plugin sends no others). */
  annotations: Record<string, string>;
}

/** `<something>.image-policy.k8s.io/<name>`: the only annotations ImageReview carries. */
const IMAGE_POLICY_ANNOTATION = /^[A-Za-z0-9.-]+\.image-policy\.k8s\.io\/[A-Za-z0-9._-]+$/;
const MAX_ANNOTATIONS = 64;
const MAX_ANNOTATION_VALUE = 4096;

/**
 * Read an ImageReview. Untrusted input. An ImageReview has no uid to answer to, so a malformed
 * one is refused (HTTP 400): the plugin then applies its `defaultAllow` setting, which a
 * cluster running Custody sets to false.
 * @throws AdmissionError ADMISSION_IMAGE_REVIEW_INVALID, ADMISSION_REVIEW_TOO_LARGE, ADMISSION_IMAGE_INVALID
 */
export function parseImageReview(body: unknown): ParsedImageReview {
  if (
    !isObject(body) ||
    body['apiVersion'] !== IMAGE_REVIEW_VERSION ||
    body['kind'] !== 'ImageReview'
  )
    throw invalid(`The body is not an ${IMAGE_REVIEW_VERSION} ImageReview`, '');
  const spec = body['spec'];
  if (!isObject(spec)) throw invalid('The ImageReview has no spec', '/spec');
  const namespace = spec['namespace'] ?? '';
  if (typeof namespace !== 'string')
    throw invalid('spec.namespace is not a string', '/spec/namespace');
  const containers = spec['containers'] ?? [];
  if (!Array.isArray(containers))
    throw invalid('spec.containers is not a list', '/spec/containers');
  if (containers.length > MAX_CONTAINERS)
    throw new AdmissionError(
      'ADMISSION_REVIEW_TOO_LARGE',
      `The ImageReview has more than ${MAX_CONTAINERS} containers; Custody checks at most that many per pod`,
      { details: { pointer: '/spec/containers', limit: MAX_CONTAINERS } },
    );
  const images = containers.map((c, i): ImageAt => {
    const pointer = `/spec/containers/${i}/image`;
    if (!isObject(c))
      throw invalid(`spec.containers[${i}] is not an object`, `/spec/containers/${i}`);
    return { image: checkImage(c['image'], pointer), pointer, container: '', list: 'containers' };
  });
  return { namespace, images, annotations: imagePolicyAnnotations(spec['annotations']) };
}

export interface ImageReviewAnswer {
  apiVersion: typeof IMAGE_REVIEW_VERSION;
  kind: 'ImageReview';
  status: { allowed: boolean; reason?: string; auditAnnotations?: Record<string, string> };
}

/**
 * The ImageReview answering with `decision`. ImageReview has no warnings: in warn mode they go
 * into the audit annotations, whose keys the plugin prefixes itself
 * (`imagepolicywebhook.image-policy.k8s.io/<key>`).
 */
export function imageReviewResponse(
  decision: AdmissionDecision,
  o: { exceptions?: readonly Pick<ActiveException, 'id' | 'expiresAt'>[] } = {},
): ImageReviewAnswer {
  const status: ImageReviewAnswer['status'] = { allowed: decision.allowed };
  if (!decision.allowed) {
    const denied = decision.images.filter((i) => i.effect === 'deny');
    const reason =
      decision.message ??
      (denied.map((i) => `image ${i.image}: ${i.message}`).join('; ') || 'Denied by Custody');
    status.reason = clip(reason, MAX_MESSAGE_LENGTH);
  }
  const word = decisionWord(decision);
  const annotations: Record<string, string> = {};
  if (word !== 'allow' || decision.degraded) annotations['decision'] = word;
  if (decision.warnings.length > 0)
    annotations['warnings'] = clip(decision.warnings.join('; '), MAX_MESSAGE_LENGTH);
  const ids = [...new Set(decision.images.flatMap((i) => (i.exceptionId ? [i.exceptionId] : [])))];
  if (ids.length > 0) {
    annotations['exception'] = ids.join(',');
    const expiries = ids.map((id) => o.exceptions?.find((e) => e.id === id)?.expiresAt);
    if (expiries.every((e) => e !== undefined))
      annotations['exceptionExpires'] = expiries.join(',');
  }
  if (decision.modeSource === 'override' && decision.overrideId)
    annotations['override'] = decision.overrideId;
  if (decision.degraded) annotations['degraded'] = 'true';
  if (Object.keys(annotations).length > 0) status.auditAnnotations = annotations;
  return { apiVersion: IMAGE_REVIEW_VERSION, kind: 'ImageReview', status };
}

function imagePolicyAnnotations(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) throw invalid('spec.annotations is not a map of strings', '/spec/annotations');
  const out: Record<string, string> = {};
  let n = 0;
  for (const [k, value] of Object.entries(v)) {
    if (!IMAGE_POLICY_ANNOTATION.test(k)) continue;
    if (typeof value !== 'string' || value.length > MAX_ANNOTATION_VALUE)
      throw invalid(
        `spec.annotations[${JSON.stringify(k)}] is not a string of at most ${MAX_ANNOTATION_VALUE} characters`,
        '/spec/annotations',
      );
    if (++n > MAX_ANNOTATIONS)
      throw new AdmissionError(
        'ADMISSION_REVIEW_TOO_LARGE',
        `The ImageReview has more than ${MAX_ANNOTATIONS} image-policy annotations`,
        {
          details: { pointer: '/spec/annotations', limit: MAX_ANNOTATIONS },
        },
      );
    out[k] = value;
  }
  return out;
}

function invalid(message: string, pointer: string): AdmissionError {
  return new AdmissionError('ADMISSION_IMAGE_REVIEW_INVALID', message, { details: { pointer } });
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}
