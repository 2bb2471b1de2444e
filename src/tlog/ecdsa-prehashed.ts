import type { KeyObject } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist.js';
import { NATIVE_PREHASHED, nativeVerifyPrehashed } from './prehashed.js';

/**
 * ECDSA verification over a digest the caller computed (Rekor's hashedrekord signs the artifact's
 * digest). Node's crypto.verify always hashes its input, so this tries the native addon first
 * (prehashed.ts) and otherwise verifies with @noble/curves.
 */

// Node's OpenSSL curve names; verification handles only public values, so constant time is moot.
const CURVES = { prime256v1: p256, secp384r1: p384 } as const;

/**
 * Which implementation checks the signature: `auto` the native addon when it is built, else
 * JavaScript; `native` or `js` one of them alone (tests run both, whatever the build did).
 */
export type PrehashedPath = 'auto' | 'native' | 'js';

/**
 * ECDSA verification (SEC 1 §4.1.4) of an ASN.1 DER signature over a digest that the caller
 * computed: what Go's ecdsa.VerifyASN1, and so Rekor's hashedrekord, does.
 * @throws Error for path `native` when the addon is not built (a setup fault, not input)
 */
export function verifyEcdsaPrehashed(
  key: KeyObject,
  digest: Uint8Array,
  sig: Uint8Array,
  path: PrehashedPath = 'auto',
): boolean {
  // Both paths take the same curves: the addon alone would also verify on secp256k1 and others.
  if (!isPrehashedCurve(key.asymmetricKeyDetails?.namedCurve ?? '')) return false;
  if (path === 'js') return verifyEcdsaPrehashedJs(key, digest, sig);
  // The native path (OpenSSL inside Node.js) when the addon is built; noble's otherwise.
  const native = nativeVerifyPrehashed(key, digest, sig);
  if (native !== undefined) return native;
  if (path === 'native') {
    if (!NATIVE_PREHASHED)
      throw new Error('the native ECDSA addon (build/Release/custody_prehashed.node) is not built');
    // The addon could not take the key (a curve it does not know): not a valid signature.
    return false;
  }
  return verifyEcdsaPrehashedJs(key, digest, sig);
}

/**
 * The JavaScript path alone (exported for tests of both paths). Strict DER, as Go's cryptobyte
 * parses it; high-S signatures are accepted, as OpenSSL and Go accept them.
 */
export function verifyEcdsaPrehashedJs(
  key: KeyObject,
  digest: Uint8Array,
  sig: Uint8Array,
): boolean {
  const curve = CURVES[(key.asymmetricKeyDetails?.namedCurve ?? '') as keyof typeof CURVES];
  if (curve === undefined) return false;
  const jwk = key.export({ format: 'jwk' });
  const point = Buffer.concat([
    Buffer.from([0x04]),
    Buffer.from(jwk.x ?? '', 'base64url'),
    Buffer.from(jwk.y ?? '', 'base64url'),
  ]);
  try {
    return curve.verify(sig, digest, point, { prehash: false, format: 'der', lowS: false });
  } catch {
    // Malformed DER or a point off the curve: not a valid signature.
    return false;
  }
}

/**
 * The other encoding of the same ECDSA signature: (r, n − s) as strict DER. ECDSA is malleable,
 * so whoever holds a valid signature can make its twin without the key; the log treats both as one
 * entry (entry-hashedrekord.ts). Undefined when the key is not on P-256/P-384 or `sig` is not a
 * strict DER encoding of 0 < r, s < n (such a signature does not verify anyway).
 *
 * Every hashedrekord append computes it, so it reads the DER itself (X.690 §8.3 and §10.1: short
 * lengths, minimal two's-complement integers, nothing after) instead of through a generic
 * parser, which cost as much as a third of the signature check.
 */
export function ecdsaSignatureTwin(key: KeyObject, sig: Uint8Array): Uint8Array | undefined {
  const n = ORDERS[(key.asymmetricKeyDetails?.namedCurve ?? '') as keyof typeof ORDERS];
  if (n === undefined) return undefined;
  // SEQUENCE { INTEGER r, INTEGER s }: on these curves always shorter than 128 bytes, so every
  // length is one byte (DER forbids the long form below 128).
  if (sig.length < 8 || sig[0] !== 0x30 || sig[1] !== sig.length - 2) return undefined;
  const r = derPositiveInteger(sig, 2);
  if (r === undefined) return undefined;
  const s = derPositiveInteger(sig, r.end);
  if (s === undefined || s.end !== sig.length) return undefined;
  if (r.value >= n || s.value >= n) return undefined;
  const rBytes = sig.subarray(2 + 2, r.end);
  const twinS = derIntegerContent(n - s.value);
  const out = new Uint8Array(6 + rBytes.length + twinS.length);
  out[0] = 0x30;
  out[1] = out.length - 2;
  out[2] = 0x02;
  out[3] = rBytes.length;
  out.set(rBytes, 4);
  out[4 + rBytes.length] = 0x02;
  out[5 + rBytes.length] = twinS.length;
  out.set(twinS, 6 + rBytes.length);
  return out;
}

// The group orders n of the curves (SEC 2 §2.4.2, §2.5.1), by Node's OpenSSL names.
const ORDERS = {
  prime256v1: BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
  secp384r1: BigInt(
    '0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
  ),
} as const;

/** A DER INTEGER at `at` that is minimal and greater than zero, and where it ends. */
function derPositiveInteger(b: Uint8Array, at: number): { value: bigint; end: number } | undefined {
  if (b[at] !== 0x02) return undefined;
  const len = b[at + 1] as number;
  const start = at + 2;
  const end = start + len;
  if (len === 0 || len >= 0x80 || end > b.length) return undefined;
  const first = b[start] as number;
  // Negative, or a leading zero byte that is not needed to keep the value positive.
  if (first & 0x80) return undefined;
  if (first === 0 && (len === 1 || ((b[start + 1] as number) & 0x80) === 0)) return undefined;
  const value = BigInt(`0x${Buffer.from(b.buffer, b.byteOffset + start, len).toString('hex')}`);
  return value === 0n ? undefined : { value, end };
}

/** The minimal DER content octets of a positive integer. */
function derIntegerContent(v: bigint): Uint8Array {
  let hex = v.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (Number.parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** Whether `namedCurve` (Node's OpenSSL name) is one this module can verify on. */
export function isPrehashedCurve(namedCurve: string): boolean {
  return namedCurve in CURVES;
}
