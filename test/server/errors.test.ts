import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoreError } from '../../src/core/index.js';
import {
  type AllErrorCodes,
  fromFastifyError,
  type StatusOverrides,
  statusOf,
} from '../../src/server/errors.js';

/**
 * Every code and the status it answers: the statuses of the untyped table that came before the
 * suffix rules, with the changes issues asked for (STORE_CONFLICT: 400 → 409; the server's own
 * failures STORE_MIGRATION_FAILED, BLOB_* → 500 and TLOG_FETCH_* → 502, not 400). `satisfies`
 * makes the compiler reject this list when a code is added to a union and not listed here.
 */
const EXPECTED = {
  // core
  INPUT_TOO_LARGE: 413,
  INPUT_TOO_DEEP: 400,
  JSON_PARSE: 400,
  PURL_INVALID: 400,
  FILE_NOT_FOUND: 400,
  FILE_UNREADABLE: 400,
  USAGE: 400,
  VERS_INVALID: 400,
  VERS_NON_CANONICAL: 400,
  VERS_SCHEME_UNSUPPORTED: 400,
  VERS_TOO_LARGE: 400,
  VERS_NATIVE_INVALID: 400,
  // sbom, formats
  SBOM_LOCKFILE_PARSE: 400,
  SBOM_NOTHING_TO_CATALOG: 400,
  SBOM_PARSE: 400,
  SBOM_FORMAT_UNKNOWN: 400,
  SBOM_SCHEMA_INVALID: 422,
  SBOM_POLICY_INVALID: 400,
  IMAGE_INVALID: 400,
  IMAGE_PATH_ESCAPE: 400,
  SBOM_CONVERT_UNSUPPORTED: 400,
  VEX_PARSE: 400,
  VEX_FORMAT_UNKNOWN: 400,
  VEX_VERSION_UNSUPPORTED: 400,
  VEX_SCHEMA_INVALID: 422,
  VEX_PROFILE_INVALID: 422,
  VEX_STATUS_INVALID: 422,
  VEX_JUSTIFICATION_INVALID: 422,
  VEX_CONVERT_UNSUPPORTED: 400,
  VEX_WRITE_INVALID: 422,
  // inventory
  INVENTORY_QUERY_INVALID: 400,
  INVENTORY_NOT_FOUND: 404,
  SBOM_GATE_FAILED: 422,
  SBOM_SUBJECT_MISMATCH: 422,
  SBOM_BUNDLE_UNVERIFIED: 422,
  SBOM_SIGNER_NOT_ADMITTED: 422,
  INVENTORY_INPUT_INVALID: 400,
  INVENTORY_CONFLICT: 409,
  AUTH_TOKEN_INVALID: 401,
  NET_UNREACHABLE: 503,
  NET_TIMEOUT: 503,
  NET_CIRCUIT_OPEN: 503,
  AUTH_FORBIDDEN: 403,
  AUTH_SAME_PERSON: 403,
  // store
  STORE_UNAVAILABLE: 503,
  STORE_MIGRATION_FAILED: 500,
  STORE_CONFLICT: 409,
  BLOB_MISSING: 500,
  BLOB_CORRUPT: 500,
  // tlog
  TLOG_PROOF_INVALID: 400,
  TLOG_RANGE_INVALID: 400,
  TLOG_NOTE_MALFORMED: 400,
  TLOG_NOTE_UNVERIFIED: 400,
  TLOG_CHECKPOINT_MALFORMED: 400,
  TLOG_CHECKPOINT_ORIGIN_MISMATCH: 400,
  TLOG_CHECKPOINT_INCONSISTENT: 400,
  TLOG_ORIGIN_MISMATCH: 400,
  TLOG_RATE_LIMITED: 429,
  TLOG_KEY_INVALID: 400,
  TLOG_TILE_INVALID: 400,
  TLOG_ENTRY_MALFORMED: 400,
  TLOG_ENTRY_SIGNATURE_INVALID: 422,
  TLOG_ENTRY_TOO_LARGE: 413,
  TLOG_ENTRY_NOT_FOUND: 404,
  TLOG_WITNESS_REFUSED: 400,
  TLOG_FETCH_FAILED: 502,
  TLOG_FETCH_TOO_LARGE: 502,
  TLOG_ARCHIVE_INVALID: 400,
  TLOG_CHECKPOINT_NOT_ARCHIVED: 400,
  // sign
  SIGN_KEY_INVALID: 400,
  SIGN_BUNDLE_MALFORMED: 400,
  SIGN_SIGNATURE_INVALID: 400,
  SIGN_CHAIN_INVALID: 400,
  SIGN_BUNDLE_CHAIN_INVALID: 400,
  SIGN_CERTIFICATE_EXPIRED: 400,
  SIGN_IDENTITY_MISMATCH: 400,
  SIGN_TLOG_INVALID: 400,
  SIGN_TIMESTAMP_INVALID: 400,
  SIGN_SCT_INVALID: 400,
  SIGN_ARTIFACT_MISMATCH: 400,
  SIGN_TLOG_ENTRY_MISMATCH: 400,
  SIGN_INPUT_UNREADABLE: 400,
  SIGN_TRUSTED_ROOT_INVALID: 400,
  SIGN_ATTESTATION_MISMATCH: 400,
  SIGN_TOKEN_INVALID: 401,
  SIGN_CSR_INVALID: 400,
  SIGN_SERVICE_FAILED: 503,
  SIGN_STATEMENT_INVALID: 400,
  SIGN_IDENTITY_LIST_INVALID: 400,
  SIGN_IDENTITY_INVALID: 400,
  SIGN_IDENTITY_NOT_ADMITTED: 403,
  SIGN_EMERGENCY_CERTIFICATE: 400,
  SIGN_EMERGENCY_REQUEST_NOT_FOUND: 404,
  SIGN_EMERGENCY_REQUEST_CONFLICT: 409,
  SIGN_EMERGENCY_REQUEST_EXPIRED: 409,
  // formats/osv and vuln/
  OSV_PARSE: 400,
  OSV_RECORD_INVALID: 400,
  OSV_RECORD_TOO_LARGE: 413,
  OSV_RECORD_TOO_DEEP: 400,
  VULN_CVSS_INVALID: 400,
  VULN_KEV_INVALID: 400,
  VULN_EPSS_INVALID: 400,
  VULN_ECOSYSTEM_UNSUPPORTED: 400,
  VULN_NO_ADVISORIES: 400,
  // triggers
  TRIGGER_EVENT_INVALID: 400,
  TRIGGER_SLA_INVALID: 400,
  WEBHOOK_PAYLOAD_INVALID: 400,
  WEBHOOK_SIGNATURE_INVALID: 401,
  // vex/ (the lifecycle)
  VEX_TRANSITION_INVALID: 409,
  VEX_STATEMENT_INVALID: 400,
  VEX_APPROVAL_REQUIRED: 403,
  VEX_SAME_PERSON: 403,
  VEX_APPROVER_INVALID: 400,
  VEX_EVIDENCE_MISMATCH: 422,
  VEX_CORRECTION_INVALID: 400,
  VEX_SCOPE_CONFLICT: 409,
  VEX_DOCUMENT_VERSION_INVALID: 400,
  VEX_CONFIDENTIAL: 409,
  // publications a person signs (app/vex)
  VEX_PUBLICATION_NOT_FOUND: 404,
  VEX_PUBLICATION_EXPIRED: 409,
  VEX_PUBLICATION_COMPLETED: 409,
  VEX_PUBLICATION_STALE: 409,
  VEX_BUNDLE_UNVERIFIED: 422,
  VEX_SIGNER_NOT_ADMITTED: 422,
  VEX_SIGNER_NOT_CALLER: 403,
  // the service's vulnerability views (app/vulnerabilities)
  VULN_ADVISORY_NOT_FOUND: 404,
  VULN_QUERY_INVALID: 400,
  // trigger intake (app/triggers)
  EVENT_INVALID: 400,
  EVENT_NOT_FOUND: 404,
  EVENT_OVERRIDE_CONFLICT: 409,
  WEBHOOK_NOT_CONFIGURED: 401,
  NOTIFY_WEBHOOK_INVALID: 400,
  REVIEW_SINCE_INVALID: 400,
  SLA_INVALID: 400,
  // policies (policy/, app/policy)
  POLICY_COMPILE_FAILED: 422,
  POLICY_TOO_COSTLY: 422,
  POLICY_TOO_LARGE: 413,
  POLICY_INVALID: 400,
  POLICY_EVIDENCE_INVALID: 400,
  POLICY_ARTIFACT_INVALID: 400,
  POLICY_NOT_FOUND: 404,
  POLICY_VERSION_CONFLICT: 409,
  POLICY_REQUEST_INVALID: 400,
  // the HTTP face's own
  AUTH_TOKEN_MISSING: 401,
  NOT_FOUND: 404,
  REQUEST_INVALID: 400,
  REQUEST_UNSUPPORTED_MEDIA_TYPE: 415,
  REQUEST_TIMEOUT: 408,
  REQUEST_HEADERS_TOO_LARGE: 431,
  REQUEST_URI_TOO_LONG: 414,
  REQUEST_URL_INVALID: 400,
} as const satisfies Record<AllErrorCodes, number>;

