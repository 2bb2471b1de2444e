import { createHash, type KeyObject, verify } from 'node:crypto';
import type { Signer } from '@sigstore/sign';
import {
  keyHint,
  type Pkcs11Uri,
  parsePkcs11Uri,
  redactPkcs11Uri,
  SignError,
  type SigningKeyType,
} from '../sign/index.js';
import { ecdsaRawToDer } from './ecdsa-der.js';
import { acquireModule, CK, ckrName, ckrOf, type Handle, type Pkcs11Module } from './module.js';
import { resolveModulePath, resolvePin } from './resolve.js';
import { type RetryOptions, transientRecovery, withRetry, withTimeout } from './retry.js';
import { SessionPool } from './session-pool.js';
import { describeKey, findPrivateKey, findSlot } from './token.js';

/**
 * A signer whose private key stays in an HSM, reached through its PKCS#11 library. It fits
 * @sigstore/sign's `Signer`: `sign(data)` returns a DER ECDSA or PKCS#1 v1.5 signature over
 * SHA-256 of `data`, and names the public key the way `src/sign/keys.ts` does for key files.
 */
export interface Pkcs11Signer extends Signer {
  readonly type: SigningKeyType;
  readonly publicKey: KeyObject;
  /** SPKI PEM. */
  readonly publicPem: string;
  /** base64 SHA-256 of the SPKI DER, as for key files. */
  readonly hint: string;
  /** The URI without its PIN, for messages and logs. */
  readonly uri: string;
  /** A signature over a SHA-256 digest computed elsewhere (DER for ECDSA). */
  signDigest(digest: Uint8Array): Promise<Buffer>;
  /** Closes the sessions; the library is finalized when its last signer closes. */
  close(): Promise<void>;
}

export interface Pkcs11SignerOptions {
  /** Sessions held open at most, i.e. signatures in flight at once. Default 4. */
  sessions?: number;
  /** Per signature; a call still running then is abandoned with its session. Default 30 s. */
  timeoutMs?: number;
  retry?: RetryOptions;
  /** For tests: wraps the library to inject failures. */
  wrapModule?: (module: Pkcs11Module) => Pkcs11Module;
}

/** Environment variables read; a URI attribute takes precedence over each. */
export interface Pkcs11Env {
  /** The library to load when the URI has neither module-path nor module-name. */
  CUSTODY_PKCS11_MODULE?: string | undefined;
  /** The user PIN when the URI has neither pin-value nor pin-source. */
  CUSTODY_PKCS11_PIN?: string | undefined;
}

// DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1), for CKM_RSA_PKCS over a digest.
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex');

/**
 * Opens the key a `pkcs11:` URI names: loads the module, finds the token and the private key, logs
 * in, and reads the public key. Transient module failures are retried with backoff (see retry.ts).
 * @throws SignError SIGN_KEY_INVALID for a bad URI, module, PIN, token or key (the message says
 *   which); SIGN_SERVICE_FAILED when the HSM keeps failing
 */
export async function openPkcs11Signer(
  uriText: string,
  env: Pkcs11Env,
  options: Pkcs11SignerOptions = {},
): Promise<Pkcs11Signer> {
  const uri = parsePkcs11Uri(uriText);
  const modulePath = resolveModulePath(uri, env);
  const pin = resolvePin(uri, env);
  const loaded = acquireModule(modulePath);
  const module = options.wrapModule?.(loaded.module) ?? loaded.module;
  const state = new SignerState(module, uri, pin, options);
  try {
    await state.open();
  } catch (e) {
    state.pool?.close();
    loaded.release();
    throw e;
  }
  return state.toSigner(loaded.release);
}

class SignerState {
  pool: SessionPool | undefined;
  private key: Handle | undefined;
  private tokenMoved = false;
  private desc: ReturnType<typeof describeKey> | undefined;

  constructor(
    private readonly module: Pkcs11Module,
    private readonly uri: Pkcs11Uri,
    private readonly pin: string | undefined,
    private readonly o: Pkcs11SignerOptions,
  ) {}

  async open(): Promise<void> {
    await withRetry(
      'open the key',
      async () => {
        this.pool ??= new SessionPool(
          this.module,
          findSlot(this.module, this.uri),
          this.o.sessions ?? 4,
          (s, slot) => this.login(s, slot),
          () => {
            this.key = undefined;
          },
        );
        await this.withSession((s) => {
          this.desc = describeKey(this.module, s, this.keyHandle(s));
          return Promise.resolve();
        });
      },
      (r) => this.recover(r),
      this.o.retry,
    ).catch((e) => {
      throw finalError(e, 'open the key');
    });
  }

  toSigner(release: () => void): Pkcs11Signer {
    const desc = this.desc as NonNullable<typeof this.desc>;
    const publicPem = desc.publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const hint = keyHint(desc.publicKey);
    const material = { $case: 'publicKey' as const, publicKey: publicPem, hint };
    const uri = redactPkcs11Uri(this.uri);
    let closed = false;
    return {
      type: desc.type,
      publicKey: desc.publicKey,
      publicPem,
      hint,
      uri,
      sign: async (data: Buffer) => {
        const signature = await this.sign(data, false);
        // A public key object with the wrong CKA_ID would make bundles no one can verify.
        if (!verify('sha256', data, desc.publicKey, signature))
          throw new SignError(
            'SIGN_KEY_INVALID',
            `The HSM's signature does not verify with the public key found beside the private key (${uri}); the two objects do not belong together.`,
          );
        return { signature, key: material };
      },
      signDigest: (digest: Uint8Array) => {
        if (digest.length !== 32)
          throw new SignError('SIGN_KEY_INVALID', 'signDigest takes a SHA-256 digest (32 bytes).');
        return this.sign(Buffer.from(digest), true);
      },
      close: async () => {
        if (closed) return;
        closed = true;
        this.pool?.close();
        release();
      },
    };
  }

