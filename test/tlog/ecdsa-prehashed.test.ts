import assert from 'node:assert/strict';
import {
  createHash,
  sign as cryptoSign,
  verify as cryptoVerify,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { describe, it } from 'node:test';
import { p256, p384 } from '@noble/curves/nist.js';
import {
  ecdsaSignatureTwin,
  type PrehashedPath,
  verifyEcdsaPrehashed,
} from '../../src/tlog/ecdsa-prehashed.js';
import { NATIVE_PREHASHED } from '../../src/tlog/prehashed.js';

/**
 * ECDSA over a digest has two implementations: the native addon (OpenSSL inside Node.js) when it
 * is built, and @noble/curves otherwise. Whatever the build did, both run here on the same
 * vectors — valid and invalid, P-256 and P-384, low-s and high-s, DER and not — and must give the
 * verdict Node's own verify gives over the message. Without the addon the native half is skipped
 * and says so, except in CI (CI=true), where a missing addon fails.
 */

interface Vector {
  desc: string;
  key: KeyObject;
  digest: Uint8Array;
  sig: Uint8Array;
  expect: boolean;
  /** The message and hash, for the vectors Node can check over the message. */
  oracle?: { hash: string; msg: Uint8Array };
}

const CURVES = {
  'P-256': { noble: p256, hashes: ['sha256', 'sha384', 'sha512'] },
  'P-384': { noble: p384, hashes: ['sha256', 'sha384', 'sha512'] },
} as const;

// A DER ECDSA-Sig-Value of (r, s), written by hand: noble refuses to encode out-of-range values.
function der(_noble: typeof p256 | typeof p384, r: bigint, s: bigint): Uint8Array {
  const int = (v: bigint): Buffer => {
    let h = v.toString(16);
    if (h.length % 2) h = `0${h}`;
    const b = Buffer.from(h, 'hex');
    const body = (b[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
    return Buffer.concat([Buffer.from([0x02, body.length]), body]);
  };
  const body = Buffer.concat([int(r), int(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}

function vectors(): Vector[] {
  const out: Vector[] = [];
  for (const [curve, { noble, hashes }] of Object.entries(CURVES)) {
    const k = generateKeyPairSync('ec', { namedCurve: curve });
    const other = generateKeyPairSync('ec', { namedCurve: curve });
    const n = noble.Point.CURVE().n;
    for (const hash of hashes) {
      const msg = Buffer.from(`${curve} ${hash} message`);
      const digest = createHash(hash).update(msg).digest();
      const sig = cryptoSign(hash, msg, k.privateKey);
      const { r, s } = noble.Signature.fromBytes(sig, 'der');
      const at = `${curve}/${hash}`;
      const oracle = { hash, msg };
      const flipped = Buffer.from(digest);
      flipped.writeUInt8((flipped[0] as number) ^ 0x80, 0);
      const badSig = Buffer.from(sig);
      badSig.writeUInt8((badSig.at(-1) as number) ^ 1, badSig.length - 1);
      out.push(
        { desc: `${at}: valid`, key: k.publicKey, digest, sig, expect: true, oracle },
        // Both s and n − s verify (OpenSSL and Go accept high-s).
        {
          desc: `${at}: its twin (r, n − s)`,
          key: k.publicKey,
          digest,
          sig: der(noble, r, n - s),
          expect: true,
          oracle,
        },
        { desc: `${at}: another key`, key: other.publicKey, digest, sig, expect: false, oracle },
        {
          desc: `${at}: a flipped digest bit`,
          key: k.publicKey,
          digest: flipped,
          sig,
          expect: false,
        },
        {
          desc: `${at}: a flipped signature bit`,
          key: k.publicKey,
          digest,
          sig: badSig,
          expect: false,
        },
        { desc: `${at}: r = 0`, key: k.publicKey, digest, sig: der(noble, 0n, s), expect: false },
        { desc: `${at}: s = n`, key: k.publicKey, digest, sig: der(noble, r, n), expect: false },
        {
          desc: `${at}: IEEE P1363 instead of DER`,
          key: k.publicKey,
          digest,
          sig: cryptoSign(hash, msg, { key: k.privateKey, dsaEncoding: 'ieee-p1363' }),
          expect: false,
        },
        {
          desc: `${at}: a trailing byte after the DER`,
          key: k.publicKey,
          digest,
          sig: Buffer.concat([sig, Buffer.from([0])]),
          expect: false,
        },
        {
          desc: `${at}: an empty signature`,
          key: k.publicKey,
          digest,
          sig: new Uint8Array(),
          expect: false,
        },
      );
    }
  }
  const k1 = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
  const msg = Buffer.from('k1');
  out.push({
    desc: 'secp256k1: a curve neither path takes',
    key: k1.publicKey,
    digest: createHash('sha256').update(msg).digest(),
    sig: cryptoSign('sha256', msg, k1.privateKey),
    expect: false,
  });
  return out;
}

const VECTORS = vectors();

describe('ECDSA over a digest: the same vectors through both implementations', () => {
  it('the vectors agree with Node verifying the message (the oracle)', () => {
    const checked = VECTORS.filter((v) => v.oracle !== undefined);
    assert.ok(checked.length >= 18);
    for (const v of checked) {
      const { hash, msg } = v.oracle as NonNullable<Vector['oracle']>;
      assert.equal(cryptoVerify(hash, msg, v.key, v.sig), v.expect, v.desc);
    }
  });

  for (const path of ['js', 'native'] as const satisfies PrehashedPath[]) {
    it(`the ${path} path gives every vector's verdict`, (t) => {
      if (path === 'native' && !NATIVE_PREHASHED) {
        assert.notEqual(
          process.env['CI'],
          'true',
          'the native addon is not built in CI: run `npm rebuild` (node-gyp) before the tests',
        );
        t.skip('the native addon is not built here: only the JavaScript path ran');
        return;
      }
      for (const v of VECTORS) {
        assert.equal(verifyEcdsaPrehashed(v.key, v.digest, v.sig, path), v.expect, v.desc);
      }
    });
  }

  it('the default path is the native one when built, and agrees with the JavaScript one', () => {
    for (const v of VECTORS) {
      assert.equal(verifyEcdsaPrehashed(v.key, v.digest, v.sig), v.expect, v.desc);
    }
    if (!NATIVE_PREHASHED) {
      assert.throws(
        () =>
          verifyEcdsaPrehashed(
            VECTORS[0]?.key as KeyObject,
            new Uint8Array(32),
            new Uint8Array(8),
            'native',
          ),
        /not built/,
      );
    }
  });

  it("a signature's twin verifies under Node too, and the twin of the twin is the signature", () => {
    for (const curve of ['P-256', 'P-384'] as const) {
      const k = generateKeyPairSync('ec', { namedCurve: curve });
      const msg = Buffer.from('twin');
      const hash = curve === 'P-256' ? 'sha256' : 'sha384';
      const sig = cryptoSign(hash, msg, k.privateKey);
      const twin = ecdsaSignatureTwin(k.publicKey, sig) as Uint8Array;
      assert.ok(twin);
      assert.notDeepEqual(Buffer.from(twin), sig);
      assert.ok(cryptoVerify(hash, msg, k.publicKey, twin));
      assert.deepEqual(Buffer.from(ecdsaSignatureTwin(k.publicKey, twin) as Uint8Array), sig);
      // Not strict DER, or not ECDSA on these curves: no twin.
      assert.equal(
        ecdsaSignatureTwin(k.publicKey, Buffer.concat([sig, Buffer.from([0])])),
        undefined,
      );
      const ed = generateKeyPairSync('ed25519');
      assert.equal(ecdsaSignatureTwin(ed.publicKey, sig), undefined);
    }
  });
});
