import { sign as cryptoSign, generateKeyPairSync } from 'node:crypto';
import { FulcioSigner, type Signer } from '@sigstore/sign';
import { FALLBACK_MARK } from '../../admission/types.js';
import { CoreError, CustodyError } from '../../core/index.js';
import { isNetError } from '../../net/http.js';
import { type BundleSigner, SignError, type Statement } from '../../sign/index.js';
import { type KeyedSigningOptions, openSigner, withServiceRetries } from './open-signer.js';

export { FALLBACK_MARK };

/**
 * Codes of the fallback signer. Public API: never renamed or reused.
 * SIGN_FALLBACK_UNAVAILABLE: keyless signing failed for want of infrastructure and the fallback
 * key (an HSM) could not sign either; details name both failures.
 */
export type FallbackSignerErrorCode = 'SIGN_FALLBACK_UNAVAILABLE';
export class FallbackSignerError extends CustodyError<FallbackSignerErrorCode> {}

/** What a fallback signature says about itself, inside what is signed. */
export interface FallbackMark {
  from: 'keyless';
  /** Why keyless signing was not possible (the CA's or the OIDC provider's failure). */
  reason: string;
  /** When the fallback was taken (ISO 8601). */
  at: string;
}

export interface OpenedSigner {
  signer: BundleSigner;
  close(): Promise<void>;
  /** Set when the fallback key signed instead of keyless. */
  fallback?: FallbackMark;
}

/**
 * Keyless first, the HSM key `fallbackKey` (a PKCS#11 URI) when keyless signing fails for want of
 * infrastructure: the CA or the OIDC provider unreachable, timing out, answering 5xx/429, or a
 * circuit open. A refused identity (the CA or the provider answered 4xx, no token to be had, a
 * token that does not parse) is the signer's problem, not the infrastructure's: it stays a
 * failure, or a fallback key would sign for anyone keyless signing turns away.
 *
 * The decision is taken before anything is signed (the keyless certificate is fetched up front,
 * once, for an ephemeral key that then signs everything of this run), so the caller can write
 * the fallback mark into what it signs.
 * @throws SignError (keyless refused), FallbackSignerError SIGN_FALLBACK_UNAVAILABLE (both down),
 *   CoreError USAGE
 */
export async function openSignerWithFallback(
  o: KeyedSigningOptions,
  fallbackKey: string | undefined,
  now: () => Date = () => new Date(),
): Promise<OpenedSigner> {
  if (fallbackKey === undefined) return openSigner(o);
  if (!fallbackKey.startsWith('pkcs11:'))
    throw new CoreError('USAGE', '--fallback-key names an HSM key: a pkcs11: URI (RFC 7512).');
  const keyless = o.keyless;
  if (keyless === undefined || o.keyFile !== undefined || o.pkcs11 !== undefined)
    throw new CoreError(
      'USAGE',
      '--fallback-key stands in for keyless signing: leave out --key (the HSM key signs only when keyless signing is down).',
    );
  if (o.url === undefined || keyless.caUrl === '')
    throw new CoreError(
      'USAGE',
      'Keyless signatures come from a Custody server (--url or CUSTODY_URL) and are logged there.',
    );
  let keylessFailure: SignError;
  try {
    return { signer: await keylessSigner(keyless), close: async () => {} };
  } catch (e) {
    if (!(e instanceof SignError) || keylessFailureKind(e) !== 'infrastructure') throw e;
    keylessFailure = e;
  }
  const { keyless: _k, ...rest } = o;
  try {
    const hsm = await openSigner({ ...rest, pkcs11: fallbackKey });
    return {
      ...hsm,
      fallback: { from: 'keyless', reason: keylessFailure.message, at: now().toISOString() },
    };
  } catch (e) {
    const hsm = e as { code?: string; message?: string };
    throw new FallbackSignerError(
      'SIGN_FALLBACK_UNAVAILABLE',
      `Nothing could sign: keyless signing failed (${keylessFailure.message}), and so did the fallback key (${hsm.code ?? 'error'}: ${hsm.message ?? String(e)}).`,
      {
        cause: e,
        details: {
          keyless: { code: keylessFailure.code, message: keylessFailure.message },
          fallback: { code: hsm.code ?? 'error', message: hsm.message ?? String(e) },
        },
      },
    );
  }
}

