/**
 * Kubernetes admission requests as data: AdmissionReview (admission.k8s.io/v1 and v1beta1) and
 * ImageReview (imagepolicy.k8s.io/v1alpha1) read into the images they would run, and decisions
 * written back as the responses the API server expects. Pure: no I/O, no clock.
 */
export type {
  AdmissionOperation,
  GroupVersionKind,
  GroupVersionResource,
  ParsedAdmissionReview,
} from './admission-review.js';
export {
  ADMISSION_OPERATIONS,
  MAX_OBJECT_DEPTH,
  parseAdmissionReview,
  readEnvelope,
} from './admission-review.js';
export type { AdmissionReviewErrorCode, AdmissionReviewVersion, ReviewEnvelope } from './errors.js';
export { ADMISSION_REVIEW_VERSIONS, AdmissionError } from './errors.js';
export type { ImageReviewAnswer, ParsedImageReview } from './image-review.js';
export { IMAGE_REVIEW_VERSION, imageReviewResponse, parseImageReview } from './image-review.js';
export type { ContainerList, ImageAt } from './pod-images.js';
export {
  CONTAINER_LISTS,
  MAX_CONTAINERS,
  MAX_IMAGE_LENGTH,
  POD_SPEC_PATHS,
  pointerOf,
} from './pod-images.js';
export type {
  AdmissionResponseBody,
  AdmissionResponseOptions,
  AdmissionReviewAnswer,
  JsonPatchOp,
} from './response.js';
export {
  AUDIT_ANNOTATION_KEY,
  admissionResponse,
  decisionWord,
  digestPinPatch,
  digestsByPointer,
  invalidReviewResponse,
  MAX_MESSAGE_LENGTH,
  MAX_WARNING_LENGTH,
  MAX_WARNINGS,
} from './response.js';
