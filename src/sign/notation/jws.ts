import type { KeyObject } from 'node:crypto';
import { isNotationAlgorithm, type NotationAlgorithm, signWith } from './algorithm.js';
import {
  assertEnvelopeSize,
  checkTimes,
  type ExtendedAttribute,
  isScheme,
  LIMITS,
  MEDIA_TYPE_JWS,
  malformed,
  type NotationEnvelope,
  type SigningScheme,
} from './envelope.js';
import { NotationError } from './errors.js';

/** signature-envelope-jws: the headers with a meaning of their own (not extended attributes). */
const KNOWN_PROTECTED = new Set([
  'alg',
  'cty',
  'crit',
  'io.cncf.notary.signingScheme',
  'io.cncf.notary.signingTime',
  'io.cncf.notary.authenticSigningTime',
  'io.cncf.notary.expiry',
]);
const TOP_LEVEL = new Set(['payload', 'protected', 'header', 'signature']);
const B64URL = /^[A-Za-z0-9_-]*$/;
const B64 = /^[A-Za-z0-9+/]*={0,2}$/;
// RFC 3339 date-time (time-secfrac allowed though discouraged).
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Reads a JWS JSON Serialization (flattened) envelope (untrusted).
 * @throws NotationError SIGN_NOTATION_ENVELOPE_MALFORMED, SIGN_NOTATION_ENVELOPE_TOO_LARGE,
 *   SIGN_NOTATION_ALGORITHM_UNSUPPORTED
 */
export function parseJwsEnvelope(bytes: Uint8Array): NotationEnvelope {
  assertEnvelopeSize(bytes);
  const top = jsonObject(bytes, 'The JWS envelope');
  for (const k of Object.keys(top))
    if (!TOP_LEVEL.has(k))
      throw malformed(
        `The JWS envelope has an unsupported member "${k}" (only the flattened form is allowed).`,
      );
  const protectedB64 = b64urlString(top['protected'], 'protected');
  const payloadB64 = b64urlString(top['payload'], 'payload');
  const signature = fromB64url(b64urlString(top['signature'], 'signature'));
  if (signature.byteLength === 0) throw malformed('The JWS envelope has an empty signature.');
  const h = jsonObject(fromB64url(protectedB64), 'The JWS protected header');
  const alg = h['alg'];
  if (!isNotationAlgorithm(alg))
    throw new NotationError(
      'SIGN_NOTATION_ALGORITHM_UNSUPPORTED',
      `The JWS "alg" ${JSON.stringify(alg)} is not one of PS256, PS384, PS512, ES256, ES384, ES512.`,
    );
  const cty = h['cty'];
  if (typeof cty !== 'string') throw malformed('The JWS protected header has no "cty".');
  const scheme = h['io.cncf.notary.signingScheme'];
  if (!isScheme(scheme)) throw malformed(`Unsupported signing scheme ${JSON.stringify(scheme)}.`);
  const crit = h['crit'];
  if (!Array.isArray(crit) || crit.length === 0 || !crit.every((c) => typeof c === 'string'))
    throw malformed('The JWS protected header needs a non-empty "crit" array of strings.');
  for (const c of crit as string[]) {
    if (c === 'alg' || c === 'cty' || c === 'crit')
      throw malformed(`"crit" must not list the registered header "${c}".`);
    if (!Object.hasOwn(h, c)) throw malformed(`"${c}" is marked critical but not present.`);
  }
  const times = {
    signingTime: time(h['io.cncf.notary.signingTime'], 'signingTime'),
    authenticSigningTime: time(h['io.cncf.notary.authenticSigningTime'], 'authenticSigningTime'),
    expiry: time(h['io.cncf.notary.expiry'], 'expiry'),
  };
  checkTimes(scheme, times, crit as string[]);
  const extendedAttributes: ExtendedAttribute[] = Object.entries(h)
    .filter(([k]) => !KNOWN_PROTECTED.has(k))
    .map(([key, value]) => ({ key, value, critical: (crit as string[]).includes(key) }));
  if (extendedAttributes.length > LIMITS.extendedAttributes)
    throw malformed('The JWS protected header has too many attributes.');
  const header = top['header'] ?? {};
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw malformed('The JWS "header" is not an object.');
  const u = header as Record<string, unknown>;
  const x5c = u['x5c'];
  if (!Array.isArray(x5c) || x5c.length === 0)
    throw malformed('The JWS unprotected header has no "x5c" certificate chain.');
  if (x5c.length > LIMITS.certificates)
    throw malformed(`The certificate chain has over ${LIMITS.certificates} certificates.`);
  const certificateChain = x5c.map((c) => {
    if (typeof c !== 'string' || !B64.test(c)) throw malformed('An "x5c" entry is not base64.');
    return new Uint8Array(Buffer.from(c, 'base64'));
  });
  const ts = u['io.cncf.notary.timestampSignature'];
  if (ts !== undefined && (typeof ts !== 'string' || !B64.test(ts)))
    throw malformed('The timestamp signature is not base64.');
  const agent = u['io.cncf.notary.signingAgent'];
  const env: NotationEnvelope = {
    mediaType: MEDIA_TYPE_JWS,
    alg,
    contentType: cty,
    signingScheme: scheme,
    extendedAttributes,
    payload: fromB64url(payloadB64),
    certificateChain,
    signature,
    signedBytes: new Uint8Array(Buffer.from(`${protectedB64}.${payloadB64}`, 'ascii')),
  };
  if (times.signingTime) env.signingTime = times.signingTime;
  if (times.authenticSigningTime) env.authenticSigningTime = times.authenticSigningTime;
  if (times.expiry) env.expiry = times.expiry;
  if (typeof ts === 'string' && ts.length > 0) {
    if (ts.length > (LIMITS.timestampBytes * 4) / 3)
      throw malformed('The timestamp signature is too large.');
    env.timestampSignature = new Uint8Array(Buffer.from(ts, 'base64'));
  }
  if (typeof agent === 'string') env.signingAgent = agent;
  return env;
}

