import type { AccessErrorCode } from '../access/index.js';
import type { AdmissionGovernanceErrorCode } from '../admission/governance-errors.js';
import type { AdmissionReviewErrorCode } from '../admission/review/index.js';
import type { AdmissionRecordsErrorCode } from '../app/admission/records/index.js';
import type { AuditTrailErrorCode } from '../app/audit/errors.js';
import type { LogLaterErrorCode } from '../app/log-later/errors.js';
import type { LoginErrorCode } from '../app/login/errors.js';
import type { PolicyServiceErrorCode } from '../app/policy/index.js';
import type { ProvenanceServiceErrorCode } from '../app/provenance/errors.js';
import type { FallbackSignerErrorCode } from '../app/sign/fallback-signer.js';
import type { TlogReportErrorCode } from '../app/tlog-follow/reporters.js';
import type { TriggerIntakeErrorCode } from '../app/triggers/index.js';
import type { VexPublicationErrorCode } from '../app/vex/errors.js';
import type { VulnServiceErrorCode } from '../app/vulnerabilities/errors.js';
import type { CoreErrorCode } from '../core/index.js';
import { CustodyError } from '../core/index.js';
import type { VersErrorCode } from '../core/vers/index.js';
import type { EvidenceErrorCode } from '../evidence/index.js';
import type {
  OsvErrorCode,
  ProvenanceBuildErrorCode,
  VexFormatErrorCode,
} from '../formats/index.js';
import type { SlsaErrorCode } from '../formats/slsa/index.js';
import type { InventoryErrorCode } from '../inventory/index.js';
import type { KpiErrorCode } from '../kpi/index.js';
import type { NetErrorCode } from '../net/http.js';
import type { OidcProviderErrorCode } from '../net/oidc-provider.js';
import type { OciErrorCode } from '../oci/index.js';
import type { PolicyErrorCode, SlsaLevelErrorCode } from '../policy/index.js';
import type { SbomErrorCode } from '../sbom/index.js';
import type { NotationErrorCode, SignErrorCode } from '../sign/index.js';
import type { StoreErrorCode } from '../store/errors.js';
import type { TlogErrorCode } from '../tlog/index.js';
import type { TriggerErrorCode } from '../triggers/index.js';
import type { VexLifecycleErrorCode } from '../vex/index.js';
import type { VulnErrorCode } from '../vuln/index.js';

/** Codes only the HTTP face answers with (Fastify's own refusals, a missing bearer token). */
export type ServerErrorCode =
  | 'AUTH_TOKEN_MISSING'
  | 'NOT_FOUND'
  | 'REQUEST_INVALID'
  | 'REQUEST_UNSUPPORTED_MEDIA_TYPE'
  /** The request (headers and body) did not arrive within the time-out. */
  | 'REQUEST_TIMEOUT'
  /** The request's headers are over Node's header size limit (answered before Fastify sees it). */
  | 'REQUEST_HEADERS_TOO_LARGE'
  /** A path parameter is longer than the router takes. */
  | 'REQUEST_URI_TOO_LONG'
  /** The URL is not well-formed (bad percent-encoding). */
  | 'REQUEST_URL_INVALID';

/**
 * Every code a request can fail with: the union of each domain's code union. A new domain adds
 * its union here (access/'s AUTH_* codes, net/'s, vuln/'s, …); the compiler then asks for a
 * status for each of its codes that no suffix rule below covers.
 */
export type AllErrorCodes =
  | CoreErrorCode
  | AccessErrorCode
  | AdmissionReviewErrorCode
  | NetErrorCode
  | VersErrorCode
  | SbomErrorCode
  | InventoryErrorCode
  | StoreErrorCode
  | TlogErrorCode
  | SignErrorCode
  | NotationErrorCode
  | OsvErrorCode
  | VulnErrorCode
  | TriggerErrorCode
  | VexLifecycleErrorCode
  | VexFormatErrorCode
  | VulnServiceErrorCode
  | VexPublicationErrorCode
  | TriggerIntakeErrorCode
  | ProvenanceBuildErrorCode
  | OciErrorCode
  | SlsaErrorCode
  | ProvenanceServiceErrorCode
  | SlsaLevelErrorCode
  | PolicyErrorCode
  | PolicyServiceErrorCode
  | AdmissionRecordsErrorCode
  | LogLaterErrorCode
  | FallbackSignerErrorCode
  | AdmissionGovernanceErrorCode
  | LoginErrorCode
  | OidcProviderErrorCode
  | EvidenceErrorCode
  | AuditTrailErrorCode
  | KpiErrorCode
  | TlogReportErrorCode
  | ServerErrorCode;

export type HttpStatus =
  | 400
  | 401
  | 403
  | 404
  | 408
  | 409
  | 413
  | 414
  | 415
  | 422
  | 429
  | 431
  | 500
  | 502
  | 503;

