import {
  constants,
  createHash,
  createPublicKey,
  verify as cryptoVerify,
  type KeyObject,
  publicDecrypt,
  X509Certificate,
} from 'node:crypto';
import { canonicalize } from '../core/canonical-json.js';
import { TlogError } from './errors.js';
import { leafHash as merkleLeafHash } from './merkle.js';
import { decodeBase64, encodeBase64 } from './note.js';
import { nativeVerifyPrehashed } from './prehashed.js';

/**
 * Entries proposed to Custody's transparency log (untrusted input: a request body). Two shapes are
 * accepted, and both are checked before acceptance: the signature must verify.
 *
 * (a) Rekor v1 proposed entries, exactly as @sigstore/sign 4.x sends them to POST
 *     /api/v1/log/entries:
 *       {apiVersion:'0.0.1', kind:'hashedrekord', spec:{data:{hash:{algorithm, value: hex}},
 *         signature:{content: base64, publicKey:{content: base64(PEM key or certificate)}}}}
 *       {apiVersion:'0.0.1', kind:'dsse', spec:{proposedContent:{envelope: <DSSE JSON text>,
 *         verifiers: [base64(PEM)]}}}
 * (b) Custody's typed entries (no apiVersion, no spec; PEM as plain text; exactly one of
 *     publicKey or certificate, a certificate may be followed by its chain):
 *       {kind:'hashedrekord', digest:'sha256:<hex>', signature: base64, publicKey|certificate: PEM}
 *       {kind:'dsse', envelope: <DSSE JSON text or object>, publicKey|certificate: PEM}
 *       {kind:'sbom'|'vex'|'attestation', digest, signature, publicKey|certificate}
 *     Typed hashedrekord and dsse entries become the same leaf as their Rekor form, so sigstore
 *     clients can check them. A dsse envelope given as an object is hashed as its RFC 8785 form
 *     (given as text, as those exact bytes, which is what Rekor does).
 *
 * Digests are sha256, sha384 or sha512 and the signature covers the artifact: it is checked
 * against the digest alone, as Rekor does (ECDSA on the digest; RSA PKCS#1 v1.5 on the DigestInfo).
 * Ed25519 cannot be checked from a digest (Rekor would need Ed25519ph, which Node lacks), so
 * digest-signed kinds refuse Ed25519 keys; an Ed25519 signer logs a dsse entry instead.
 */

export type EntryKind = 'hashedrekord' | 'dsse' | 'sbom' | 'vex' | 'attestation';

export interface LogEntry {
  kind: EntryKind;
  /** The leaf data: Rekor's canonicalized body for hashedrekord/dsse, RFC 8785 JSON otherwise. */
  body: Uint8Array;
  /** RFC 6962 leaf hash of `body`. */
  leafHash: Uint8Array;
  /** `<alg>:<hex>` of the artifact (hashedrekord and Custody kinds) or the DSSE payload. */
  subjectDigest: string;
}

export interface ParseEntryOptions {
  /** Largest leaf body (and largest single input string) accepted, in bytes. */
  maxBytes: number;
}

/** Rekor's apiVersion for the hashedrekord and dsse kinds it serves over its v1 API. */
export const REKOR_ENTRY_API_VERSION = '0.0.1';
/** apiVersion of the leaf bodies of Custody's own kinds. */
export const CUSTODY_ENTRY_API_VERSION = 'custody/v1';

type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';
const DIGEST_HEX_LENGTH: Record<DigestAlgorithm, number> = { sha256: 64, sha384: 96, sha512: 128 };
const CUSTODY_KINDS = ['sbom', 'vex', 'attestation'] as const;

/**
 * Check a proposed entry and build its leaf.
 * @throws TlogError TLOG_ENTRY_MALFORMED (shape, encoding, unsupported kind or key),
 *   TLOG_ENTRY_SIGNATURE_INVALID, TLOG_ENTRY_TOO_LARGE
 */