export interface JwsSignRequest {
  payload: Uint8Array;
  contentType: string;
  signingScheme: SigningScheme;
  /** Signing time, or the authentic signing time under notary.x509.signingAuthority. */
  signingTime: Date;
  expiry?: Date;
  extendedAttributes?: readonly ExtendedAttribute[];
  signingAgent?: string;
  key: KeyObject;
  alg: NotationAlgorithm;
  chain: readonly Uint8Array[];
}

/**
 * Writes a JWS envelope the way notation-core-go does: the protected header's members in
 * lexicographic order (Go marshals a map), times as RFC 3339 without fractional seconds, `crit`
 * listing signingScheme, then critical extended attributes, authenticSigningTime and expiry.
 */
export function signJws(r: JwsSignRequest): Uint8Array {
  const crit: string[] = ['io.cncf.notary.signingScheme'];
  const h: Record<string, unknown> = {
    alg: r.alg,
    cty: r.contentType,
    'io.cncf.notary.signingScheme': r.signingScheme,
  };
  for (const a of r.extendedAttributes ?? []) {
    if (typeof a.key !== 'string' || Object.hasOwn(h, a.key) || KNOWN_PROTECTED.has(a.key))
      throw new NotationError(
        'SIGN_NOTATION_ENVELOPE_MALFORMED',
        `Extended attribute "${String(a.key)}" is not allowed.`,
      );
    h[a.key] = a.value;
    if (a.critical) crit.push(a.key);
  }
  if (r.signingScheme === 'notary.x509') h['io.cncf.notary.signingTime'] = rfc3339(r.signingTime);
  else {
    h['io.cncf.notary.authenticSigningTime'] = rfc3339(r.signingTime);
    crit.push('io.cncf.notary.authenticSigningTime');
  }
  if (r.expiry) {
    h['io.cncf.notary.expiry'] = rfc3339(r.expiry);
    crit.push('io.cncf.notary.expiry');
  }
  h['crit'] = crit;
  const sorted = Object.fromEntries(
    Object.keys(h)
      .sort()
      .map((k) => [k, h[k]]),
  );
  const protectedB64 = Buffer.from(JSON.stringify(sorted)).toString('base64url');
  const payloadB64 = Buffer.from(r.payload).toString('base64url');
  const signature = signWith(r.alg, r.key, Buffer.from(`${protectedB64}.${payloadB64}`, 'ascii'));
  const header: Record<string, unknown> = {
    x5c: r.chain.map((c) => Buffer.from(c).toString('base64')),
  };
  if (r.signingAgent) header['io.cncf.notary.signingAgent'] = r.signingAgent;
  const env = {
    payload: payloadB64,
    protected: protectedB64,
    header,
    signature: Buffer.from(signature).toString('base64url'),
  };
  return new Uint8Array(Buffer.from(JSON.stringify(env)));
}

export function rfc3339(d: Date): string {
  return `${new Date(Math.floor(d.getTime() / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

function jsonObject(bytes: Uint8Array, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw malformed(`${what} is not JSON.`, e);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw malformed(`${what} is not a JSON object.`);
  return v as Record<string, unknown>;
}

function b64urlString(v: unknown, name: string): string {
  if (typeof v !== 'string' || !B64URL.test(v))
    throw malformed(`The JWS "${name}" is not base64url.`);
  return v;
}

const fromB64url = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));

function time(v: unknown, name: string): Date | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !RFC3339.test(v))
    throw malformed(`"${name}" is not an RFC 3339 date-time.`);
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) throw malformed(`"${name}" is not a valid date-time.`);
  return d;
}