/**
 * An ephemeral P-256 key with a keyless certificate for the caller's identity, fetched now (the
 * OIDC token, then the CA): every signature of this run is made under it.
 */
async function keylessSigner(
  k: NonNullable<KeyedSigningOptions['keyless']>,
): Promise<BundleSigner> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const holder: Signer = {
    sign: async (data) => ({
      signature: cryptoSign('sha256', data, privateKey),
      key: { $case: 'publicKey', publicKey: publicPem },
    }),
  };
  const fulcio = new FulcioSigner({
    fulcioBaseURL: k.caUrl,
    identityProvider: { getToken: () => k.idToken() },
    keyHolder: holder,
  });
  const probe = await withServiceRetries(k.caUrl, () =>
    fulcio.sign(Buffer.from('custody: keyless certificate request')),
  );
  if (probe.key.$case !== 'x509Certificate')
    throw new SignError('SIGN_SERVICE_FAILED', 'The CA returned no certificate.');
  const certificate = probe.key.certificate;
  const signer: Signer = {
    sign: async (data) => ({
      signature: cryptoSign('sha256', data, privateKey),
      key: { $case: 'x509Certificate', certificate },
    }),
  };
  return { signer, type: 'ecdsa-p256' };
}

/**
 * Whether a keyless failure (SIGN_SERVICE_FAILED from withServiceRetries, or the identity token's
 * own error) is the infrastructure's or a refusal. An answer 4xx (but 408 and 429) is a refusal; so
 * is a missing or unparsable token. No answer at all, a time-out, 5xx or 429 is infrastructure.
 */
export function keylessFailureKind(e: unknown): 'infrastructure' | 'refused' {
  const statusKind = (s: number) =>
    s >= 500 || s === 408 || s === 429 ? ('infrastructure' as const) : ('refused' as const);
  for (let cur: unknown = e, depth = 0; cur !== undefined && cur !== null && depth < 8; depth++) {
    const c = cur as {
      code?: unknown;
      details?: Record<string, unknown>;
      statusCode?: unknown;
      cause?: unknown;
    };
    if (isNetError(cur)) return 'infrastructure';
    const status = c.details?.['status'] ?? c.statusCode;
    if (typeof status === 'number') return statusKind(status);
    if (c.code === 'SIGN_TOKEN_INVALID' || c.code === 'IDENTITY_TOKEN_PARSE_ERROR')
      return 'refused';
    if (c.code === 'USAGE') return 'refused';
    cur = c.cause;
  }
  return 'infrastructure';
}

/** The mark as the value written under FALLBACK_MARK. */
export function fallbackMarkValue(m: FallbackMark): Record<string, string> {
  return { from: m.from, reason: m.reason, at: m.at };
}

/**
 * A statement marked as a fallback signature: every subject's `annotations` (in-toto
 * ResourceDescriptor's extension map, signed with the statement) gets FALLBACK_MARK. The predicate
 * is left alone: it belongs to its own schema (SLSA, CycloneDX, …).
 */
export function markStatement(s: Statement, m: FallbackMark | undefined): Statement {
  if (m === undefined) return s;
  return {
    ...s,
    subject: s.subject.map((sub) => {
      const prior = (sub as { annotations?: Record<string, unknown> }).annotations ?? {};
      return { ...sub, annotations: { ...prior, [FALLBACK_MARK]: fallbackMarkValue(m) } };
    }),
  };
}

/**
 * cosign's simple-signing payload (as oci/cosign.ts writes it) with `optional` holding the mark
 * (SIGNATURE_SPEC.md: `optional` is the signer's free map, signed with the rest).
 */
export function markedSimpleSigningPayload(
  dockerReference: string,
  digest: string,
  m: FallbackMark | undefined,
): Uint8Array {
  return new TextEncoder().encode(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': dockerReference },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: m === undefined ? null : { [FALLBACK_MARK]: fallbackMarkValue(m) },
    }),
  );
}
