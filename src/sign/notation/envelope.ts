import type { NotationAlgorithm } from './algorithm.js';
import { NotationError } from './errors.js';

export const MEDIA_TYPE_JWS = 'application/jose+json';
export const MEDIA_TYPE_COSE = 'application/cose';
export const PAYLOAD_CONTENT_TYPE = 'application/vnd.cncf.notary.payload.v1+json';
export const SIGNING_SCHEMES = ['notary.x509', 'notary.x509.signingAuthority'] as const;
export type SigningScheme = (typeof SIGNING_SCHEMES)[number];

/** signature-specification "Extended attributes for Notation Plugins": critical, and only plugins know them. */
export const PLUGIN_HEADERS = [
  'io.cncf.notary.verificationPlugin',
  'io.cncf.notary.verificationPluginMinVersion',
] as const;

/** Caps on untrusted envelopes: real ones are a few kilobytes (a chain and a timestamp token). */
export const LIMITS = {
  envelopeBytes: 4 * 1024 * 1024,
  certificates: 16,
  extendedAttributes: 64,
  timestampBytes: 256 * 1024,
} as const;

export interface ExtendedAttribute {
  key: string | number;
  value: unknown;
  critical: boolean;
}

/**
 * A Notary Project signature envelope, read but not verified (untrusted): e = {m, v, u, s} of
 * signature-specification, whatever the envelope format.
 */
export interface NotationEnvelope {
  mediaType: typeof MEDIA_TYPE_JWS | typeof MEDIA_TYPE_COSE;
  /** Signed attributes (v). */
  alg: NotationAlgorithm;
  contentType: string;
  signingScheme: SigningScheme;
  /** notary.x509 only: unauthenticated. */
  signingTime?: Date;
  /** notary.x509.signingAuthority only: authenticated by the signing authority. */
  authenticSigningTime?: Date;
  expiry?: Date;
  extendedAttributes: ExtendedAttribute[];
  /** Payload (m): the exact signed bytes. */
  payload: Uint8Array;
  /** Unsigned attributes (u). */
  certificateChain: Uint8Array[];
  timestampSignature?: Uint8Array;
  signingAgent?: string;
  /** Primitive signature (s) and what it is computed over (JWS Signing Input, COSE ToBeSigned). */
  signature: Uint8Array;
  signedBytes: Uint8Array;
}

export function malformed(message: string, cause?: unknown): NotationError {
  return new NotationError('SIGN_NOTATION_ENVELOPE_MALFORMED', message, cause ? { cause } : {});
}

export function assertEnvelopeSize(bytes: Uint8Array): void {
  if (bytes.byteLength > LIMITS.envelopeBytes)
    throw new NotationError(
      'SIGN_NOTATION_ENVELOPE_TOO_LARGE',
      `The signature envelope is ${bytes.byteLength} bytes, over the ${LIMITS.envelopeBytes}-byte limit.`,
    );
}

/**
 * Scheme-dependent time rules shared by both formats (signature-specification "Standard
 * attributes"; notation-core-go's validateProtectedHeaders and validateSigningAndExpiryTime).
 */
export function checkTimes(
  scheme: SigningScheme,
  t: {
    signingTime?: Date | undefined;
    authenticSigningTime?: Date | undefined;
    expiry?: Date | undefined;
  },
  critical: readonly (string | number)[],
): void {
  if (scheme === 'notary.x509') {
    if (t.authenticSigningTime)
      throw malformed('authenticSigningTime is not allowed under notary.x509.');
    if (!t.signingTime) throw malformed('signingTime is required under notary.x509.');
  } else {
    if (t.signingTime)
      throw malformed('signingTime is not allowed under notary.x509.signingAuthority.');
    if (!t.authenticSigningTime)
      throw malformed('authenticSigningTime is required under notary.x509.signingAuthority.');
    if (!critical.includes('io.cncf.notary.authenticSigningTime'))
      throw malformed('authenticSigningTime must be marked critical.');
  }
  if (!critical.includes('io.cncf.notary.signingScheme'))
    throw malformed('signingScheme must be marked critical.');
  if (t.expiry && !critical.includes('io.cncf.notary.expiry'))
    throw malformed('expiry must be marked critical.');
  const signed = (t.signingTime ?? t.authenticSigningTime) as Date;
  if (t.expiry && t.expiry.getTime() <= signed.getTime())
    throw malformed('expiry must be after the signing time.');
}

export function isScheme(s: unknown): s is SigningScheme {
  return typeof s === 'string' && (SIGNING_SCHEMES as readonly string[]).includes(s);
}