/** Status by the code's suffix, the rule for most codes (suffixes do not overlap). */
const SUFFIX_STATUS = {
  _NOT_FOUND: 404,
  _CONFLICT: 409,
  _TOO_LARGE: 413,
  _RATE_LIMITED: 429,
  _UNAVAILABLE: 503,
  _SERVICE_FAILED: 503,
  _FORBIDDEN: 403,
  _INVALID: 400,
  _MALFORMED: 400,
  _MISMATCH: 400,
  _PARSE: 400,
  _UNSUPPORTED: 400,
  _UNREADABLE: 400,
} as const satisfies Record<`_${string}`, HttpStatus>;

type Suffix = keyof typeof SUFFIX_STATUS;

/** The codes of `C` that a suffix rule maps. */
export type RuledCode<C extends string> = Extract<C, `${string}${Suffix}`>;

/**
 * Explicit statuses: required for every code no suffix rule maps, allowed for a ruled code whose
 * status differs from its rule. A code in neither place does not compile.
 */
export type StatusOverrides<C extends string> = Record<Exclude<C, RuledCode<C>>, HttpStatus> &
  Partial<Record<RuledCode<C>, HttpStatus>>;

const OVERRIDES = {
  // No suffix rule: bad input, 400.
  USAGE: 400,
  INPUT_TOO_DEEP: 400,
  VERS_NON_CANONICAL: 400,
  SBOM_NOTHING_TO_CATALOG: 400,
  SBOM_FORMAT_UNKNOWN: 400,
  IMAGE_PATH_ESCAPE: 400,
  SIGN_CERTIFICATE_EXPIRED: 400,
  SIGN_EMERGENCY_CERTIFICATE: 400,
  TLOG_NOTE_UNVERIFIED: 400,
  TLOG_CHECKPOINT_INCONSISTENT: 400,
  TLOG_CHECKPOINT_NOT_ARCHIVED: 400,
  TLOG_WITNESS_REFUSED: 400,
  OSV_RECORD_TOO_DEEP: 400,
  VULN_NO_ADVISORIES: 400,
  PROVENANCE_CI_VARIABLE_MISSING: 400,
  // No suffix rule, other statuses.
  NOT_FOUND: 404,
  AUTH_TOKEN_MISSING: 401,
  AUTH_SAME_PERSON: 403,
  REQUEST_UNSUPPORTED_MEDIA_TYPE: 415,
  REQUEST_TIMEOUT: 408,
  REQUEST_URI_TOO_LONG: 414,
  SBOM_GATE_FAILED: 422,
  // An emergency certificate for an identity the team does not trust to sign.
  SIGN_IDENTITY_NOT_ADMITTED: 403,
  // Too late to approve: the request must be made again.
  SIGN_EMERGENCY_REQUEST_EXPIRED: 409,
  SBOM_BUNDLE_UNVERIFIED: 422,
  SBOM_SIGNER_NOT_ADMITTED: 422,
  // The server's own failures, not the caller's: its database could not be migrated, or a blob
  // it stored is gone or damaged (500); another log it reads from failed or sent too much (502).
  STORE_MIGRATION_FAILED: 500,
  BLOB_MISSING: 500,
  BLOB_CORRUPT: 500,
  TLOG_FETCH_FAILED: 502,
  TLOG_FETCH_TOO_LARGE: 502,
  // Ruled codes whose status differs from their suffix's.
  AUTH_TOKEN_INVALID: 401,
  // An upstream that did not answer (the JWKS of an OIDC issuer, a witness, another log).
  NET_UNREACHABLE: 503,
  NET_TIMEOUT: 503,
  NET_CIRCUIT_OPEN: 503,
  SIGN_TOKEN_INVALID: 401,
  // A webhook delivery whose HMAC signature or token does not match the configured secret.
  WEBHOOK_SIGNATURE_INVALID: 401,
  SBOM_SCHEMA_INVALID: 422,
  // A VEX document that parses but breaks its schema, its profile or its vocabularies.
  VEX_SCHEMA_INVALID: 422,
  VEX_PROFILE_INVALID: 422,
  VEX_STATUS_INVALID: 422,
  VEX_JUSTIFICATION_INVALID: 422,
  VEX_WRITE_INVALID: 422,
  VEX_FORMAT_UNKNOWN: 400,
  SBOM_SUBJECT_MISMATCH: 422,
  TLOG_ENTRY_SIGNATURE_INVALID: 422,
  FILE_NOT_FOUND: 400,
  VERS_TOO_LARGE: 400,
  REQUEST_HEADERS_TOO_LARGE: 431,
  // VEX lifecycle: a status change the table refuses conflicts with the statement's state; a
  // judgment needs a second person; evidence that does not show the fix is unprocessable.
  VEX_TRANSITION_INVALID: 409,
  VEX_APPROVAL_REQUIRED: 403,
  VEX_SAME_PERSON: 403,
  VEX_EVIDENCE_MISMATCH: 422,
  VEX_CONFIDENTIAL: 409,
  // Publications a person signs: too late, done already, or outdated (prepare again) conflict
  // with the publication's state; a bundle that does not verify or whose signer the team does
  // not admit is unprocessable, as for SBOM bundles; a certificate of another person is refused.
  VEX_PUBLICATION_EXPIRED: 409,
  VEX_PUBLICATION_COMPLETED: 409,
  VEX_PUBLICATION_STALE: 409,
  VEX_BUNDLE_UNVERIFIED: 422,
  VEX_SIGNER_NOT_ADMITTED: 422,
  VEX_SIGNER_NOT_CALLER: 403,
  // A webhook that no secret is set for: unauthenticated.
  WEBHOOK_NOT_CONFIGURED: 401,
  // An OCI registry that refused the configured credentials, or answered with bytes that are not
  // what they claim, too many of them, garbage or a redirect off its host: the upstream failed.
  OCI_AUTH_FAILED: 502,
  OCI_DIGEST_MISMATCH: 502,
  OCI_RESPONSE_TOO_LARGE: 502,
  OCI_RESPONSE_INVALID: 502,
  OCI_REDIRECT_FORBIDDEN: 502,
  // The service's own registry credentials cannot be read.
  OCI_CREDENTIALS_INVALID: 500,
  SLSA_TOO_DEEP: 400,
  // Release evidence: an attestation that does not verify, whose signer the team does not admit,
  // or that is about another artifact is unprocessable, as for SBOM bundles; so is a supplier's
  // provenance below the level required.
  ATTESTATION_BUNDLE_UNVERIFIED: 422,
  ATTESTATION_SIGNER_NOT_ADMITTED: 422,
  ATTESTATION_SUBJECT_MISMATCH: 422,
  SLSA_LEVEL_BELOW_REQUIRED: 422,
  // A policy that is well-formed but cannot be run: its CEL does not compile, or it could cost
  // more than the limits allow.
  POLICY_COMPILE_FAILED: 422,
  POLICY_TOO_COSTLY: 422,
  // An admission object nested deeper than any Kubernetes object: bad input.
  ADMISSION_REVIEW_TOO_DEEP: 400,
  // The log answered `custody log upload` with an entry that does not verify against its key.
  LOG_LATER_ENTRY_UNVERIFIED: 502,
  // A mode override asked to last longer than 72 h: bad input.
  ADMISSION_OVERRIDE_TOO_LONG: 400,
  // Dashboard login: no provider configured; the provider declined the person, or no grant lets
  // them in; an ID token that does not verify; the provider failed (502) or refused the code.
  LOGIN_NOT_CONFIGURED: 404,
  LOGIN_PROVIDER_REFUSED: 403,
  LOGIN_NOT_GRANTED: 403,
  LOGIN_ID_TOKEN_INVALID: 401,
  LOGIN_PROVIDER_FAILED: 502,
  LOGIN_CODE_REFUSED: 400,
  // Evidence cannot be signed and proven: the service runs without its log and signing key.
  EVIDENCE_UNAVAILABLE: 503,
} as const satisfies StatusOverrides<AllErrorCodes>;