export function parseProposedEntry(json: unknown, opts: ParseEntryOptions): LogEntry {
  const root = asObject(json, '');
  const kind = root.get('kind');
  const isRekor = root.has('apiVersion') || root.has('spec');
  let built: { kind: EntryKind; body: unknown; subjectDigest: string };
  if (kind === 'hashedrekord') {
    built = isRekor ? rekorHashedrekord(root, opts) : typedHashedrekord(root, opts);
  } else if (kind === 'dsse') {
    built = isRekor ? rekorDsse(root, opts) : typedDsse(root, opts);
  } else if (!isRekor && (CUSTODY_KINDS as readonly unknown[]).includes(kind)) {
    built = typedCustodyKind(kind as (typeof CUSTODY_KINDS)[number], root, opts);
  } else {
    throw malformed(
      `unsupported entry kind ${JSON.stringify(kind)}: use hashedrekord or dsse (Rekor apiVersion ` +
        `0.0.1), or a typed entry of kind ${CUSTODY_KINDS.join(', ')}`,
    );
  }
  const body = Buffer.from(canonicalize(built.body), 'utf8');
  if (body.length > opts.maxBytes) throw tooLarge('the entry body', body.length, opts.maxBytes);
  return {
    kind: built.kind,
    body: new Uint8Array(body),
    leafHash: merkleLeafHash(body),
    subjectDigest: built.subjectDigest,
  };
}

// --- hashedrekord -------------------------------------------------------------------------------

function rekorHashedrekord(root: Obj, opts: ParseEntryOptions) {
  assertRekorVersion(root);
  const spec = root.object('spec');
  const hash = spec.object('data').object('hash');
  const algorithm = digestAlgorithm(hash.string('algorithm'), 'spec.data.hash.algorithm');
  const hex = hexDigest(hash.string('value'), algorithm, 'spec.data.hash.value');
  const signature = spec.object('signature');
  const sig = base64Field(signature.string('content'), 'spec.signature.content', opts);
  const pem = base64Field(
    signature.object('publicKey').string('content'),
    'spec.signature.publicKey.content',
    opts,
  );
  const verifier = parseVerifier(Buffer.from(pem).toString('utf8'), 'spec.signature.publicKey');
  return digestSigned('hashedrekord', REKOR_ENTRY_API_VERSION, algorithm, hex, sig, verifier);
}

function typedHashedrekord(root: Obj, opts: ParseEntryOptions) {
  const { algorithm, hex } = prefixedDigest(root.string('digest'), 'digest');
  const sig = base64Field(root.string('signature'), 'signature', opts);
  const verifier = typedVerifier(root, opts);
  return digestSigned('hashedrekord', REKOR_ENTRY_API_VERSION, algorithm, hex, sig, verifier);
}

function typedCustodyKind(kind: EntryKind, root: Obj, opts: ParseEntryOptions) {
  const { algorithm, hex } = prefixedDigest(root.string('digest'), 'digest');
  const sig = base64Field(root.string('signature'), 'signature', opts);
  const verifier = typedVerifier(root, opts);
  return digestSigned(kind, CUSTODY_ENTRY_API_VERSION, algorithm, hex, sig, verifier);
}

// Rekor's hashedrekord v0.0.1 Canonicalize(): only these fields, the key as its canonical PEM.
function digestSigned(
  kind: EntryKind,
  apiVersion: string,
  algorithm: DigestAlgorithm,
  hex: string,
  sig: Uint8Array,
  verifier: Verifier,
) {
  verifyDigestSignature(verifier, algorithm, Buffer.from(hex, 'hex'), sig);
  const body = {
    apiVersion,
    kind,
    spec: {
      data: { hash: { algorithm, value: hex } },
      signature: {
        content: encodeBase64(sig),
        publicKey: { content: Buffer.from(verifier.canonicalPem, 'utf8').toString('base64') },
      },
    },
  };
  return { kind, body, subjectDigest: `${algorithm}:${hex.toLowerCase()}` };
}

