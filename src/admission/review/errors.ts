import { CustodyError } from '../../core/index.js';

/**
 * Why an AdmissionReview or ImageReview could not be read. Codes are public API.
 * - ADMISSION_REVIEW_INVALID: not an AdmissionReview (no request, no uid, a field of the wrong
 *   type, an object whose pod spec is not a pod spec).
 * - ADMISSION_REVIEW_UNSUPPORTED: an apiVersion or kind other than admission.k8s.io/v1 or v1beta1
 *   AdmissionReview.
 * - ADMISSION_REVIEW_TOO_LARGE: more containers than one object may carry, or a body over the
 *   webhook's size limit.
 * - ADMISSION_REVIEW_TOO_DEEP: the object nests deeper than any Kubernetes object does.
 * - ADMISSION_IMAGE_INVALID: a container's `image` is missing, not a string, too long or holds
 *   characters no image reference has.
 * - ADMISSION_IMAGE_REVIEW_INVALID: not an imagepolicy.k8s.io/v1alpha1 ImageReview.
 */
export type AdmissionReviewErrorCode =
  | 'ADMISSION_REVIEW_INVALID'
  | 'ADMISSION_REVIEW_UNSUPPORTED'
  | 'ADMISSION_REVIEW_TOO_LARGE'
  | 'ADMISSION_REVIEW_TOO_DEEP'
  | 'ADMISSION_IMAGE_INVALID'
  | 'ADMISSION_IMAGE_REVIEW_INVALID'
  /** An unidentified caller sent more reviews than its rate: it may retry after Retry-After. */
  | 'ADMISSION_RATE_LIMITED';

/** The part of a review that identifies it: enough to answer it, even when the rest is unreadable. */
export interface ReviewEnvelope {
  apiVersion: AdmissionReviewVersion;
  uid: string;
}

export const ADMISSION_REVIEW_VERSIONS = [
  'admission.k8s.io/v1',
  'admission.k8s.io/v1beta1',
] as const;
export type AdmissionReviewVersion = (typeof ADMISSION_REVIEW_VERSIONS)[number];

/**
 * A review that could not be read. When its apiVersion and uid were readable, `envelope` holds
 * them: such a review is answered with a denial (`invalidReviewResponse`), never an HTTP error,
 * so the API server does not fall back to its failurePolicy and nothing is silently allowed.
 */
export class AdmissionError extends CustodyError<AdmissionReviewErrorCode> {
  readonly envelope: ReviewEnvelope | undefined;

  constructor(
    code: AdmissionReviewErrorCode,
    message: string,
    opts: { envelope?: ReviewEnvelope; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(code, message, {
      ...(opts.details ? { details: opts.details } : {}),
      ...(opts.cause !== undefined ? { cause: opts.cause } : {}),
    });
    this.envelope = opts.envelope;
  }
}
