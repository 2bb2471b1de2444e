import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { p256, p384 } from '@noble/curves/nist.js';
import { ecdsaSignatureTwin } from '../../src/tlog/ecdsa-prehashed.js';

/**
 * The log reads an ECDSA signature's DER itself to find its twin (r, n − s). It must answer
 * exactly what @noble/curves answers (parse, require the strict encoding byte for byte, negate s)
 * for every input: valid signatures of both curves, and any bytes a client may send instead.
 */

const CURVES = { prime256v1: p256, secp384r1: p384 } as const;

function reference(key: KeyObject, sig: Uint8Array): Uint8Array | undefined {
  const curve = CURVES[key.asymmetricKeyDetails?.namedCurve as keyof typeof CURVES];
  try {
    const parsed = curve.Signature.fromBytes(sig, 'der');
    if (!Buffer.from(parsed.toBytes('der')).equals(Buffer.from(sig))) return undefined;
    return new curve.Signature(parsed.r, curve.Point.CURVE().n - parsed.s).toBytes('der');
  } catch {
    return undefined;
  }
}

function same(key: KeyObject, sig: Uint8Array, what: string): void {
  const want = reference(key, sig);
  const got = ecdsaSignatureTwin(key, sig);
  assert.deepEqual(
    got === undefined ? undefined : Buffer.from(got).toString('hex'),
    want === undefined ? undefined : Buffer.from(want).toString('hex'),
    `${what}: ${Buffer.from(sig).toString('hex')}`,
  );
}

// A deterministic stream of pseudo-random numbers, so a failure can be replayed.
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x;
  };
}

function derInt(hex: string): string {
  return `02${(hex.length / 2).toString(16).padStart(2, '0')}${hex}`;
}

function seq(body: string): Uint8Array {
  return Buffer.from(`30${(body.length / 2).toString(16).padStart(2, '0')}${body}`, 'hex');
}

describe('ECDSA signature twins', () => {
  for (const namedCurve of ['P-256', 'P-384'] as const) {
    it(`${namedCurve}: the same answer as @noble/curves for signatures and their mutations`, () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
      const next = lcg(namedCurve === 'P-256' ? 7 : 11);
      for (let i = 0; i < 300; i++) {
        const sig = new Uint8Array(sign('sha256', Buffer.from(`m ${i}`), privateKey));
        same(publicKey, sig, 'a signature');
        const twin = ecdsaSignatureTwin(publicKey, sig);
        if (twin !== undefined) same(publicKey, twin, 'a twin');
        // One byte changed, one byte more or fewer: mostly not strict DER any more.
        const flipped = sig.slice();
        const at = next() % flipped.length;
        flipped[at] = (flipped[at] as number) ^ (1 << (next() % 8));
        same(publicKey, flipped, 'a flipped bit');
        same(publicKey, sig.subarray(0, sig.length - 1), 'one byte short');
        same(publicKey, Buffer.concat([sig, Buffer.from([next() % 256])]), 'one byte more');
      }
    });
  }

  it('encodings at the edges: zero, leading zeros, negative, out of range, long forms', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const n = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551';
    const nMinus1 = 'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550';
    const cases: [string, Uint8Array][] = [
      ['r = 1, s = 1', seq(derInt('01') + derInt('01'))],
      ['r = 0', seq(derInt('00') + derInt('01'))],
      ['s = 0', seq(derInt('01') + derInt('00'))],
      ['a needless leading zero', seq(derInt('0001') + derInt('01'))],
      ['a needed leading zero', seq(derInt(`00${nMinus1}`) + derInt('01'))],
      ['s = n − 1', seq(derInt('01') + derInt(`00${nMinus1}`))],
      ['s = n', seq(derInt('01') + derInt(`00${n}`))],
      ['r = n', seq(derInt(`00${n}`) + derInt('01'))],
      ['a negative r', seq(derInt('80') + derInt('01'))],
      ['an empty integer', seq(`0200${derInt('01')}`)],
      ['a long-form length', Buffer.from(`3081060201010201 01`.replace(/ /g, ''), 'hex')],
      ['a wrong tag', Buffer.from('3106020101020101', 'hex')],
      ['nothing', new Uint8Array()],
    ];
    for (const [what, sig] of cases) same(publicKey, sig, what);
    const ed = generateKeyPairSync('ed25519').publicKey;
    assert.equal(ecdsaSignatureTwin(ed, seq(derInt('01') + derInt('01'))), undefined);
  });
});