function verifyDigestSignature(
  verifier: Verifier,
  algorithm: DigestAlgorithm,
  digest: Uint8Array,
  sig: Uint8Array,
): void {
  const key = verifier.key;
  let ok: boolean;
  switch (key.asymmetricKeyType) {
    case 'ec':
      ok = verifyEcdsaPrehashed(key, digest, sig);
      break;
    case 'rsa':
      ok = verifyRsaPrehashed(key, algorithm, digest, sig);
      break;
    case 'ed25519':
      throw malformed(
        'an Ed25519 signature covers the whole artifact and cannot be checked against a digest ' +
          '(Ed25519ph is not supported): log it as a dsse entry, or sign with ECDSA or RSA',
      );
    default:
      throw unsupportedKey(key);
  }
  if (!ok) {
    throw new TlogError(
      'TLOG_ENTRY_SIGNATURE_INVALID',
      `the signature does not verify over the ${algorithm} digest with the given key: check that ` +
        'the digest is of the signed artifact and that the key or certificate is the signer',
    );
  }
}

// --- dsse ---------------------------------------------------------------------------------------

function rekorDsse(root: Obj, opts: ParseEntryOptions) {
  assertRekorVersion(root);
  const proposed = root.object('spec').object('proposedContent');
  const envelopeText = proposed.string('envelope');
  assertSize(envelopeText, 'spec.proposedContent.envelope', opts);
  const list = proposed.array('verifiers');
  if (list.length === 0)
    throw malformed('spec.proposedContent.verifiers must name at least one key');
  const verifiers = list.map((v, i) => {
    const path = `spec.proposedContent.verifiers[${i}]`;
    if (typeof v !== 'string') throw malformed(`${path} must be a base64 string`);
    return parseVerifier(Buffer.from(base64Field(v, path, opts)).toString('utf8'), path);
  });
  return dsseEntry(envelopeText, verifiers);
}

function typedDsse(root: Obj, opts: ParseEntryOptions) {
  const raw = root.get('envelope');
  let envelopeText: string;
  if (typeof raw === 'string') envelopeText = raw;
  else if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    envelopeText = canonicalJson(raw, 'envelope');
  } else throw malformed('envelope must be a DSSE envelope (JSON text or object)');
  assertSize(envelopeText, 'envelope', opts);
  return dsseEntry(envelopeText, [typedVerifier(root, opts)]);
}

// Rekor's dsse v0.0.1 Unmarshal(): every signature needs a key that verifies it over the PAE, and
// the body keeps them sorted by their base64 text, each with the canonical PEM of its key.
function dsseEntry(envelopeText: string, verifiers: Verifier[]) {
  const env = parseEnvelope(envelopeText);
  const pae = preAuthEncoding(env.payloadType, env.payload);
  const keyBySig = new Map<string, Verifier>();
  const pending = new Set(env.signatures.map((s) => s.text));
  for (const verifier of verifiers) {
    if (pending.size === 0) break;
    const accepted = env.signatures.filter((s) => verifyMessage(verifier.key, pae, s.bytes));
    if (accepted.length === 0) {
      throw new TlogError(
        'TLOG_ENTRY_SIGNATURE_INVALID',
        'a verifier key verifies no signature of the DSSE envelope (over its PAE): send only the ' +
          'keys that signed it, and the envelope exactly as signed',
      );
    }
    for (const s of accepted) {
      pending.delete(s.text);
      keyBySig.set(s.text, verifier);
    }
  }
  if (pending.size > 0) {
    throw new TlogError(
      'TLOG_ENTRY_SIGNATURE_INVALID',
      'a DSSE signature is verified by none of the given keys: add its signer key',
    );
  }
  const sigs = [...keyBySig.keys()].sort();
  const payloadHash = sha256Hex(env.payload);
  const body = {
    apiVersion: REKOR_ENTRY_API_VERSION,
    kind: 'dsse',
    spec: {
      envelopeHash: { algorithm: 'sha256', value: sha256Hex(Buffer.from(envelopeText, 'utf8')) },
      payloadHash: { algorithm: 'sha256', value: payloadHash },
      signatures: sigs.map((s) => ({
        signature: s,
        verifier: Buffer.from((keyBySig.get(s) as Verifier).canonicalPem, 'utf8').toString(
          'base64',
        ),
      })),
    },
  };
  return { kind: 'dsse' as const, body, subjectDigest: `sha256:${payloadHash}` };
}

