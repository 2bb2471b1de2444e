import assert from 'node:assert/strict';
import { verify } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import pkcs11js from 'pkcs11js';
import {
  openPkcs11Signer,
  type Pkcs11Module,
  type Pkcs11Signer,
  type Pkcs11SignerOptions,
  transientRecovery,
  withRetry,
} from '../../src/pkcs11/index.js';
import { SignError } from '../../src/sign/errors.js';
import { expectCustodyErrorAsync } from '../helpers/expect-error.js';
import { createToken, ecKey, SKIP, type TestToken } from './softhsm.js';

/**
 * Brief 3: an HSM that throttles or times out. A wrapper around SoftHSM2 fails chosen calls the way
 * a loaded network HSM does; the signer must retry with backoff and recover its session, login or
 * key handle. PKCS#11 has no CKR_DEVICE_BUSY: modules under load answer CKR_DEVICE_MEMORY,
 * CKR_DEVICE_ERROR or CKR_FUNCTION_FAILED, or a vendor code (given as `transientCodes`).
 */

const CKR_VENDOR_BUSY = 0x8000_0001;
const DATA = Buffer.from('artifact');

function ckr(name: keyof typeof pkcs11js & `CKR_${string}`, code = pkcs11js[name] as number) {
  return new pkcs11js.Pkcs11Error(name, code);
}

type Script = Partial<Record<keyof Pkcs11Module, (() => Error | 'hang')[]>>;

/** Counts calls and, per method, fails the next calls as `script` says, then passes through. */
function faulty(script: Script) {
  const calls: Record<string, number> = {};
  const wrap = (m: Pkcs11Module): Pkcs11Module =>
    new Proxy(m, {
      get(target, p, r) {
        const v = Reflect.get(target, p, r);
        if (typeof v !== 'function') return v;
        return (...args: unknown[]) => {
          const name = String(p);
          calls[name] = (calls[name] ?? 0) + 1;
          const fault = script[name as keyof Pkcs11Module]?.shift()?.();
          if (fault === 'hang') {
            // Answers, but only after the signer's time-out.
            return new Promise((resolve) => setTimeout(() => resolve(v.apply(target, args)), 300));
          }
          if (fault !== undefined) {
            if (name === 'C_SignAsync') return Promise.reject(fault);
            throw fault;
          }
          return v.apply(target, args);
        };
      },
    });
  return { calls, wrap };
}

let token: TestToken | undefined;
const signers: Pkcs11Signer[] = [];
afterEach(async () => {
  for (const s of signers.splice(0)) await s.close();
  token?.remove();
  token = undefined;
});

async function openWith(script: Script, o: Pkcs11SignerOptions = {}) {
  token = createToken();
  const k = ecKey();
  token.importKey(k.privateKey, { label: 'k', id: '01' });
  const delays: number[] = [];
  const f = faulty(script);
  const signer = await openPkcs11Signer(
    token.uri('object=k'),
    {},
    {
      ...o,
      wrapModule: f.wrap,
      retry: {
        sleep: async (ms) => void delays.push(ms),
        random: () => 1,
        ...o.retry,
      },
    },
  );
  signers.push(signer);
  return { signer, calls: f.calls, delays, publicKey: k.publicKey };
}

