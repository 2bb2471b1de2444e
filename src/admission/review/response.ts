import { stripDigest } from '../image-pattern.js';
import type { ActiveException, AdmissionDecision, ImageEffect } from '../types.js';
import type { ReviewEnvelope } from './errors.js';
import type { ImageAt } from './pod-images.js';

/** RFC 6902; Custody only replaces image fields. */
export interface JsonPatchOp {
  op: 'replace';
  path: string;
  value: string;
}

/** admission.k8s.io/v1 AdmissionResponse, as Custody fills it. */
export interface AdmissionResponseBody {
  uid: string;
  allowed: boolean;
  status?: { code: number; reason: string; message: string };
  warnings?: string[];
  auditAnnotations?: Record<string, string>;
  patchType?: 'JSONPatch';
  patch?: string;
}

export interface AdmissionReviewAnswer {
  apiVersion: ReviewEnvelope['apiVersion'];
  kind: 'AdmissionReview';
  response: AdmissionResponseBody;
}

export interface AdmissionResponseOptions {
  /** Mutating webhook: tags pinned to digests (`digestPinPatch`); sent only when allowed. */
  patch?: readonly JsonPatchOp[];
  /** The exceptions the decision applied, for their expiry in the audit annotations. */
  exceptions?: readonly Pick<ActiveException, 'id' | 'expiresAt'>[];
}

/**
 * Kubernetes asks for warnings of at most 120 characters and truncates those over 256 and long
 * lists; the API server relays them as HTTP Warning headers, which take no control characters.
 */
export const MAX_WARNING_LENGTH = 256;
export const MAX_WARNINGS = 20;
/** The denial message is shown to whoever applied the object; past this it only hides the start. */
export const MAX_MESSAGE_LENGTH = 4096;
const MAX_ANNOTATION_VALUE = 4096;

/**
 * The API server prefixes each audit annotation key with the webhook's name (`<name>/<key>`) and
 * drops the annotation unless the result is a qualified name: so a key is a name part of one.
 */
