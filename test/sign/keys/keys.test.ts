import assert from 'node:assert/strict';
import {
  createHash,
  createPrivateKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  generateKeyPairSync,
} from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { SignError } from '../../../src/sign/errors.js';
import {
  type GeneratedKey,
  generateKey,
  KEY_TYPES,
  type KeyType,
  keyHint,
  loadSigningKey,
  loadVerificationKey,
  parseKeyType,
  publicKeyDetails,
} from '../../../src/sign/keys.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

// RSA-3072 generation takes a while; make each type once, plain and encrypted.
const PASSPHRASE = 'correct horse battery staple';
const plain = new Map<KeyType, GeneratedKey>();
const encrypted = new Map<KeyType, GeneratedKey>();
for (const t of KEY_TYPES) {
  plain.set(t, generateKey(t));
  encrypted.set(t, generateKey(t, { passphrase: PASSPHRASE }));
}
const get = (m: Map<KeyType, GeneratedKey>, t: KeyType) => m.get(t) as GeneratedKey;

const pkcs8 = (k: ReturnType<typeof generateKeyPairSync>['privateKey']) =>
  k.export({ type: 'pkcs8', format: 'pem' }) as string;

describe('generateKey', () => {
  for (const t of KEY_TYPES) {
    describe(t, () => {
      it('writes PKCS#8 PEM that loads back as the same type, and signs', () => {
        const g = get(plain, t);
        assert.match(g.privatePem, /^-----BEGIN PRIVATE KEY-----\n/);
        assert.match(g.publicPem, /^-----BEGIN PUBLIC KEY-----\n/);
        const k = loadSigningKey(g.privatePem);
        assert.equal(k.type, t === 'rsa-3072' ? 'rsa-3072' : t);
        assert.equal(k.publicPem, g.publicPem);
        assert.equal(k.hint, g.hint);
        const msg = Buffer.from('message');
        const sig = cryptoSign(k.digest, msg, k.privateKey);
        assert.ok(cryptoVerify(k.digest, msg, loadVerificationKey(g.publicPem).publicKey, sig));
      });

      it('encrypts with a passphrase (PBES2) and loads only with it', () => {
        const g = get(encrypted, t);
        assert.match(g.privatePem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
        const k = loadSigningKey(g.privatePem, PASSPHRASE);
        assert.equal(k.publicPem, g.publicPem);
        const wrong = expectCustodyError(
          () => loadSigningKey(g.privatePem, 'wrong'),
          SignError,
          'SIGN_KEY_INVALID',
        );
        assert.match(wrong.message, /passphrase is wrong/);
        for (const none of [undefined, '']) {
          const missing = expectCustodyError(
            () => loadSigningKey(g.privatePem, none),
            SignError,
            'SIGN_KEY_INVALID',
          );
          assert.match(missing.message, /encrypted/);
        }
      });

      it('has a hint of base64(SHA-256(SPKI DER)), as sigstore-go names keys', () => {
        const g = get(plain, t);
        const der = loadVerificationKey(g.publicPem).publicKey.export({
          type: 'spki',
          format: 'der',
        });
        assert.equal(g.hint, createHash('sha256').update(der).digest('base64'));
      });
    });
  }

  it('each generated key is new', () => {
    assert.notEqual(generateKey('ecdsa-p256').privatePem, get(plain, 'ecdsa-p256').privatePem);
  });

  it('refuses an empty passphrase and an unknown type', () => {
    expectCustodyError(
      () => generateKey('ed25519', { passphrase: '' }),
      SignError,
      'SIGN_KEY_INVALID',
    );
    expectCustodyError(() => generateKey('dsa-1024' as KeyType), SignError, 'SIGN_KEY_INVALID');
  });
});

describe('parseKeyType', () => {
  it('takes the four names and refuses others, naming the valid ones', () => {
    for (const t of KEY_TYPES) assert.equal(parseKeyType(t), t);
    const e = expectCustodyError(() => parseKeyType('rsa-1024'), SignError, 'SIGN_KEY_INVALID');
    assert.match(e.message, /ecdsa-p256, ecdsa-p384, ed25519, rsa-3072/);
  });
});

describe('loadSigningKey', () => {
  it('reads the formats OpenSSL writes: SEC1 EC and PKCS#1 RSA keys, and bytes', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const sec1 = ec.privateKey.export({ type: 'sec1', format: 'pem' }) as string;
    assert.match(sec1, /BEGIN EC PRIVATE KEY/);
    assert.equal(loadSigningKey(sec1).type, 'ecdsa-p384');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
    assert.equal(loadSigningKey(Buffer.from(pkcs1)).type, 'rsa-2048');
  });

  it('refuses curves and sizes Custody does not sign with', () => {
    const unsupported = [
      generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey,
      generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey,
      generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey,
      generateKeyPairSync('x25519').privateKey,
      generateKeyPairSync('ed448').privateKey,
    ];
    for (const k of unsupported) {
      const e = expectCustodyError(() => loadSigningKey(pkcs8(k)), SignError, 'SIGN_KEY_INVALID');
      assert.match(e.message, /unsupported key/);
    }
  });

  it('refuses a public key or certificate, saying signing needs the private key', () => {
    const e = expectCustodyError(
      () => loadSigningKey(get(plain, 'ecdsa-p256').publicPem),
      SignError,
      'SIGN_KEY_INVALID',
    );
    assert.match(e.message, /public key/);
  });

  it('refuses damaged PEM', () => {
    const pem = get(plain, 'ecdsa-p256').privatePem;
    const damaged = pem.replace(/\n(.{10})/, '\n!!!!!!!!!!');
    expectCustodyError(() => loadSigningKey(damaged), SignError, 'SIGN_KEY_INVALID');
    expectCustodyError(() => loadSigningKey(''), SignError, 'SIGN_KEY_INVALID');
  });

  it('refuses a damaged encrypted key as a wrong passphrase would be', () => {
    const pem = get(encrypted, 'ecdsa-p256').privatePem;
    const lines = pem.split('\n');
    lines[3] = (lines[3] as string).replace(/^./, (c) => (c === 'A' ? 'B' : 'A'));
    expectCustodyError(
      () => loadSigningKey(lines.join('\n'), PASSPHRASE),
      SignError,
      'SIGN_KEY_INVALID',
    );
  });

  it('arbitrary bytes, bare or inside PEM armour, load or fail with SIGN_KEY_INVALID', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, armour) => {
        const input = armour
          ? `-----BEGIN PRIVATE KEY-----\n${Buffer.from(bytes).toString('base64')}\n-----END PRIVATE KEY-----\n`
          : bytes;
        try {
          loadSigningKey(input);
        } catch (e) {
          assert.ok(e instanceof SignError, String(e));
          assert.equal(e.code, 'SIGN_KEY_INVALID');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('loadVerificationKey', () => {
  it('reads a public key and gives the same hint as its private key', () => {
    for (const t of KEY_TYPES) {
      const g = get(plain, t);
      const v = loadVerificationKey(g.publicPem);
      assert.equal(v.hint, loadSigningKey(g.privatePem).hint);
      assert.equal(v.hint, keyHint(v.publicKey));
    }
  });

  it('refuses a private key (verification takes the public one) and non-keys', () => {
    const e = expectCustodyError(
      () => loadVerificationKey(get(plain, 'ed25519').privatePem),
      SignError,
      'SIGN_KEY_INVALID',
    );
    assert.match(e.message, /private key/);
    expectCustodyError(() => loadVerificationKey('hello'), SignError, 'SIGN_KEY_INVALID');
    const p521 = generateKeyPairSync('ec', { namedCurve: 'P-521' }).publicKey;
    expectCustodyError(
      () => loadVerificationKey(p521.export({ type: 'spki', format: 'pem' }) as string),
      SignError,
      'SIGN_KEY_INVALID',
    );
  });
});

describe('publicKeyDetails', () => {
  it('names each key type as Sigstore trusted roots do', () => {
    assert.equal(publicKeyDetails('ecdsa-p256'), 'PKIX_ECDSA_P256_SHA_256');
    assert.equal(publicKeyDetails('ecdsa-p384'), 'PKIX_ECDSA_P384_SHA_384');
    assert.equal(publicKeyDetails('ed25519'), 'PKIX_ED25519');
    assert.equal(publicKeyDetails('rsa-3072'), 'PKIX_RSA_PKCS1V15_3072_SHA256');
  });

  it('a generated private key also loads with node:crypto and OpenSSL conventions', () => {
    // The encrypted form is standard PKCS#8 (PBES2), so other tools can read it too.
    const k = createPrivateKey({
      key: get(encrypted, 'ecdsa-p256').privatePem,
      passphrase: PASSPHRASE,
    });
    assert.equal(k.asymmetricKeyType, 'ec');
  });
});
