import { SignError } from '../errors.js';

/** A compact JWS (RFC 7515) split into its parts; nothing in it is trusted yet. */
export interface ParsedJwt {
  header: Readonly<Record<string, unknown>>;
  claims: Readonly<Record<string, unknown>>;
  /** `base64url(header).base64url(payload)`: the bytes the signature covers. */
  signingInput: string;
  signature: Uint8Array;
}

/** Largest token accepted; real ID tokens are a few kilobytes. */
export const MAX_TOKEN_BYTES = 16 * 1024;

/**
 * Splits and decodes an ID token (untrusted). Only JSON-object header and claims are accepted.
 * @throws SignError SIGN_TOKEN_INVALID (details.reason `malformed`)
 */
export function parseJwt(token: string): ParsedJwt {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_BYTES) {
    throw malformed('The ID token is missing or too large.');
  }
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts.every((p) => /^[A-Za-z0-9_-]*$/.test(p))) {
    throw malformed('The ID token is not a compact JWT (three base64url parts).');
  }
  const [h, p, s] = parts as [string, string, string];
  return {
    header: decodeObject(h, 'header'),
    claims: decodeObject(p, 'payload'),
    signingInput: `${h}.${p}`,
    signature: new Uint8Array(Buffer.from(s, 'base64url')),
  };
}

export function base64url(b: Uint8Array | string): string {
  return Buffer.from(b).toString('base64url');
}

function decodeObject(part: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch (e) {
    throw malformed(`The ID token's ${what} is not JSON.`, e);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw malformed(`The ID token's ${what} is not a JSON object.`);
  }
  return v as Record<string, unknown>;
}

function malformed(message: string, cause?: unknown): SignError {
  return new SignError('SIGN_TOKEN_INVALID', message, {
    details: { reason: 'malformed' },
    ...(cause === undefined ? {} : { cause }),
  });
}
