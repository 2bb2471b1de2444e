import { createPublicKey, type KeyObject } from 'node:crypto';
import { X509Certificate } from '@sigstore/core';
import { SignError } from './errors.js';

/**
 * Sigstore's trusted root (`application/vnd.dev.sigstore.trustedroot+json;version=0.1`, the
 * protobuf-specs TrustedRoot message in its JSON form): the CAs, transparency logs, CT logs and
 * timestamp authorities a verifier trusts, each with the time range it is trusted for. Parsed
 * strictly: a malformed entry rejects the whole root rather than being skipped or widened (a
 * missing `validFor.start` is not "since forever").
 */
export interface TrustedRoot {
  mediaType: string;
  certificateAuthorities: CertificateAuthority[];
  timestampAuthorities: CertificateAuthority[];
  tlogs: TransparencyLogInstance[];
  ctlogs: TransparencyLogInstance[];
}

/** A closed interval: both ends are inclusive (protobuf-specs TimeRange). No end: still valid. */
export interface TimeRange {
  start: Date;
  end?: Date;
}

export interface CertificateAuthority {
  uri: string;
  /** Issuing certificate first, root last, as the trusted root lists them. */
  certChain: X509Certificate[];
  validFor: TimeRange;
}

export interface TransparencyLogInstance {
  baseUrl: string;
  /** SHA-256 of the log's SPKI for Rekor v1 and CT; the signed-note key ID material for Rekor v2. */
  logId: Uint8Array;
  publicKey: KeyObject;
  keyDetails: string;
  validFor: TimeRange;
}

export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';

/**
 * Parse a trusted root from its JSON value.
 * @throws SignError SIGN_TRUSTED_ROOT_INVALID naming the first bad field
 */
export function parseTrustedRoot(json: unknown): TrustedRoot {
  const root = obj(json, 'trusted root');
  const mediaType = str(root.mediaType, 'mediaType');
  if (!mediaType.startsWith('application/vnd.dev.sigstore.trustedroot')) {
    throw invalid(`unknown media type ${JSON.stringify(mediaType)}`);
  }
  return {
    mediaType,
    certificateAuthorities: list(root.certificateAuthorities, 'certificateAuthorities').map(
      (v, i) => parseAuthority(v, `certificateAuthorities[${i}]`),
    ),
    timestampAuthorities: list(root.timestampAuthorities, 'timestampAuthorities').map((v, i) =>
      parseAuthority(v, `timestampAuthorities[${i}]`),
    ),
    tlogs: list(root.tlogs, 'tlogs').map((v, i) => parseLog(v, `tlogs[${i}]`)),
    ctlogs: list(root.ctlogs, 'ctlogs').map((v, i) => parseLog(v, `ctlogs[${i}]`)),
  };
}

/**
 * One root trusting everything any of `roots` trusts (Custody trusts several authorities at once,
 * e.g. its own CA and the public-good instance). Identical entries are kept once.
 */
