import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SignError } from '../../../src/sign/errors.js';
import {
  assertSubjectAllowed,
  base64url,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  type Jwks,
  jwkFromKey,
  peekIssuer,
  signJwt,
  type TokenRefusal,
  type VerifyIdTokenOptions,
  verifyIdToken,
} from '../../../src/sign/oidc/index.js';
import { expectCustodyError, expectCustodyErrorAsync } from '../../helpers/expect-error.js';

const ISS = 'https://issuer.example';
const NOW = new Date('2025-06-01T12:00:00Z');
const T = NOW.getTime() / 1000;
const KEYS = {
  ed25519: generateKeyPairSync('ed25519').privateKey,
  p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey,
  rsa: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
} as const;
const JWKS: Jwks = {
  keys: Object.entries(KEYS).map(([kid, k]) => jwkFromKey(k, kid)),
};
const claims = (over: Record<string, unknown> = {}) => ({
  iss: ISS,
  sub: 'alice',
  aud: 'sigstore',
  iat: T - 10,
  exp: T + 300,
  email: 'alice@example.com',
  email_verified: true,
  ...over,
});
const opts: VerifyIdTokenOptions = { jwks: JWKS, issuers: [ISS], audience: 'sigstore', now: NOW };

async function refusal(token: string, o = opts): Promise<TokenRefusal> {
  const e = await expectCustodyErrorAsync(
    () => verifyIdToken(token, o),
    SignError,
    'SIGN_TOKEN_INVALID',
  );
  return e.details?.['reason'] as TokenRefusal;
}

function rawToken(header: object, payload: object, sig: Uint8Array = new Uint8Array()): string {
  return `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}.${base64url(sig)}`;
}