describe('retries against a failing HSM (SoftHSM2 behind a fault-injecting wrapper)', {
  skip: SKIP,
}, () => {
  it('a vendor "busy" code twice, then success: signed after two backoffs on new sessions', async () => {
    const busy = () => ckr('CKR_VENDOR_DEFINED' as never, CKR_VENDOR_BUSY);
    const { signer, calls, delays, publicKey } = await openWith(
      { C_SignAsync: [busy, busy] },
      { retry: { transientCodes: [CKR_VENDOR_BUSY] } },
    );
    const opened = calls['C_OpenSession'] ?? 0;
    const { signature } = await signer.sign(DATA);
    assert.ok(verify('sha256', DATA, publicKey, signature));
    assert.equal(calls['C_SignAsync'], 3);
    assert.deepEqual(delays, [100, 200], 'exponential backoff (jitter pinned to its maximum)');
    assert.equal(calls['C_OpenSession'], opened + 2, 'a failed session is not reused');
  });

  for (const name of ['CKR_DEVICE_MEMORY', 'CKR_FUNCTION_FAILED', 'CKR_DEVICE_ERROR'] as const)
    it(`${name} twice, then success`, async () => {
      const { signer, calls, publicKey } = await openWith({
        C_SignAsync: [() => ckr(name), () => ckr(name)],
      });
      assert.ok(verify('sha256', DATA, publicKey, (await signer.sign(DATA)).signature));
      assert.equal(calls['C_SignAsync'], 3);
    });

  it('a vendor code not declared transient fails at once', async () => {
    const { signer, calls } = await openWith({
      C_SignAsync: [() => ckr('CKR_VENDOR_DEFINED' as never, CKR_VENDOR_BUSY)],
    });
    const e = await expectCustodyErrorAsync(
      () => signer.sign(DATA),
      SignError,
      'SIGN_SERVICE_FAILED',
    );
    assert.match(e.message, /CKR_VENDOR_DEFINED\+0x1/);
    assert.equal(calls['C_SignAsync'], 1);
  });

  it('a closed session (HSM restart): a new session, logged in again', async () => {
    const { signer, calls, publicKey } = await openWith({
      C_SignInit: [() => ckr('CKR_SESSION_HANDLE_INVALID')],
    });
    assert.ok(verify('sha256', DATA, publicKey, (await signer.sign(DATA)).signature));
    assert.equal(calls['C_SignInit'], 2);
  });

  it('a dropped login: logs in again, then signs', async () => {
    const { signer, calls, publicKey } = await openWith({
      C_SignInit: [() => ckr('CKR_USER_NOT_LOGGED_IN')],
    });
    const logins = calls['C_Login'] ?? 0;
    assert.ok(verify('sha256', DATA, publicKey, (await signer.sign(DATA)).signature));
    assert.equal(calls['C_Login'], logins + 1);
  });

  it('a forgotten key handle: finds the key again, then signs', async () => {
    const { signer, calls, publicKey } = await openWith({
      C_SignInit: [() => ckr('CKR_KEY_HANDLE_INVALID')],
    });
    const finds = calls['C_FindObjectsInit'] ?? 0;
    assert.ok(verify('sha256', DATA, publicKey, (await signer.sign(DATA)).signature));
    assert.equal(calls['C_FindObjectsInit'], finds + 1);
  });

  it('a token that went away and came back: found again, then signs', async () => {
    const { signer, calls, publicKey } = await openWith({
      C_SignAsync: [() => ckr('CKR_DEVICE_REMOVED')],
    });
    const lists = calls['C_GetSlotList'] ?? 0;
    assert.ok(verify('sha256', DATA, publicKey, (await signer.sign(DATA)).signature));
    assert.equal(calls['C_GetSlotList'], lists + 1);
  });

  it('a call that does not answer in time: abandoned with its session, retried on another', async () => {
    const { signer, calls, publicKey } = await openWith(
      { C_SignAsync: [() => 'hang'] },
      { timeoutMs: 50 },
    );
    const closes = calls['C_CloseSession'] ?? 0;
    assert.ok(verify('sha256', DATA, publicKey, (await signer.sign(DATA)).signature));
    assert.equal(calls['C_SignAsync'], 2);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(
      calls['C_CloseSession'],
      closes + 1,
      'the abandoned session is closed once it answers',
    );
  });

  it('too many sessions while opening: retried', async () => {
    const { signer, publicKey } = await openWith({
      C_OpenSession: [() => ckr('CKR_SESSION_COUNT'), () => ckr('CKR_SESSION_COUNT')],
    });
    assert.ok(verify('sha256', DATA, publicKey, (await signer.sign(DATA)).signature));
  });

  it('an HSM that keeps failing: SIGN_SERVICE_FAILED after the retries, naming what it said', async () => {
    const always = Array.from({ length: 10 }, () => () => ckr('CKR_DEVICE_MEMORY'));
    const { signer, calls, delays } = await openWith(
      { C_SignAsync: always },
      { retry: { retries: 3, baseDelayMs: 10, maxDelayMs: 25 } },
    );
    const e = await expectCustodyErrorAsync(
      () => signer.sign(DATA),
      SignError,
      'SIGN_SERVICE_FAILED',
    );
    assert.match(e.message, /4 times \(last: CKR_DEVICE_MEMORY\)/);
    assert.deepEqual(e.details, {
      service: 'pkcs11',
      attempts: 4,
      errors: ['CKR_DEVICE_MEMORY', 'CKR_DEVICE_MEMORY', 'CKR_DEVICE_MEMORY', 'CKR_DEVICE_MEMORY'],
    });
    assert.deepEqual(delays, [10, 20, 25], 'doubling, capped');
    assert.equal(calls['C_SignAsync'], 4);
  });

  it('a final error (mechanism not allowed) is not retried', async () => {
    const { signer, calls, delays } = await openWith({
      C_SignInit: [() => ckr('CKR_KEY_FUNCTION_NOT_PERMITTED')],
    });
    const e = await expectCustodyErrorAsync(() => signer.sign(DATA), SignError, 'SIGN_KEY_INVALID');
    assert.match(e.message, /CKR_KEY_FUNCTION_NOT_PERMITTED/);
    assert.equal(calls['C_SignInit'], 1);
    assert.deepEqual(delays, []);
  });

  it('a wrong PIN is not retried (retrying could lock the token)', async () => {
    token = createToken();
    token.importKey(ecKey().privateKey, { label: 'k', id: '01' });
    const f = faulty({});
    await expectCustodyErrorAsync(
      () =>
        openPkcs11Signer(
          token?.uri('object=k').replace('123456', '999999') as string,
          {},
          {
            wrapModule: f.wrap,
          },
        ),
      SignError,
      'SIGN_KEY_INVALID',
    );
    assert.equal(f.calls['C_Login'], 1);
  });
});

