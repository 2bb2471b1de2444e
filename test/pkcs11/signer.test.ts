import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, verify } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { openPkcs11Signer, type Pkcs11Signer } from '../../src/pkcs11/index.js';
import { SignError } from '../../src/sign/errors.js';
import { keyHint } from '../../src/sign/keys.js';
import { expectCustodyErrorAsync } from '../helpers/expect-error.js';
import { createToken, ecKey, SKIP, SOFTHSM_MODULE, type TestToken } from './softhsm.js';

/**
 * openPkcs11Signer against SoftHSM2: every test makes its own token in a temporary directory,
 * puts a key on it, signs, and checks the signature with node:crypto.
 */

const DATA = Buffer.from('release artifact bytes\n');
const NO_ENV = {};

let token: TestToken | undefined;
const signers: Pkcs11Signer[] = [];
async function open(uri: string, env = NO_ENV, o = {}): Promise<Pkcs11Signer> {
  const s = await openPkcs11Signer(uri, env, o);
  signers.push(s);
  return s;
}
afterEach(async () => {
  // Closing every signer finalizes SoftHSM2, so the next test's SOFTHSM2_CONF is read afresh.
  for (const s of signers.splice(0)) await s.close();
  token?.remove();
  token = undefined;
});

describe('openPkcs11Signer with SoftHSM2', { skip: SKIP }, () => {
  it('signs with an imported P-256 key found by label; node:crypto verifies the DER signature', async () => {
    token = createToken();
    const k = ecKey();
    token.importKey(k.privateKey, { label: 'release', id: '01' });
    const signer = await open(token.uri('object=release'));
    assert.equal(signer.type, 'ecdsa-p256');
    assert.ok(signer.publicKey.equals(k.publicKey));
    assert.equal(signer.hint, keyHint(k.publicKey));
    assert.equal(signer.publicPem, k.publicKey.export({ type: 'spki', format: 'pem' }));
    const { signature, key } = await signer.sign(DATA);
    assert.equal(signature[0], 0x30, 'a DER SEQUENCE');
    assert.ok(verify('sha256', DATA, k.publicKey, signature));
    assert.ok(!verify('sha256', Buffer.from('other'), k.publicKey, signature));
    assert.deepEqual(key, { $case: 'publicKey', publicKey: signer.publicPem, hint: signer.hint });
    assert.ok(!signer.uri.includes(token.pin), 'the PIN stays out of the URI shown');
  });

  it('signs with a key generated on the token (C_GenerateKeyPair), found by id', async () => {
    token = createToken();
    token.generateEcKey({ label: 'gen', id: 'a1b2' });
    const signer = await open(token.uri('id=%A1%B2;type=private'));
    for (let i = 0; i < 5; i++) {
      const data = Buffer.from(`message ${i}`);
      assert.ok(verify('sha256', data, signer.publicKey, (await signer.sign(data)).signature));
    }
  });

  it('signs a SHA-256 digest computed elsewhere (signDigest)', async () => {
    token = createToken();
    const k = ecKey();
    token.importKey(k.privateKey, { label: 'd', id: '02' });
    const signer = await open(token.uri('object=d'));
    const digest = createHash('sha256').update(DATA).digest();
    assert.ok(verify('sha256', DATA, k.publicKey, await signer.signDigest(digest)));
    await expectCustodyErrorAsync(
      () => signer.signDigest(new Uint8Array(20)),
      SignError,
      'SIGN_KEY_INVALID',
    );
  });

  it('signs with P-384 (over SHA-256, as key files do) and RSA PKCS#1 v1.5', async () => {
    token = createToken();
    const p384 = ecKey('P-384');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    token.importKey(p384.privateKey, { label: 'p384', id: '03' });
    token.importKey(rsa.privateKey, { label: 'rsa', id: '04' });
    const s384 = await open(token.uri('object=p384'));
    assert.equal(s384.type, 'ecdsa-p384');
    assert.ok(verify('sha256', DATA, p384.publicKey, (await s384.sign(DATA)).signature));
    const sRsa = await open(token.uri('object=rsa'));
    assert.equal(sRsa.type, 'rsa-2048');
    assert.ok(sRsa.publicKey.equals(rsa.publicKey));
    assert.ok(verify('sha256', DATA, rsa.publicKey, (await sRsa.sign(DATA)).signature));
    const digest = createHash('sha256').update(DATA).digest();
    assert.ok(verify('sha256', DATA, rsa.publicKey, await sRsa.signDigest(digest)));
  });

  it('signs concurrently on a bounded pool of sessions', async () => {
    token = createToken();
    const k = ecKey();
    token.importKey(k.privateKey, { label: 'c', id: '05' });
    let opened = 0;
    const signer = await open(token.uri('object=c'), NO_ENV, {
      sessions: 2,
      wrapModule: (m: object) =>
        new Proxy(m, {
          get(t, p, r) {
            const v = Reflect.get(t, p, r);
            if (p !== 'C_OpenSession') return typeof v === 'function' ? v.bind(t) : v;
            return (...a: unknown[]) => {
              opened++;
              return v.apply(t, a);
            };
          },
        }),
    });
    const data = Array.from({ length: 40 }, (_, i) => Buffer.from(`artifact ${i}`));
    const sigs = await Promise.all(data.map((d) => signer.sign(d)));
    for (const [i, s] of sigs.entries())
      assert.ok(verify('sha256', data[i] as Buffer, k.publicKey, s.signature));
    assert.ok(opened <= 2, `opened ${opened} sessions`);
  });

  it('takes the PIN from pin-source (file: URI or path) or CUSTODY_PKCS11_PIN, and the module from CUSTODY_PKCS11_MODULE or module-name', async () => {
    token = createToken();
    const k = ecKey();
    token.importKey(k.privateKey, { label: 'p', id: '06' });
    const pinFile = join(token.dir, 'pin');
    writeFileSync(pinFile, `${token.pin}\n`, { mode: 0o600 });
    const base = `pkcs11:token=${token.label};object=p`;
    const uris = [
      `${base}?module-path=${SOFTHSM_MODULE}&pin-source=file:${pinFile}`,
      `${base}?module-path=${SOFTHSM_MODULE}&pin-source=${pinFile}`,
      `${base}?module-name=softhsm2&pin-value=${token.pin}`,
    ];
    for (const uri of uris) {
      const s = await open(uri);
      assert.ok(verify('sha256', DATA, k.publicKey, (await s.sign(DATA)).signature), uri);
    }
    const s = await open(base, {
      CUSTODY_PKCS11_MODULE: SOFTHSM_MODULE,
      CUSTODY_PKCS11_PIN: token.pin,
    });
    assert.ok(verify('sha256', DATA, k.publicKey, (await s.sign(DATA)).signature));
  });

  it('refuses to hand out a signature that does not verify with the public key found beside the key', async () => {
    token = createToken();
    token.importKey(ecKey().privateKey, { label: 'mixed', id: '08', noPublicKey: true });
    token.createEcPublicKey(ecKey().publicKey, { label: 'mixed', id: '08' });
    const s = await open(token.uri('object=mixed'));
    const e = await expectCustodyErrorAsync(() => s.sign(DATA), SignError, 'SIGN_KEY_INVALID');
    assert.match(e.message, /do not belong together/);
  });

  it('after close, signing fails and closing again is harmless', async () => {
    token = createToken();
    token.importKey(ecKey().privateKey, { label: 'x', id: '07' });
    const s = await openPkcs11Signer(token.uri('object=x'), NO_ENV);
    await s.close();
    await s.close();
    await assert.rejects(() => s.sign(DATA), /closed/);
  });
});