describe('verifyIdToken', () => {
  for (const [kid, key] of Object.entries(KEYS)) {
    it(`accepts a token signed with ${kid} (${jwkFromKey(key, kid)['alg']})`, async () => {
      const v = await verifyIdToken(signJwt(key, kid, claims()), opts);
      assert.equal(v.issuer, ISS);
      assert.equal(v.subject, 'alice');
      assert.equal(v.claims['email'], 'alice@example.com');
      assert.equal(v.expiresAt.getTime(), (T + 300) * 1000);
    });
  }

  it('accepts `aud` as an array and one of several audiences', async () => {
    const t = signJwt(KEYS.p256, 'p256', claims({ aud: ['other', 'custody'] }));
    await verifyIdToken(t, { ...opts, audience: ['sigstore', 'custody'] });
  });

  it('refuses alg none, whatever the case, even with a valid-looking payload', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      assert.equal(await refusal(rawToken({ alg, kid: 'p256' }, claims())), 'alg-none');
    }
    assert.equal(await refusal(rawToken({ kid: 'p256' }, claims())), 'alg-none');
  });

  it('refuses HS256 (an HMAC keyed with a public key) and other algorithms', async () => {
    for (const alg of ['HS256', 'RS512', 'PS256', 'ES384']) {
      assert.equal(
        await refusal(rawToken({ alg, kid: 'rsa' }, claims(), new Uint8Array(64))),
        'alg-unsupported',
      );
    }
  });

  it('refuses an unknown kid, and no kid when the set has several keys', async () => {
    const other = generateKeyPairSync('ed25519').privateKey;
    assert.equal(await refusal(signJwt(other, 'stranger', claims())), 'kid-unknown');
    const noKid = rawToken({ alg: 'EdDSA' }, claims());
    assert.equal(await refusal(noKid), 'kid-unknown');
  });

  it('accepts no kid when the set has exactly one key', async () => {
    const input = `${base64url(JSON.stringify({ alg: 'EdDSA' }))}.${base64url(JSON.stringify(claims()))}`;
    const sig = sign(null, Buffer.from(input), KEYS.ed25519);
    await verifyIdToken(`${input}.${base64url(sig)}`, {
      ...opts,
      jwks: { keys: [jwkFromKey(KEYS.ed25519, 'only')] },
    });
  });

  it('refuses a bad signature: another key under a known kid, a changed payload, a key of the wrong type', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    assert.equal(await refusal(signJwt(other, 'p256', claims())), 'signature');
    const good = signJwt(KEYS.ed25519, 'ed25519', claims());
    const [h, , s] = good.split('.');
    const forged = `${h}.${base64url(JSON.stringify(claims({ sub: 'mallory' })))}.${s}`;
    assert.equal(await refusal(forged), 'signature');
    // An ES256 header over the RSA key's kid: the key must fit the algorithm.
    const input = `${base64url(JSON.stringify({ alg: 'ES256', kid: 'rsa' }))}.${base64url(JSON.stringify(claims()))}`;
    const rsaSig = sign('sha256', Buffer.from(input), KEYS.rsa);
    assert.equal(await refusal(`${input}.${base64url(rsaSig)}`), 'signature');
  });

  it('refuses an unknown issuer and another audience', async () => {
    assert.equal(
      await refusal(signJwt(KEYS.p256, 'p256', claims({ iss: 'https://evil.example' }))),
      'issuer-unknown',
    );
    assert.equal(
      await refusal(signJwt(KEYS.p256, 'p256', claims({ aud: 'someone-else' }))),
      'audience',
    );
    assert.equal(await refusal(signJwt(KEYS.p256, 'p256', claims({ aud: undefined }))), 'audience');
  });

  it('checks exp, nbf and iat with the allowed skew', async () => {
    const at = (c: Record<string, unknown>) => signJwt(KEYS.ed25519, 'ed25519', claims(c));
    assert.equal(await refusal(at({ exp: T - 61 })), 'expired');
    await verifyIdToken(at({ exp: T - 59 }), opts);
    assert.equal(await refusal(at({ exp: T - 1 }), { ...opts, skewSeconds: 0 }), 'expired');
    assert.equal(await refusal(at({ nbf: T + 61 })), 'not-yet-valid');
    await verifyIdToken(at({ nbf: T + 59 }), opts);
    assert.equal(await refusal(at({ iat: T + 120 })), 'issued-in-future');
    assert.equal(await refusal(at({ exp: undefined })), 'malformed');
    assert.equal(await refusal(at({ exp: '9999999999' })), 'malformed');
    assert.equal(await refusal(at({ sub: '' })), 'malformed');
  });

  it('refuses a token that lives longer than the maximum (exp − iat), 10 minutes by default', async () => {
    const at = (c: Record<string, unknown>) => signJwt(KEYS.p256, 'p256', claims(c));
    await verifyIdToken(at({ iat: T - 10, exp: T - 10 + 600 }), opts);
    const e = await expectCustodyErrorAsync(
      () => verifyIdToken(at({ iat: T - 10, exp: T - 10 + 601 }), opts),
      SignError,
      'SIGN_TOKEN_INVALID',
    );
    assert.deepEqual(e.details, {
      reason: 'lifetime-too-long',
      lifetimeSeconds: 601,
      maxSeconds: DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
    });
    assert.equal(DEFAULT_MAX_TOKEN_LIFETIME_SECONDS, 600);
    // GitHub Actions' shape: nbf well before iat, exp five minutes after it.
    await verifyIdToken(at({ nbf: T - 600, iat: T - 5, exp: T + 295 }), opts);
    // Google's tokens live an hour: only with the maximum raised.
    const hour = at({ iat: T - 10, exp: T + 3590 });
    assert.equal(await refusal(hour), 'lifetime-too-long');
    await verifyIdToken(hour, { ...opts, maxLifetimeSeconds: 3600 });
    assert.equal(await refusal(at({}), { ...opts, maxLifetimeSeconds: 300 }), 'lifetime-too-long');
    // Without iat, it may live no longer from now (skew allowed).
    await verifyIdToken(at({ iat: undefined, exp: T + 600 }), opts);
    assert.equal(await refusal(at({ iat: undefined, exp: T + 3600 })), 'lifetime-too-long');
  });

  it('refuses malformed tokens as malformed, never with another error', async () => {
    for (const t of [
      '',
      'a.b',
      'a.b.c.d',
      '!!.e30.',
      `${base64url('[1]')}.${base64url('{}')}.`,
      'x'.repeat(20000),
    ]) {
      assert.equal(await refusal(t), 'malformed', t.slice(0, 40));
    }
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300 }), async (s) => {
        try {
          await verifyIdToken(s, opts);
          return false;
        } catch (e) {
          return e instanceof SignError && e.code === 'SIGN_TOKEN_INVALID';
        }
      }),
    );
  });

  it('peekIssuer reads iss before verification', () => {
    assert.equal(peekIssuer(signJwt(KEYS.p256, 'p256', claims())), ISS);
    expectCustodyError(
      () => peekIssuer(rawToken({ alg: 'none' }, { sub: 'x' })),
      SignError,
      'SIGN_TOKEN_INVALID',
    );
  });
});

describe('assertSubjectAllowed', () => {
  it('matches whole identities against the configured patterns', () => {
    assertSubjectAllowed('alice@example.com', undefined);
    assertSubjectAllowed('alice@example.com', []);
    assertSubjectAllowed('alice@example.com', ['.*@example\\.com']);
    const e = expectCustodyError(
      () => assertSubjectAllowed('alice@example.com.evil', ['.*@example\\.com']),
      SignError,
      'SIGN_TOKEN_INVALID',
    );
    assert.equal(e.details?.['reason'], 'subject-refused');
    assertSubjectAllowed('https://github.com/o/r/.github/workflows/release.yml@refs/heads/main', [
      'https://github\\.com/o/r/\\.github/workflows/release\\.yml@refs/(heads|tags)/.*',
    ]);
  });
});