describe('statusOf', () => {
  for (const [code, status] of Object.entries(EXPECTED)) {
    it(`${code} → ${status}`, () => assert.equal(statusOf(code), status));
  }

  it('answers 400 for a code outside the unions (relayed from elsewhere)', () => {
    assert.equal(statusOf('SOMETHING_ELSE'), 400);
    assert.equal(statusOf('SERVICE_UNREACHABLE'), 400);
  });

  it('rejects, at compile time, a code that neither a suffix rule nor an override maps', () => {
    const ruledOnly: StatusOverrides<'X_NOT_FOUND'> = {};
    // @ts-expect-error X_ODD has no suffix rule and no override
    const missing: StatusOverrides<'X_NOT_FOUND' | 'X_ODD'> = {};
    assert.deepEqual([ruledOnly, missing], [{}, {}]);
  });
});

describe('fromFastifyError', () => {
  it('maps a CustodyError by its code', () => {
    const e = new CoreError('INPUT_TOO_LARGE', 'too big', { details: { size: 1 } });
    assert.deepEqual(fromFastifyError(e), {
      status: 413,
      body: { error: { code: 'INPUT_TOO_LARGE', message: 'too big', details: { size: 1 } } },
    });
  });

  it("maps Fastify's own refusals onto Custody's codes", () => {
    assert.equal(
      fromFastifyError({ code: 'FST_ERR_CTP_BODY_TOO_LARGE', message: 'x' })?.status,
      413,
    );
    assert.equal(
      fromFastifyError({ code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', message: 'x' })?.body.error.code,
      'REQUEST_UNSUPPORTED_MEDIA_TYPE',
    );
    assert.equal(fromFastifyError({ code: 'FST_ERR_VALIDATION', message: 'x' })?.status, 400);
    assert.equal(fromFastifyError({ message: 'x', statusCode: 405 })?.status, 405);
    assert.equal(fromFastifyError({ message: 'x', statusCode: 500 }), undefined);
  });
});