const OVERRIDE_STATUS: Readonly<Record<string, HttpStatus>> = OVERRIDES;
const SUFFIXES = Object.entries(SUFFIX_STATUS) as [Suffix, HttpStatus][];

/**
 * The HTTP status of a code: its override, else its suffix's rule. A code outside
 * AllErrorCodes (one relayed from elsewhere) answers 400, as bad input.
 */
export function statusOf(code: AllErrorCodes | (string & {})): HttpStatus {
  const override = OVERRIDE_STATUS[code];
  if (override !== undefined) return override;
  for (const [suffix, status] of SUFFIXES) if (code.endsWith(suffix)) return status;
  return 400;
}

/** The one error body every endpoint answers with. */
export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export function errorBody(code: string, message: string, details?: unknown): ErrorBody {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

/** Map what Fastify itself rejects (body too large, bad JSON, schema) onto Custody's codes. */
export function fromFastifyError(e: {
  code?: string;
  message: string;
  statusCode?: number;
  validation?: unknown;
}): { status: number; body: ErrorBody } | undefined {
  if (e instanceof CustodyError) {
    return { status: statusOf(e.code), body: errorBody(e.code, e.message, e.details) };
  }
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return {
        status: 413,
        body: errorBody(
          'INPUT_TOO_LARGE',
          "The request body is over this endpoint's size limit; send a smaller document",
        ),
      };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return {
        status: 415,
        body: errorBody(
          'REQUEST_UNSUPPORTED_MEDIA_TYPE',
          `${e.message}; see /openapi.json for what this endpoint takes`,
        ),
      };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { status: 400, body: errorBody('JSON_PARSE', 'The request body is not valid JSON') };
    case 'FST_ERR_VALIDATION':
      return { status: 400, body: errorBody('REQUEST_INVALID', e.message) };
  }
  if (e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, body: errorBody('REQUEST_INVALID', e.message) };
  }
  return undefined;
}
