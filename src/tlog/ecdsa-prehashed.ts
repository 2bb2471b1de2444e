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
 */
export function ecdsaSignatureTwin(key: KeyObject, sig: Uint8Array): Uint8Array | undefined {
  const curve = CURVES[(key.asymmetricKeyDetails?.namedCurve ?? '') as keyof typeof CURVES];
  if (curve === undefined) return undefined;
  try {
    const parsed = curve.Signature.fromBytes(sig, 'der');
    // Only the encoding the signer sent, byte for byte: BER leniency gives no twins.
    if (!Buffer.from(parsed.toBytes('der')).equals(Buffer.from(sig))) return undefined;
    const n = curve.Point.CURVE().n;
    return new curve.Signature(parsed.r, n - parsed.s).toBytes('der');
  } catch {
    return undefined;
  }
}

/** Whether `namedCurve` (Node's OpenSSL name) is one this module can verify on. */
export function isPrehashedCurve(namedCurve: string): boolean {
  return namedCurve in CURVES;
}
