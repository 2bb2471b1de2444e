import type { KeyObject } from 'node:crypto';
import { nativeVerifyPrehashed } from './prehashed.js';

/**
 * ECDSA verification over a digest the caller computed (Rekor's hashedrekord signs the artifact's
 * digest). Node's crypto.verify always hashes its input, so this tries the native addon first
 * (prehashed.ts) and otherwise does the curve arithmetic in JavaScript.
 */

interface Curve {
  p: bigint;
  n: bigint;
  b: bigint;
  gx: bigint;
  gy: bigint;
}

// FIPS 186-4 §D.1.2 (a = -3 on both). Node has no prehashed ECDSA, so verification is done here;
// it handles only public values, so it need not run in constant time.
const EC_CURVES: Record<string, Curve> = {
  prime256v1: {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
  },
  secp384r1: {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
  },
};

/**
 * ECDSA verification (SEC 1 §4.1.4) of an ASN.1 DER signature over a digest that the caller
 * computed: what Go's ecdsa.VerifyASN1, and so Rekor's hashedrekord, does.
 */
export function verifyEcdsaPrehashed(key: KeyObject, digest: Uint8Array, sig: Uint8Array): boolean {
  // The native path (OpenSSL inside Node.js) when the addon is built; this one otherwise.
  const native = nativeVerifyPrehashed(key, digest, sig);
  if (native !== undefined) return native;
  const curve = EC_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ''];
  if (curve === undefined) return false;
  const rs = parseDerSignature(sig);
  if (rs === undefined) return false;
  const [r, s] = rs;
  const { n, p } = curve;
  if (r <= 0n || r >= n || s <= 0n || s >= n) return false;
  const jwk = key.export({ format: 'jwk' });
  const q: Affine = [b64uInt(jwk.x), b64uInt(jwk.y)];
  if (!onCurve(curve, q)) return false;
  const e = digestToInt(digest, n);
  const w = modPow(s, n - 2n, n);
  const u1 = mod(e * w, n);
  const u2 = mod(r * w, n);
  const point = toAffine(shamir(curve, u1, [curve.gx, curve.gy], u2, q), p);
  return point !== undefined && mod(point[0], n) === r;
}

type Affine = [bigint, bigint];
type Jacobian = [bigint, bigint, bigint];

function onCurve(c: Curve, [x, y]: Affine): boolean {
  if (x < 0n || x >= c.p || y < 0n || y >= c.p) return false;
  return mod(y * y - (x * x * x - 3n * x + c.b), c.p) === 0n;
}

// u1·G + u2·Q with one shared doubling chain.
function shamir(c: Curve, u1: bigint, g: Affine, u2: bigint, q: Affine): Jacobian {
  const gj: Jacobian = [g[0], g[1], 1n];
  const qj: Jacobian = [q[0], q[1], 1n];
  const gq = jAdd(gj, qj, c.p);
  let acc: Jacobian = [1n, 1n, 0n];
  const bits = Math.max(u1.toString(2).length, u2.toString(2).length);
  for (let i = bits - 1; i >= 0; i--) {
    acc = jDouble(acc, c.p);
    const b1 = (u1 >> BigInt(i)) & 1n;
    const b2 = (u2 >> BigInt(i)) & 1n;
    if (b1 && b2) acc = jAdd(acc, gq, c.p);
    else if (b1) acc = jAdd(acc, gj, c.p);
    else if (b2) acc = jAdd(acc, qj, c.p);
  }
  return acc;
}

// dbl-2001-b for a = -3.
function jDouble([x, y, z]: Jacobian, p: bigint): Jacobian {
  if (z === 0n || y === 0n) return [1n, 1n, 0n];
  const delta = mod(z * z, p);
  const gamma = mod(y * y, p);
  const beta = mod(x * gamma, p);
  const alpha = mod(3n * (x - delta) * (x + delta), p);
  const x3 = mod(alpha * alpha - 8n * beta, p);
  const z3 = mod((y + z) * (y + z) - gamma - delta, p);
  const y3 = mod(alpha * (4n * beta - x3) - 8n * gamma * gamma, p);
  return [x3, y3, z3];
}

function jAdd(a: Jacobian, b: Jacobian, p: bigint): Jacobian {
  if (a[2] === 0n) return b;
  if (b[2] === 0n) return a;
  const z1z1 = mod(a[2] * a[2], p);
  const z2z2 = mod(b[2] * b[2], p);
  const u1 = mod(a[0] * z2z2, p);
  const u2 = mod(b[0] * z1z1, p);
  const s1 = mod(a[1] * b[2] * z2z2, p);
  const s2 = mod(b[1] * a[2] * z1z1, p);
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  if (h === 0n) return r === 0n ? jDouble(a, p) : [1n, 1n, 0n];
  const hh = mod(h * h, p);
  const hhh = mod(h * hh, p);
  const v = mod(u1 * hh, p);
  const x3 = mod(r * r - hhh - 2n * v, p);
  const y3 = mod(r * (v - x3) - s1 * hhh, p);
  const z3 = mod(h * a[2] * b[2], p);
  return [x3, y3, z3];
}

function toAffine([x, y, z]: Jacobian, p: bigint): Affine | undefined {
  if (z === 0n) return undefined;
  const zi = modPow(z, p - 2n, p);
  const zi2 = mod(zi * zi, p);
  return [mod(x * zi2, p), mod(y * zi2 * zi, p)];
}

// SEC 1 §4.1.4 step 4: the leftmost bits of the digest, as many as the order has.
function digestToInt(digest: Uint8Array, n: bigint): bigint {
  let e = digest.length === 0 ? 0n : BigInt(`0x${Buffer.from(digest).toString('hex')}`);
  const excess = digest.length * 8 - n.toString(2).length;
  if (excess > 0) e >>= BigInt(excess);
  return e;
}

// Strict DER: SEQUENCE of two minimal, positive INTEGERs and nothing after (Go's cryptobyte).
function parseDerSignature(sig: Uint8Array): [bigint, bigint] | undefined {
  let at = 0;
  const readLength = (): number | undefined => {
    const first = sig[at++];
    if (first === undefined) return undefined;
    if (first < 0x80) return first;
    if (first !== 0x81) return undefined;
    const len = sig[at++];
    return len !== undefined && len >= 0x80 ? len : undefined;
  };
  const readInt = (): bigint | undefined => {
    if (sig[at++] !== 0x02) return undefined;
    const len = readLength();
    if (len === undefined || len === 0 || at + len > sig.length) return undefined;
    const bytes = sig.subarray(at, at + len);
    at += len;
    if ((bytes[0] as number) & 0x80) return undefined;
    if (bytes[0] === 0 && len > 1 && !((bytes[1] as number) & 0x80)) return undefined;
    return BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  };
  if (sig[at++] !== 0x30) return undefined;
  const len = readLength();
  if (len === undefined || at + len !== sig.length) return undefined;
  const r = readInt();
  const s = readInt();
  if (r === undefined || s === undefined || at !== sig.length) return undefined;
  return [r, s];
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function modPow(base: bigint, exp: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exp;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

function b64uInt(s: string | undefined): bigint {
  return BigInt(`0x${Buffer.from(s ?? '', 'base64url').toString('hex') || '0'}`);
}

/** Whether `namedCurve` (Node's OpenSSL name) is one this module can verify on. */
export function isPrehashedCurve(namedCurve: string): boolean {
  return namedCurve in EC_CURVES;
}