export const AUDIT_ANNOTATION_KEY = /^(?=.{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/**
 * The AdmissionReview answering `review` with `decision`, in the review's own apiVersion.
 * Denied: status 403 Forbidden with the decision's message (what is missing). Allowed: the
 * decision's warnings (warn mode, exceptions). Audit annotations say what the decision came to
 * (`decision`: deny, warn, audit, allow-by-exception, allow), which policy rules failed, which
 * images were denied or audited, the exceptions applied and their expiry, and whether it was
 * taken in degraded mode; a clean allow carries none.
 */
export function admissionResponse(
  review: ReviewEnvelope,
  decision: AdmissionDecision,
  o: AdmissionResponseOptions = {},
): AdmissionReviewAnswer {
  const response: AdmissionResponseBody = { uid: review.uid, allowed: decision.allowed };
  if (!decision.allowed) {
    response.status = {
      code: 403,
      reason: 'Forbidden',
      message: clip(decision.message ?? denialMessage(decision), MAX_MESSAGE_LENGTH),
    };
  }
  const warnings = boundedWarnings(decision.warnings);
  if (warnings.length > 0) response.warnings = warnings;
  const annotations = auditAnnotations(decision, o.exceptions ?? []);
  if (annotations) response.auditAnnotations = annotations;
  if (decision.allowed && o.patch && o.patch.length > 0) {
    response.patchType = 'JSONPatch';
    response.patch = Buffer.from(JSON.stringify(o.patch), 'utf8').toString('base64');
  }
  return { apiVersion: review.apiVersion, kind: 'AdmissionReview', response };
}

/**
 * The answer to a review whose uid was readable but whose object was not: a denial (400 Bad
 * Request in the status), so that a malformed object is never let through by the webhook's
 * failurePolicy or by a silent allow.
 */
export function invalidReviewResponse(
  review: ReviewEnvelope,
  error: { code: string; message: string },
): AdmissionReviewAnswer {
  return {
    apiVersion: review.apiVersion,
    kind: 'AdmissionReview',
    response: {
      uid: review.uid,
      allowed: false,
      status: {
        code: 400,
        reason: 'BadRequest',
        message: clip(
          `Custody could not read this request (${error.code}): ${error.message}`,
          MAX_MESSAGE_LENGTH,
        ),
      },
      auditAnnotations: { decision: 'deny', reason: 'request-invalid', error: error.code },
    },
  };
}

/**
 * RFC 6902 operations pinning each image to the digest it resolved to, for the mutating webhook.
 * `resolved` maps an image's pointer to its digest (`sha256:…`, appended to the reference as
 * written, tag kept for people to read) or to a whole digest reference (used as it is). Images
 * already pinned to that digest, and images not in `resolved`, are left alone.
 */
export function digestPinPatch(
  images: readonly ImageAt[],
  resolved: ReadonlyMap<string, string>,
): JsonPatchOp[] {
  const ops: JsonPatchOp[] = [];
  for (const img of images) {
    const to = resolved.get(img.pointer);
    if (to === undefined) continue;
    const value = /^sha256:[0-9a-f]{64}$/.test(to) ? `${stripDigest(img.image)}@${to}` : to;
    if (value !== img.image) ops.push({ op: 'replace', path: img.pointer, value });
  }
  return ops;
}

/** What the decision came to as one word, the most telling effect first. */
export function decisionWord(d: AdmissionDecision): 'deny' | ImageEffect {
  if (!d.allowed) return 'deny';
  const effects = new Set(d.images.map((i) => i.effect));
  for (const e of ['warn', 'audit', 'allow-by-exception'] as const) if (effects.has(e)) return e;
  return 'allow';
}

function auditAnnotations(
  d: AdmissionDecision,
  exceptions: readonly Pick<ActiveException, 'id' | 'expiresAt'>[],
): Record<string, string> | undefined {
  const word = decisionWord(d);
  const out: Record<string, string> = { decision: word };
  const judged = d.images.filter(
    (i) => i.effect === 'deny' || i.effect === 'warn' || i.effect === 'audit',
  );
  const rules = unique(
    judged.flatMap((i) =>
      i.failedRules && i.failedRules.length > 0
        ? i.failedRules
        : [i.policy?.name ?? i.reason ?? 'unknown'],
    ),
  );
  if (rules.length > 0) out['policy'] = rules.join(',');
  // Which images a denial or an audit is about; a warning names them itself.
  const named = d.images.filter((i) => i.effect === (word === 'deny' ? 'deny' : 'audit'));
  if ((word === 'deny' || word === 'audit') && named.length > 0)
    out['image'] = unique(named.map((i) => i.image)).join(',');
  const ids = unique(d.images.flatMap((i) => (i.exceptionId ? [i.exceptionId] : [])));
  if (ids.length > 0) {
    out['exception'] = ids.join(',');
    const expiries = ids.map((id) => exceptions.find((e) => e.id === id)?.expiresAt);
    if (expiries.every((e) => e !== undefined)) out['exceptionExpires'] = expiries.join(',');
  }
  if (d.modeSource === 'override' && d.overrideId) out['override'] = d.overrideId;
  if (d.degraded) {
    const marks = unique(
      d.images.flatMap((i) => (i.degraded ? [`${i.degraded.upstream}:${i.degraded.via}`] : [])),
    );
    out['degraded'] = marks.length > 0 ? marks.join(',') : 'true';
  }
  if (Object.keys(out).length === 1 && word === 'allow') return undefined;
  for (const k of Object.keys(out)) out[k] = clip(out[k] as string, MAX_ANNOTATION_VALUE);
  return out;
}

/** When the decision brings no message of its own: each denied image and why. */
function denialMessage(d: AdmissionDecision): string {
  const denied = d.images.filter((i) => i.effect === 'deny');
  if (denied.length === 0) return 'Denied by Custody';
  return denied.map((i) => `image ${i.image}: ${i.message}`).join('; ');
}

function boundedWarnings(warnings: readonly string[]): string[] {
  const clean = warnings.map((w) => clip(w.replace(/\p{Cc}+/gu, ' '), MAX_WARNING_LENGTH));
  if (clean.length <= MAX_WARNINGS) return clean;
  return [
    ...clean.slice(0, MAX_WARNINGS - 1),
    `and ${clean.length - MAX_WARNINGS + 1} more warnings (see the decision's record)`,
  ];
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 3)}...`;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

/**
 * Pointer → digest for `digestPinPatch`, from the verdicts of a review's images: each image
 * pointer gets the digest its image string resolved to (the same string resolves once).
 */
export function digestsByPointer(
  images: readonly ImageAt[],
  verdicts: readonly { image: string; digest?: string }[],
): Map<string, string> {
  const byImage = new Map<string, string>();
  for (const v of verdicts) if (v.digest !== undefined) byImage.set(v.image, v.digest);
  const out = new Map<string, string>();
  for (const i of images) {
    const d = byImage.get(i.image);
    if (d !== undefined) out.set(i.pointer, d);
  }
  return out;
}