interface Envelope {
  payloadType: string;
  payload: Uint8Array;
  signatures: { text: string; bytes: Uint8Array }[];
}

function parseEnvelope(text: string): Envelope {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TlogError('TLOG_ENTRY_MALFORMED', 'the DSSE envelope is not JSON', { cause: e });
  }
  const env = asObject(json, 'the DSSE envelope');
  const payloadType = env.string('payloadType');
  const payload = lenientBase64(env.string('payload'));
  if (payload === undefined) throw malformed('the DSSE payload is not base64');
  const list = env.array('signatures');
  if (list.length === 0) throw malformed('the DSSE envelope has no signatures');
  const signatures = list.map((s, i) => {
    const sig = asObject(s, `signatures[${i}]`).string('sig');
    const bytes = lenientBase64(sig);
    if (bytes === undefined || bytes.length === 0) {
      throw malformed(`the DSSE envelope's signatures[${i}].sig is not base64`);
    }
    return { text: sig, bytes };
  });
  return { payloadType, payload, signatures };
}

/** DSSE v1 pre-authentication encoding: what each envelope signature covers. */
export function preAuthEncoding(payloadType: string, payload: Uint8Array): Uint8Array {
  const type = Buffer.from(payloadType, 'utf8');
  const head = Buffer.from(`DSSEv1 ${type.length} ${payloadType} ${payload.length} `, 'utf8');
  return new Uint8Array(Buffer.concat([head, payload]));
}

// sigstore's LoadVerifier(key, SHA-256): ECDSA and RSA PKCS#1 v1.5 over SHA-256, Ed25519 pure.
function verifyMessage(key: KeyObject, message: Uint8Array, sig: Uint8Array): boolean {
  try {
    if (key.asymmetricKeyType === 'ed25519') return cryptoVerify(null, message, key, sig);
    return cryptoVerify('sha256', message, { key, dsaEncoding: 'der' }, sig);
  } catch {
    return false;
  }
}

// --- keys ---------------------------------------------------------------------------------------

