import { CustodyError } from '../core/errors.js';

/** HTTP status for each code a user can cause; anything else is a 500 and a bug. */
const STATUS: Readonly<Record<string, number>> = {
  AUTH_TOKEN_MISSING: 401,
  AUTH_TOKEN_INVALID: 401,
  AUTH_FORBIDDEN: 403,
  INVENTORY_NOT_FOUND: 404,
  NOT_FOUND: 404,
  INPUT_TOO_LARGE: 413,
  REQUEST_UNSUPPORTED_MEDIA_TYPE: 415,
  SBOM_GATE_FAILED: 422,
  SBOM_SCHEMA_INVALID: 422,
  SBOM_SUBJECT_MISMATCH: 422,
  STORE_UNAVAILABLE: 503,
  TLOG_ENTRY_NOT_FOUND: 404,
  TLOG_ENTRY_TOO_LARGE: 413,
  TLOG_ENTRY_SIGNATURE_INVALID: 422,
  TLOG_RATE_LIMITED: 429,
  SIGN_TOKEN_INVALID: 401,
  SIGN_SERVICE_FAILED: 503,
};

export function statusOf(code: string): number {
  return STATUS[code] ?? 400;
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