describe('withRetry', () => {
  const noSleep = { sleep: async () => {}, random: () => 0.5 };

  it('jitters each delay within [0, base·2ⁿ) and returns the first success', async () => {
    const delays: number[] = [];
    let n = 0;
    const v = await withRetry(
      'sign',
      async () => {
        if (n++ < 4) throw ckr('CKR_FUNCTION_FAILED');
        return 'ok';
      },
      () => {},
      { sleep: async (ms) => void delays.push(ms), random: () => 0.5, baseDelayMs: 100 },
    );
    assert.equal(v, 'ok');
    assert.deepEqual(delays, [50, 100, 200, 400]);
  });

  it('passes other errors through untouched', async () => {
    const boom = new TypeError('boom');
    await assert.rejects(
      withRetry(
        'sign',
        async () => {
          throw boom;
        },
        () => {},
        noSleep,
      ),
      (e) => e === boom,
    );
  });

  it('classifies return values', () => {
    assert.equal(transientRecovery(ckr('CKR_DEVICE_MEMORY')), 'new-session');
    assert.equal(transientRecovery(ckr('CKR_USER_NOT_LOGGED_IN')), 'login');
    assert.equal(transientRecovery(ckr('CKR_OBJECT_HANDLE_INVALID')), 'find-key');
    assert.equal(transientRecovery(ckr('CKR_TOKEN_NOT_PRESENT')), 'find-token');
    assert.equal(transientRecovery(ckr('CKR_PIN_INCORRECT')), undefined);
    assert.equal(transientRecovery(ckr('CKR_GENERAL_ERROR')), undefined);
    assert.equal(transientRecovery(new Error('CKR_DEVICE_ERROR')), 'new-session');
    assert.equal(transientRecovery(new Error('no code')), undefined);
  });
});