interface Verifier {
  key: KeyObject;
  /** Rekor's CanonicalValue(): the key (SPKI) or certificates re-encoded as Go's pem.Encode does. */
  canonicalPem: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([A-Za-z0-9+/=\r\n]*?)-----END \1-----\r?\n?/g;

function typedVerifier(root: Obj, opts: ParseEntryOptions): Verifier {
  const hasKey = root.has('publicKey');
  if (hasKey === root.has('certificate')) {
    throw malformed('give exactly one of publicKey or certificate (PEM)');
  }
  const field = hasKey ? 'publicKey' : 'certificate';
  const pem = root.string(field);
  assertSize(pem, field, opts);
  const verifier = parseVerifier(pem, field);
  const isCert = verifier.canonicalPem.startsWith('-----BEGIN CERTIFICATE-----');
  if (isCert !== (field === 'certificate')) {
    throw malformed(
      `${field} holds a ${isCert ? 'certificate' : 'public key'}: use the other field`,
    );
  }
  return verifier;
}

// Signers log many entries with one key: parsing a PEM key costs more than checking a signature.
const VERIFIER_CACHE_SIZE = 1024;
const verifierCache = new Map<string, Verifier>();

function parseVerifier(pem: string, path: string): Verifier {
  const cached = verifierCache.get(pem);
  if (cached !== undefined) return cached;
  const verifier = parseVerifierUncached(pem, path);
  if (verifierCache.size >= VERIFIER_CACHE_SIZE) verifierCache.clear();
  verifierCache.set(pem, verifier);
  return verifier;
}

function parseVerifierUncached(pem: string, path: string): Verifier {
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  const rest = pem.replace(PEM_BLOCK, '').trim();
  if (blocks.length === 0 || rest !== '') {
    throw malformed(`${path} must be PEM: one PUBLIC KEY block, or CERTIFICATE blocks`);
  }
  const types = new Set(blocks.map((b) => b[1]));
  const ders = blocks.map((b, i) => {
    const der = decodeBase64((b[2] ?? '').replace(/[\r\n]/g, ''));
    if (der === undefined || der.length === 0)
      throw malformed(`${path}: PEM block ${i} is not base64`);
    return der;
  });
  let key: KeyObject;
  if (types.size === 1 && types.has('PUBLIC KEY') && ders.length === 1) {
    try {
      key = createPublicKey({
        key: Buffer.from(ders[0] as Uint8Array),
        format: 'der',
        type: 'spki',
      });
    } catch (e) {
      throw new TlogError('TLOG_ENTRY_MALFORMED', `${path} is not a valid SPKI public key`, {
        cause: e,
      });
    }
  } else if (types.size === 1 && types.has('CERTIFICATE')) {
    try {
      const certs = ders.map((d) => new X509Certificate(Buffer.from(d)));
      key = (certs[0] as X509Certificate).publicKey;
    } catch (e) {
      throw new TlogError('TLOG_ENTRY_MALFORMED', `${path} is not a valid X.509 certificate`, {
        cause: e,
      });
    }
  } else {
    throw malformed(`${path} must be one PUBLIC KEY block, or CERTIFICATE blocks only`);
  }
  assertSupportedKey(key);
  const type = types.has('CERTIFICATE') ? 'CERTIFICATE' : 'PUBLIC KEY';
  const canonicalDers =
    type === 'PUBLIC KEY' ? [new Uint8Array(key.export({ format: 'der', type: 'spki' }))] : ders;
  return { key, canonicalPem: canonicalDers.map((d) => goPem(type, d)).join('') };
}

function assertSupportedKey(key: KeyObject): void {
  const details = key.asymmetricKeyDetails;
  switch (key.asymmetricKeyType) {
    case 'ec':
      if (details?.namedCurve && details.namedCurve in EC_CURVES) return;
      break;
    case 'rsa':
      if ((details?.modulusLength ?? 0) >= 2048) return;
      break;
    case 'ed25519':
      return;
  }
  throw unsupportedKey(key);
}

function unsupportedKey(key: KeyObject): TlogError {
  const d = key.asymmetricKeyDetails;
  const what = [key.asymmetricKeyType, d?.namedCurve, d?.modulusLength].filter(Boolean).join(' ');
  return malformed(
    `unsupported key (${what}): use ECDSA P-256 or P-384, RSA of 2048 bits or more, or Ed25519`,
  );
}

// Go's encoding/pem: 64-column base64 lines, a newline after the END line.
function goPem(type: string, der: Uint8Array): string {
  const b64 = encodeBase64(der);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}

// --- prehashed signature checks -----------------------------------------------------------------

const DIGEST_INFO_PREFIX: Record<DigestAlgorithm, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

// RSASSA-PKCS1-v1_5 (RFC 8017 §8.2.2) from a digest: the recovered block must be the DigestInfo.
function verifyRsaPrehashed(
  key: KeyObject,
  algorithm: DigestAlgorithm,
  digest: Uint8Array,
  sig: Uint8Array,
): boolean {
  const modulusBytes = Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
  if (sig.length !== modulusBytes) return false;
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, sig);
  } catch {
    return false;
  }
  const expected = Buffer.concat([Buffer.from(DIGEST_INFO_PREFIX[algorithm], 'hex'), digest]);
  return recovered.equals(expected);
}

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

// --- field reading ------------------------------------------------------------------------------