describe('openPkcs11Signer refuses, saying what is wrong', { skip: SKIP }, () => {
  const cases: [string, (t: TestToken) => string, RegExp, object?][] = [
    ['a wrong PIN', (t) => t.uri('object=k').replace(t.pin, '000000'), /refused the PIN/],
    [
      'no PIN at all',
      (t) => `pkcs11:token=${t.label};object=k?module-path=${SOFTHSM_MODULE}`,
      /needs a PIN/,
    ],
    [
      'a token that is not there',
      (t) => t.uri().replace(t.label, 'nope'),
      /No token matches.*"custody-test"/,
    ],
    ['a label that is not there', (t) => t.uri('object=other'), /No private key.*object=k;id=01/],
    ['an id that is not there', (t) => t.uri('id=%FF'), /No private key/],
    ['two keys under one label', (t) => t.uri('object=dup'), /2 private keys match/],
    ['type=public', (t) => t.uri('object=k;type=public'), /needs the private key/],
    ['a key without its public half', (t) => t.uri('object=nopub'), /not its public key/],
    ['no module', (t) => `pkcs11:token=${t.label};object=k?pin-value=${t.pin}`, /names no module/],
    [
      'a module that does not load',
      (t) => t.uri('object=k').replace(SOFTHSM_MODULE, '/nonexistent/libp11.so'),
      /Cannot load the PKCS#11 module/,
    ],
    [
      'a module name not found',
      (t) => `pkcs11:token=${t.label}?module-name=nope`,
      /No PKCS#11 module named nope/,
    ],
    [
      'a PIN file not there',
      (t) =>
        `${t.uri('object=k').split('?')[0]}?module-path=${SOFTHSM_MODULE}&pin-source=file:/nonexistent/pin`,
      /Cannot read the PIN.*ENOENT/,
    ],
    [
      'a PIN command',
      (t) =>
        `${t.uri('object=k').split('?')[0]}?module-path=${SOFTHSM_MODULE}&pin-source=%7Cecho%201234`,
      /not supported/,
    ],
    ['a malformed URI', () => 'pkcs11:token=a;token=b', /appears twice/],
  ];
  for (const [what, uri, message] of cases) {
    it(`${what}: SIGN_KEY_INVALID`, async () => {
      token = createToken();
      token.importKey(ecKey().privateKey, { label: 'k', id: '01' });
      token.importKey(ecKey().privateKey, { label: 'dup', id: '02' });
      token.importKey(ecKey().privateKey, { label: 'dup', id: '03' });
      token.importKey(ecKey().privateKey, { label: 'nopub', id: '04', noPublicKey: true });
      const e = await expectCustodyErrorAsync(
        () => open(uri(token as TestToken)),
        SignError,
        'SIGN_KEY_INVALID',
      );
      assert.match(e.message, message);
      assert.ok(!e.message.includes((token as TestToken).pin), 'no PIN in the message');
    });
  }
});