  private sign(input: Buffer, isDigest: boolean): Promise<Buffer> {
    const desc = this.desc as NonNullable<typeof this.desc>;
    const ec = desc.type.startsWith('ecdsa');
    const { mechanism, data } = ec
      ? {
          mechanism: CK.CKM_ECDSA,
          data: isDigest ? input : createHash('sha256').update(input).digest(),
        }
      : isDigest
        ? { mechanism: CK.CKM_RSA_PKCS, data: Buffer.concat([SHA256_DIGEST_INFO, input]) }
        : { mechanism: CK.CKM_SHA256_RSA_PKCS, data: input };
    return withRetry(
      'sign',
      () =>
        this.withSession(async (s, abandon) => {
          this.module.C_SignInit(s, { mechanism }, this.keyHandle(s));
          const call = this.module.C_SignAsync(s, data, Buffer.alloc(desc.signatureBytes));
          const out = await withTimeout(call, this.o.timeoutMs ?? 30_000, abandon);
          return ec ? ecdsaRawToDer(out) : Buffer.from(out);
        }),
      (r) => this.recover(r),
      this.o.retry,
    ).catch((e) => {
      throw finalError(e, 'sign');
    });
  }

  /** Runs `f` on a pooled session; a session that failed transiently is closed, not reused. */
  private async withSession<T>(
    f: (s: Handle, abandon: (settled: Promise<unknown>) => void) => Promise<T>,
  ): Promise<T> {
    const pool = this.pool as SessionPool;
    if (this.tokenMoved) {
      pool.moveTo(findSlot(this.module, this.uri));
      this.tokenMoved = false;
    }
    const s = await pool.acquire();
    let abandoned = false;
    try {
      const v = await f(s, (settled) => {
        abandoned = true;
        pool.abandon(s, settled);
      });
      pool.release(s);
      return v;
    } catch (e) {
      if (abandoned) throw e;
      const r = transientRecovery(e, this.o.retry?.transientCodes);
      if (r === 'login' || r === 'find-key' || r === undefined) pool.release(s);
      else pool.discard(s);
      throw e;
    }
  }

  private recover(r: string): void {
    if (r === 'login') this.pool?.forgetLogin();
    if (r === 'find-key' || r === 'find-token') this.key = undefined;
    if (r === 'find-token') this.tokenMoved = true;
  }

  private keyHandle(s: Handle): Handle {
    this.key ??= findPrivateKey(this.module, s, this.uri);
    return this.key;
  }

  private login(s: Handle, slot: Handle): void {
    if (this.pin === undefined) {
      // pkcs11js cannot pass a null PIN, so a PIN pad (protected authentication path) is not usable.
      if ((this.module.C_GetTokenInfo(slot).flags & CK.CKF_LOGIN_REQUIRED) === 0) return;
      throw new SignError(
        'SIGN_KEY_INVALID',
        'The token needs a PIN: give pin-source=file:<path> (or pin-value=) in the URI, or set CUSTODY_PKCS11_PIN.',
      );
    }
    try {
      this.module.C_Login(s, CK.CKU_USER, this.pin);
    } catch (e) {
      const code = ckrOf(e);
      if (code === CK.CKR_USER_ALREADY_LOGGED_IN) return;
      if (PIN_REFUSED.includes(code as number))
        throw new SignError(
          'SIGN_KEY_INVALID',
          `The HSM refused the PIN (${ckrName(e)}) for ${redactPkcs11Uri(this.uri)}.`,
          { cause: e, details: { ckr: ckrName(e) } },
        );
      throw e;
    }
  }
}

const PIN_REFUSED = [
  CK.CKR_PIN_INCORRECT,
  CK.CKR_PIN_INVALID,
  CK.CKR_PIN_LEN_RANGE,
  CK.CKR_PIN_EXPIRED,
  CK.CKR_PIN_LOCKED,
];

/** A module error that was not retried, as a coded error saying what the HSM answered. */
function finalError(e: unknown, what: string): unknown {
  if (e instanceof SignError || ckrOf(e) === undefined) return e;
  const name = ckrName(e);
  const keyProblem = [
    CK.CKR_MECHANISM_INVALID,
    CK.CKR_KEY_TYPE_INCONSISTENT,
    CK.CKR_KEY_FUNCTION_NOT_PERMITTED,
  ].includes(ckrOf(e) as number);
  return new SignError(
    keyProblem ? 'SIGN_KEY_INVALID' : 'SIGN_SERVICE_FAILED',
    keyProblem
      ? `The HSM will not ${what} with this key (${name}): it must allow CKA_SIGN with ECDSA or RSA PKCS#1 v1.5.`
      : `The HSM failed to ${what} (${name}).`,
    { cause: e, details: { service: 'pkcs11', ckr: name } },
  );
}
