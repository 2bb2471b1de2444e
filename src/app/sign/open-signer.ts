import { sign as cryptoSign, X509Certificate } from 'node:crypto';
import { FulcioSigner, type Signer } from '@sigstore/sign';
import { CoreError } from '../../core/index.js';
import { readInput } from '../../fs/bundle-files.js';
import { type Env, readSigningKey } from '../../fs/key-files.js';
import type { LogWitnessOptions, RetryOptions } from '../../net/log-witness.js';
import { type BundleSigner, SignError } from '../../sign/index.js';
import type { LogLaterSink } from './log-later-witness.js';

export interface KeyedSigningOptions {
  /** Private key PEM file. One of keyFile, pkcs11 or keyless. */
  keyFile?: string;
  /**
   * With keyFile: a PEM certificate for that key (an emergency certificate from
   * `custody ca emergency fetch`); the bundle carries it instead of the bare key, and the
   * signature must be logged (the log's time is when the certificate must have been valid).
   */
  certificateFile?: string;
  /** A PKCS#11 URI (RFC 7512) naming a key in a hardware security module. */
  pkcs11?: string;
  /**
   * Keyless: an ephemeral key and a 10-minute certificate for the caller's OIDC identity from a
   * Fulcio-compatible CA (Custody's own), logged in `url`'s transparency log.
   */
  keyless?: { caUrl: string; idToken: () => Promise<string> };
  /** The variable holding the key's passphrase (default CUSTODY_KEY_PASSPHRASE). */
  passphraseEnv?: string;
  env: Env;
  /** A Custody server: the signature is logged in its transparency log. */
  url?: string;
  /** Retry tuning for the log (tests make it fast). */
  log?: Omit<LogWitnessOptions, 'url'> & Pick<RetryOptions, 'onRetry'>;
  /**
   * `--log-later`: a log that is down does not stop the signature; what it could not log is
   * collected here (the caller spools it for `custody log upload`).
   */
  logLater?: LogLaterSink;
  /**
   * Dual-log preference: log in this public (Rekor-compatible) log first; `url`'s log stands in
   * when it is down, and what it stood in for is collected in `sink`.
   */
  publicLog?: { url: string; sink: LogLaterSink };
}

/**
 * The signer the options name: a key file, an HSM key (closed after use), or keyless. Keyless
 * signatures must be logged: the certificate expires in minutes, and the log's time is what
 * proves it was valid when used.
 * @throws SignError SIGN_KEY_INVALID, SIGN_SERVICE_FAILED
 */
export async function openSigner(
  o: KeyedSigningOptions,
): Promise<{ signer: BundleSigner; close(): Promise<void> }> {
  if (o.keyFile !== undefined && o.certificateFile !== undefined)
    return { signer: certificateSigner(o, o.keyFile, o.certificateFile), close: async () => {} };
  if (o.certificateFile !== undefined)
    throw new CoreError(
      'USAGE',
      '--certificate names the certificate of a key file: give that key with --key <pem>.',
    );
  if (o.keyFile !== undefined)
    return { signer: readSigningKey(o.keyFile, o.env, o.passphraseEnv), close: async () => {} };
  if (o.pkcs11 !== undefined) {
    const { openPkcs11Signer } = await import('../../pkcs11/index.js');
    const hsm = await openPkcs11Signer(o.pkcs11, {
      ...(o.env['CUSTODY_PKCS11_MODULE']
        ? { CUSTODY_PKCS11_MODULE: o.env['CUSTODY_PKCS11_MODULE'] }
        : {}),
      ...(o.env['CUSTODY_PKCS11_PIN'] ? { CUSTODY_PKCS11_PIN: o.env['CUSTODY_PKCS11_PIN'] } : {}),
    });
    return { signer: { signer: hsm, type: hsm.type }, close: () => hsm.close() };
  }
  if (o.keyless !== undefined) {
    if (o.url === undefined || o.keyless.caUrl === '')
      throw new CoreError(
        'USAGE',
        'Sign with --key <pem|pkcs11:…>, or keylessly: keyless signatures come from a Custody server (--url or CUSTODY_URL) and are always logged there.',
      );
    const keyless = o.keyless;
    const fulcio = new FulcioSigner({
      fulcioBaseURL: keyless.caUrl,
      identityProvider: { getToken: () => keyless.idToken() },
    });
    const signer: Signer = {
      sign: (data) => withServiceRetries(keyless.caUrl, () => fulcio.sign(data)),
    };
    return { signer: { signer, type: 'ecdsa-p256' }, close: async () => {} };
  }
  throw new SignError(
    'SIGN_KEY_INVALID',
    'Say how to sign: --key <pem>, --key pkcs11:…, or keyless (an OIDC identity and a Custody server).',
  );
}

/**
 * A key file signing under a certificate issued for it: the bundle names the certificate.
 * @throws CoreError USAGE (not logged), FILE_NOT_FOUND; SignError SIGN_KEY_INVALID (not a
 *   certificate, or not for this key)
 */
function certificateSigner(
  o: KeyedSigningOptions,
  keyFile: string,
  certificateFile: string,
): BundleSigner {
  if (o.url === undefined)
    throw new CoreError(
      'USAGE',
      'A signature made with a certificate must be logged: set CUSTODY_URL (or --url), and leave out --no-log.',
    );
  const key = readSigningKey(keyFile, o.env, o.passphraseEnv);
  const text = readInput(certificateFile, 'certificate file').toString('utf8');
  const leafPem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(text)?.[0];
  let cert: X509Certificate | undefined;
  try {
    cert = leafPem === undefined ? undefined : new X509Certificate(leafPem);
  } catch {
    cert = undefined;
  }
  if (cert === undefined || leafPem === undefined)
    throw new SignError(
      'SIGN_KEY_INVALID',
      `${certificateFile} holds no PEM certificate (custody ca emergency fetch <id> -o cert.pem writes one).`,
    );
  const spki = (k: typeof key.publicKey) => k.export({ type: 'spki', format: 'der' });
  if (!spki(cert.publicKey).equals(spki(key.publicKey)))
    throw new SignError(
      'SIGN_KEY_INVALID',
      `The certificate in ${certificateFile} is not for the key in ${keyFile}.`,
    );
  const material = { $case: 'x509Certificate' as const, certificate: `${leafPem}\n` };
  const signer: Signer = {
    sign: async (data) => ({
      signature: cryptoSign(key.digest, data, key.privateKey),
      key: material,
    }),
  };
  return { signer, type: key.type };
}

/**
 * Keyless signing asks two services, the OIDC provider and the certificate authority. Transient
 * failures (network, 5xx) are retried with backoff; what finally fails is named, so a release
 * engineer knows whom to call (Brief 3).
 */
export async function withServiceRetries<T>(
  caUrl: string,
  f: () => Promise<T>,
  attempts = 3,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      const err = e as {
        code?: string;
        message?: string;
        cause?: { statusCode?: number; message?: string };
      };
      const identity = err.code?.startsWith('IDENTITY') === true;
      const status = err.cause?.statusCode;
      const transient = !identity && (status === undefined || status >= 500 || status === 429);
      if (transient && attempt < attempts) {
        await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
        continue;
      }
      const service = identity ? 'OIDC identity provider' : 'certificate authority';
      throw new SignError(
        'SIGN_SERVICE_FAILED',
        `The ${service}${identity ? '' : ` at ${caUrl}`} failed${attempt > 1 ? ` after ${attempt} attempts` : ''}: ${err.cause?.message ?? err.message ?? String(e)}`,
        { cause: e, details: { service, ...(status !== undefined ? { status } : {}) } },
      );
    }
  }
}