export function mergeTrustedRoots(roots: readonly TrustedRoot[]): TrustedRoot {
  const seen = new Set<string>();
  const once = <T>(key: (t: T) => string, items: T[]): T[] =>
    items.filter((t) => {
      const k = key(t);
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
  const caKey = (kind: string) => (ca: CertificateAuthority) =>
    `${kind}:${ca.certChain.map((c) => c.root.toDER().toString('base64')).join(',')}:${range(ca.validFor)}`;
  const logKey = (kind: string) => (l: TransparencyLogInstance) =>
    `${kind}:${Buffer.from(l.logId).toString('base64')}:${range(l.validFor)}`;
  return {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    certificateAuthorities: once(
      caKey('ca'),
      roots.flatMap((r) => r.certificateAuthorities),
    ),
    timestampAuthorities: once(
      caKey('tsa'),
      roots.flatMap((r) => r.timestampAuthorities),
    ),
    tlogs: once(
      logKey('tlog'),
      roots.flatMap((r) => r.tlogs),
    ),
    ctlogs: once(
      logKey('ctlog'),
      roots.flatMap((r) => r.ctlogs),
    ),
  };
}

/** Whether `t` lies in the closed interval `r`. */
export function inTimeRange(r: TimeRange, t: Date): boolean {
  return (
    r.start.getTime() <= t.getTime() && (r.end === undefined || t.getTime() <= r.end.getTime())
  );
}

function parseAuthority(v: unknown, path: string): CertificateAuthority {
  const o = obj(v, path);
  const chain = obj(o.certChain, `${path}.certChain`);
  const certs = list(chain.certificates, `${path}.certChain.certificates`);
  if (certs.length === 0) throw invalid(`${path}.certChain has no certificates`);
  const certChain = certs.map((c, i) => {
    const where = `${path}.certChain.certificates[${i}]`;
    const der = bytes(obj(c, where).rawBytes, `${where}.rawBytes`);
    try {
      return X509Certificate.parse(Buffer.from(der));
    } catch (e) {
      throw invalid(`${where} is not a DER X.509 certificate`, e);
    }
  });
  return {
    uri: o.uri === undefined ? '' : str(o.uri, `${path}.uri`),
    certChain,
    validFor: timeRange(o.validFor, `${path}.validFor`),
  };
}

function parseLog(v: unknown, path: string): TransparencyLogInstance {
  const o = obj(v, path);
  const pk = obj(o.publicKey, `${path}.publicKey`);
  const der = bytes(pk.rawBytes, `${path}.publicKey.rawBytes`);
  const keyDetails =
    pk.keyDetails === undefined ? '' : str(pk.keyDetails, `${path}.publicKey.keyDetails`);
  // PKCS1_* key details carry a bare PKCS#1 RSAPublicKey (older CT logs), all others an SPKI.
  const type = keyDetails.startsWith('PKCS1_') ? 'pkcs1' : 'spki';
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(der), format: 'der', type });
  } catch (e) {
    throw invalid(`${path}.publicKey.rawBytes is not a DER ${type.toUpperCase()} public key`, e);
  }
  return {
    baseUrl: o.baseUrl === undefined ? '' : str(o.baseUrl, `${path}.baseUrl`),
    logId: bytes(obj(o.logId, `${path}.logId`).keyId, `${path}.logId.keyId`),
    publicKey,
    keyDetails,
    validFor: timeRange(pk.validFor, `${path}.publicKey.validFor`),
  };
}

function timeRange(v: unknown, path: string): TimeRange {
  const o = obj(v, path);
  // protobuf-specs: start is required; treating its absence as unbounded would widen trust.
  if (o.start === undefined) throw invalid(`${path}.start is missing`);
  const start = date(o.start, `${path}.start`);
  // protobuf JSON writes an unset field as absent or null.
  if (o.end === undefined || o.end === null) return { start };
  const end = date(o.end, `${path}.end`);
  if (end.getTime() < start.getTime()) throw invalid(`${path} ends before it starts`);
  return { start, end };
}

function range(r: TimeRange): string {
  return `${r.start.toISOString()}..${r.end?.toISOString() ?? ''}`;
}

function date(v: unknown, path: string): Date {
  const d = new Date(str(v, path));
  if (Number.isNaN(d.getTime())) throw invalid(`${path} is not an RFC 3339 time`);
  return d;
}

function bytes(v: unknown, path: string): Uint8Array {
  const s = str(v, path);
  if (s === '' || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(s)) throw invalid(`${path} is not base64`);
  return new Uint8Array(Buffer.from(s, 'base64'));
}

// The JSON field names read here; a mapped type, so fields read with dot access stay checked.
type Fields = Partial<
  Record<
    | 'mediaType'
    | 'certificateAuthorities'
    | 'timestampAuthorities'
    | 'tlogs'
    | 'ctlogs'
    | 'certChain'
    | 'certificates'
    | 'rawBytes'
    | 'uri'
    | 'validFor'
    | 'publicKey'
    | 'keyDetails'
    | 'baseUrl'
    | 'logId'
    | 'keyId'
    | 'start'
    | 'end',
    unknown
  >
>;

function obj(v: unknown, path: string): Fields {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw invalid(`${path} is not an object`);
  }
  return v as Fields;
}

function list(v: unknown, path: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw invalid(`${path} is not an array`);
  return v;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw invalid(`${path} is not a string`);
  return v;
}

function invalid(message: string, cause?: unknown): SignError {
  return new SignError('SIGN_TRUSTED_ROOT_INVALID', `Trusted root: ${message}.`, { cause });
}
