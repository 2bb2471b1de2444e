import { createHash, X509Certificate } from 'node:crypto';
import { canonicalize } from '../core/index.js';
import { decodeBase64, encodeBase64 } from './bytes.js';
import { asObject, CUSTODY_ENTRY_API_VERSION, malformed } from './entry-fields.js';
import { leafHash } from './hashing.js';

/**
 * Custody's `emergency-certificate` entries: every emergency certificate its CA issues is logged,
 * so that an auditor (or a monitor of the log) sees each one, who asked, who approved and why,
 * without access to the service's database. The leaf holds the certificate itself (DER, base64)
 * and the request's facts; its subject is `sha256:` of the certificate's DER.
 *
 * Only Custody's CA writes these entries (through the log's append path, in its group commit):
 * the public append routes refuse the kind, since nobody else can vouch that a certificate was
 * approved.
 */

export const EMERGENCY_CERTIFICATE_KIND = 'emergency-certificate';

export interface EmergencyCertificateEntry {
  /** The leaf certificate, DER. */
  certificate: Uint8Array;
  /** The certificate's SAN (email or URI). */
  identity: string;
  /** Custody's emergency issuer, as the certificate's issuer extension holds it. */
  issuer: string;
  team: string;
  /** The request's id on the issuing service. */
  request: string;
  requester: string;
  approver: string;
  reason: string;
  /** ISO 8601 validity, as the certificate states it. */
  notBefore: string;
  notAfter: string;
}

/**
 * The log entry of an emergency certificate (leaf body in RFC 8785 form).
 * @throws TlogError TLOG_ENTRY_MALFORMED when `certificate` is not DER X.509
 */
export function emergencyCertificateEntry(e: EmergencyCertificateEntry): {
  kind: typeof EMERGENCY_CERTIFICATE_KIND;
  body: Uint8Array;
  leafHash: Uint8Array;
  subjectDigest: string;
  aliasLeafHashes: Uint8Array[];
} {
  assertCertificate(e.certificate);
  const body = {
    apiVersion: CUSTODY_ENTRY_API_VERSION,
    kind: EMERGENCY_CERTIFICATE_KIND,
    spec: {
      certificate: encodeBase64(e.certificate),
      identity: e.identity,
      issuer: e.issuer,
      team: e.team,
      request: e.request,
      requester: e.requester,
      approver: e.approver,
      reason: e.reason,
      notBefore: e.notBefore,
      notAfter: e.notAfter,
    },
  };
  const bytes = new Uint8Array(Buffer.from(canonicalize(body), 'utf8'));
  return {
    kind: EMERGENCY_CERTIFICATE_KIND,
    body: bytes,
    leafHash: leafHash(bytes),
    subjectDigest: `sha256:${createHash('sha256').update(e.certificate).digest('hex')}`,
    // One certificate, one body: no other spelling of it to catch as a duplicate.
    aliasLeafHashes: [],
  };
}

/**
 * Read an `emergency-certificate` leaf back (untrusted: bytes from a log or a mirror).
 * @throws TlogError TLOG_ENTRY_MALFORMED when it is not one
 */
export function parseEmergencyCertificateEntry(body: Uint8Array): EmergencyCertificateEntry {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body).toString('utf8'));
  } catch {
    throw malformed('an emergency-certificate leaf must be JSON');
  }
  const root = asObject(json, '');
  if (root.get('kind') !== EMERGENCY_CERTIFICATE_KIND)
    throw malformed(`kind must be ${EMERGENCY_CERTIFICATE_KIND}`);
  if (root.get('apiVersion') !== CUSTODY_ENTRY_API_VERSION)
    throw malformed(`apiVersion must be ${CUSTODY_ENTRY_API_VERSION}`);
  const spec = root.object('spec');
  const certificate = decodeBase64(spec.string('certificate'));
  if (certificate === undefined) throw malformed('spec.certificate must be base64 DER');
  assertCertificate(certificate);
  return {
    certificate,
    identity: spec.string('identity'),
    issuer: spec.string('issuer'),
    team: spec.string('team'),
    request: spec.string('request'),
    requester: spec.string('requester'),
    approver: spec.string('approver'),
    reason: spec.string('reason'),
    notBefore: spec.string('notBefore'),
    notAfter: spec.string('notAfter'),
  };
}

function assertCertificate(der: Uint8Array): void {
  try {
    new X509Certificate(der);
  } catch {
    throw malformed('the certificate must be DER X.509');
  }
}