// Reads fields of an untrusted JSON object; own properties only, so "__proto__" or "constructor"
// never resolve to inherited values.
class Obj {
  constructor(
    private readonly value: Record<string, unknown>,
    private readonly path: string,
  ) {}
  has(name: string): boolean {
    return Object.hasOwn(this.value, name);
  }
  get(name: string): unknown {
    return this.has(name) ? this.value[name] : undefined;
  }
  string(name: string): string {
    const v = this.get(name);
    if (typeof v !== 'string') throw malformed(`${this.at(name)} must be a string`);
    return v;
  }
  object(name: string): Obj {
    return asObject(this.get(name), this.at(name));
  }
  array(name: string): unknown[] {
    const v = this.get(name);
    if (!Array.isArray(v)) throw malformed(`${this.at(name)} must be an array`);
    return v;
  }
  private at(name: string): string {
    return this.path === '' ? name : `${this.path}.${name}`;
  }
}

function asObject(v: unknown, path: string): Obj {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw malformed(`${path || 'the entry'} must be a JSON object`);
  }
  return new Obj(v as Record<string, unknown>, path);
}

function assertRekorVersion(root: Obj): void {
  const v = root.get('apiVersion');
  if (v !== REKOR_ENTRY_API_VERSION) {
    throw malformed(
      `apiVersion ${JSON.stringify(v)} of kind ${String(root.get('kind'))} is not supported: ` +
        `send apiVersion "${REKOR_ENTRY_API_VERSION}"`,
    );
  }
}

function digestAlgorithm(v: string, path: string): DigestAlgorithm {
  if (v in DIGEST_HEX_LENGTH) return v as DigestAlgorithm;
  throw malformed(`${path} must be sha256, sha384 or sha512, not ${JSON.stringify(v)}`);
}

function hexDigest(v: string, algorithm: DigestAlgorithm, path: string): string {
  const len = DIGEST_HEX_LENGTH[algorithm];
  if (v.length !== len || !/^[0-9a-fA-F]*$/.test(v)) {
    throw malformed(`${path} must be ${len} hex digits (a ${algorithm} digest)`);
  }
  return v;
}

function prefixedDigest(v: string, path: string): { algorithm: DigestAlgorithm; hex: string } {
  const colon = v.indexOf(':');
  if (colon < 0) throw malformed(`${path} must be "<sha256|sha384|sha512>:<hex>"`);
  const algorithm = digestAlgorithm(v.slice(0, colon), path);
  // Typed entries use one spelling, so equal artifacts give equal leaves.
  const hex = hexDigest(v.slice(colon + 1), algorithm, path);
  if (hex !== hex.toLowerCase()) throw malformed(`${path} must be lowercase hex`);
  return { algorithm, hex };
}

function base64Field(v: string, path: string, opts: ParseEntryOptions): Uint8Array {
  assertSize(v, path, opts);
  const bytes = decodeBase64(v);
  if (bytes === undefined || bytes.length === 0) {
    throw malformed(`${path} must be standard, padded base64 of a non-empty value`);
  }
  return bytes;
}

// DSSE implementations (Go's included) accept standard or URL-safe base64.
function lenientBase64(v: string): Uint8Array | undefined {
  return decodeBase64(v) ?? decodeBase64(v.replace(/-/g, '+').replace(/_/g, '/'));
}

function assertSize(v: string, path: string, opts: ParseEntryOptions): void {
  if (v.length > opts.maxBytes) throw tooLarge(path, v.length, opts.maxBytes);
}

function canonicalJson(v: unknown, path: string): string {
  try {
    return canonicalize(v);
  } catch (e) {
    throw new TlogError('TLOG_ENTRY_MALFORMED', `${path} cannot be serialized as JSON`, {
      cause: e,
    });
  }
}

function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

function malformed(message: string): TlogError {
  return new TlogError('TLOG_ENTRY_MALFORMED', `malformed log entry: ${message}`);
}

function tooLarge(what: string, size: number, max: number): TlogError {
  return new TlogError(
    'TLOG_ENTRY_TOO_LARGE',
    `${what} is ${size} bytes, over this log's limit of ${max}: log a digest of large content ` +
      '(hashedrekord) instead of the content itself',
    { details: { size, max } },
  );
}
