import { createHash } from 'node:crypto';
import {
  AdmissionError,
  type AdmissionResponseOptions,
  type AdmissionReviewAnswer,
  admissionResponse,
  type ImageAt,
  type ImageReviewAnswer,
  imageReviewResponse,
  invalidReviewResponse,
  type ParsedAdmissionReview,
  type ParsedImageReview,
  parseAdmissionReview,
  parseImageReview,
  type ReviewEnvelope,
} from '../../admission/review/index.js';
import type { AdmissionDecision, ClusterIdentity } from '../../admission/types.js';
import { isOciError, parseImageReference } from '../../oci/index.js';

/**
 * What the webhook's HTTP face (server/admission/) calls: one call per request, the body as it
 * arrived. Implemented by the composition of admission (admit.ts).
 */
export interface AdmissionFace {
  /**
   * Who called: the cluster a verified client certificate (its SHA-256 fingerprint, see
   * `certificateFingerprint`) or the webhook kubeconfig's bearer token belongs to. Never throws
   * for an unknown caller: it is `{ known: false }` and still gets a decision.
   */
  identify(c: { certFingerprint?: string; bearerToken?: string }): Promise<ClusterIdentity>;
  /**
   * An AdmissionReview in, an AdmissionReview out (mutate: pin tags to digests as well).
   * A review whose uid is readable but whose object is not is answered with a denial
   * (`answerAdmissionReview` does this).
   * @throws AdmissionError (no readable uid: answered 400 with the coded body)
   */
  review(body: unknown, who: ClusterIdentity, o: ReviewCallOptions): Promise<unknown>;
  /**
   * An ImageReview in, an ImageReview out.
   * @throws AdmissionError (malformed: answered 400, the plugin's defaultAllow then applies)
   */
  imageReview(body: unknown, who: ClusterIdentity): Promise<unknown>;
}

export interface ReviewCallOptions {
  /** The mutating webhook: pin each admitted tag to its digest as well. */
  mutate: boolean;
  /**
   * How long the API server waits for the answer (the `?timeout=` it appends to the webhook's
   * URL), when it said: past it the API server applies the webhook's failurePolicy instead, so
   * a decision should be taken (degraded if need be) within it.
   */
  timeoutMs?: number;
}

/** What a review came to, with what the response needs besides the decision. */
export interface ReviewOutcome extends AdmissionResponseOptions {
  decision: AdmissionDecision;
}

/**
 * The frame of `AdmissionFace.review`: parse, decide, answer. A review whose uid was readable
 * but whose object was not is answered with a denial (and `onInvalid` is told, to record it
 * with reason `request-invalid`); one without a readable uid throws.
 * @throws AdmissionError without `envelope`
 */
export async function answerAdmissionReview(
  body: unknown,
  decide: (review: ParsedAdmissionReview) => Promise<ReviewOutcome>,
  onInvalid?: (envelope: ReviewEnvelope, error: AdmissionError) => Promise<void>,
): Promise<AdmissionReviewAnswer> {
  let review: ParsedAdmissionReview;
  try {
    review = parseAdmissionReview(body);
  } catch (e) {
    if (!(e instanceof AdmissionError) || e.envelope === undefined) throw e;
    await onInvalid?.(e.envelope, e);
    return invalidReviewResponse(e.envelope, e);
  }
  const { decision, ...o } = await decide(review);
  return admissionResponse(review, decision, o);
}

/**
 * The frame of `AdmissionFace.imageReview`: parse, decide, answer.
 * @throws AdmissionError (a malformed ImageReview has no uid to deny: it is refused)
 */
export async function answerImageReview(
  body: unknown,
  decide: (review: ParsedImageReview) => Promise<Pick<ReviewOutcome, 'decision' | 'exceptions'>>,
): Promise<ImageReviewAnswer> {
  const { decision, exceptions } = await decide(parseImageReview(body));
  return imageReviewResponse(decision, exceptions ? { exceptions } : {});
}

/**
 * The decision to record for a review answered by `invalidReviewResponse`: denied with reason
 * `request-invalid`, whatever the mode (a request Custody cannot read is never let through).
 */
export function requestInvalidDecision(
  envelope: ReviewEnvelope,
  error: { code: string; message: string },
  who: ClusterIdentity,
  at: Date,
): AdmissionDecision {
  return {
    uid: envelope.uid,
    api: 'admission-review',
    ...(who.known ? { cluster: who.cluster } : {}),
    namespace: '',
    workload: '',
    operation: '',
    dryRun: false,
    mode: 'enforce',
    modeSource: 'default',
    allowed: false,
    images: [],
    degraded: false,
    warnings: [],
    message: `${error.code}: ${error.message}`,
    at: at.toISOString(),
  };
}

/**
 * Images whose reference breaks the distribution grammar (oci/'s parseImageReference), each with
 * what is wrong: the engine answers them with reason `request-invalid` instead of resolving them.
 */
export function referenceProblems(
  images: readonly ImageAt[],
): { image: string; pointer: string; message: string }[] {
  const out: { image: string; pointer: string; message: string }[] = [];
  for (const i of images) {
    try {
      parseImageReference(i.image);
    } catch (e) {
      if (!isOciError(e)) throw e;
      out.push({ image: i.image, pointer: i.pointer, message: e.message });
    }
  }
  return out;
}

/**
 * A client certificate's identity as clusters are registered with it: the SHA-256 of its DER
 * bytes in lowercase hex (what `openssl x509 -noout -fingerprint -sha256` prints, without colons).
 */
export function certificateFingerprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('hex');
}

/**
 * A fingerprint as an administrator may write it (`AB:CD:…`, `sha256:abcd…`) in the form
 * `certificateFingerprint` returns; undefined when it is not a SHA-256 fingerprint.
 */
export function normalizeFingerprint(s: string): string | undefined {
  const hex = s
    .trim()
    .replace(/^sha256:/i, '')
    .replace(/:/g, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}
