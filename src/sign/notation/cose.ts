import type { KeyObject } from 'node:crypto';
import { decode, encode, Tag } from 'cbor2';
import { sortLengthFirstDeterministic } from 'cbor2/sorts';
import { ALGORITHMS, algorithmOfCose, type NotationAlgorithm, signWith } from './algorithm.js';
import {
  assertEnvelopeSize,
  checkTimes,
  type ExtendedAttribute,
  isScheme,
  LIMITS,
  MEDIA_TYPE_COSE,
  malformed,
  type NotationEnvelope,
  type SigningScheme,
} from './envelope.js';
import { NotationError } from './errors.js';

const ALG = 1;
const CRIT = 2;
const CTY = 3;
const X5CHAIN = 33;
const SIGN1_TAG = 18;
const KNOWN_PROTECTED = new Set<unknown>([
  ALG,
  CRIT,
  CTY,
  X5CHAIN,
  'io.cncf.notary.signingScheme',
  'io.cncf.notary.signingTime',
  'io.cncf.notary.authenticSigningTime',
  'io.cncf.notary.expiry',
]);
const DECODE = { preferMap: true, rejectDuplicateKeys: true, maxDepth: 16 } as const;

/**
 * Reads a COSE_Sign1_Tagged envelope (untrusted; signature-envelope-cose).
 * @throws NotationError SIGN_NOTATION_ENVELOPE_MALFORMED, SIGN_NOTATION_ENVELOPE_TOO_LARGE,
 *   SIGN_NOTATION_ALGORITHM_UNSUPPORTED
 */
export function parseCoseEnvelope(bytes: Uint8Array): NotationEnvelope {
  assertEnvelopeSize(bytes);
  const top = cbor(bytes, 'The COSE envelope');
  if (!(top instanceof Tag) || Number(top.tag) !== SIGN1_TAG)
    throw malformed('The COSE envelope is not a COSE_Sign1_Tagged (tag 18) message.');
  const parts = top.contents;
  if (!Array.isArray(parts) || parts.length !== 4)
    throw malformed('COSE_Sign1 is not an array of four items.');
  const [protectedBytes, unprotected, payload, signature] = parts as unknown[];
  if (!(protectedBytes instanceof Uint8Array) || protectedBytes.byteLength === 0)
    throw malformed('The COSE protected header is missing.');
  if (!(unprotected instanceof Map)) throw malformed('The COSE unprotected header is not a map.');
  if (!(payload instanceof Uint8Array))
    throw malformed('The COSE payload is not embedded (detached payloads are not used).');
  if (!(signature instanceof Uint8Array) || signature.byteLength === 0)
    throw malformed('The COSE signature is empty.');
  const h = cbor(protectedBytes, 'The COSE protected header');
  if (!(h instanceof Map)) throw malformed('The COSE protected header is not a map.');
  const alg = algorithmOfCose(h.get(ALG));
  if (alg === undefined)
    throw new NotationError(
      'SIGN_NOTATION_ALGORITHM_UNSUPPORTED',
      `The COSE alg ${String(h.get(ALG))} is not one of -37, -38, -39 (PS256/384/512), -7, -35, -36 (ES256/384/512).`,
    );
  const cty = h.get(CTY);
  if (typeof cty !== 'string')
    throw malformed('The COSE protected header has no content type (label 3).');
  const scheme = h.get('io.cncf.notary.signingScheme');
  if (!isScheme(scheme))
    throw malformed(`Unsupported signing scheme ${JSON.stringify(String(scheme))}.`);
  const crit = h.get(CRIT);
  if (
    !Array.isArray(crit) ||
    crit.length === 0 ||
    !crit.every((c) => typeof c === 'string' || Number.isInteger(c))
  )
    throw malformed('The COSE protected header needs a non-empty crit array (label 2).');
  for (const c of crit as (string | number)[]) {
    if (typeof c === 'number' && c >= 0 && c <= 8)
      throw malformed(`crit must not list label ${c}.`);
    if (!h.has(c)) throw malformed(`"${c}" is marked critical but not present.`);
  }
  const times = {
    signingTime: time(h.get('io.cncf.notary.signingTime'), 'signingTime'),
    authenticSigningTime: time(
      h.get('io.cncf.notary.authenticSigningTime'),
      'authenticSigningTime',
    ),
    expiry: time(h.get('io.cncf.notary.expiry'), 'expiry'),
  };
  checkTimes(scheme, times, crit as (string | number)[]);
  const extendedAttributes: ExtendedAttribute[] = [...h.entries()]
    .filter(([k]) => !KNOWN_PROTECTED.has(k))
    .map(([key, value]) => {
      if (typeof key !== 'string' && typeof key !== 'number')
        throw malformed('A COSE header label is neither text nor an integer.');
      return { key, value, critical: (crit as unknown[]).includes(key) };
    });
  if (extendedAttributes.length > LIMITS.extendedAttributes)
    throw malformed('The COSE protected header has too many attributes.');
  const chain = unprotected.get(X5CHAIN) ?? h.get(X5CHAIN);
  const certificateChain = chain instanceof Uint8Array ? [chain] : chain;
  if (
    !Array.isArray(certificateChain) ||
    certificateChain.length === 0 ||
    !certificateChain.every((c) => c instanceof Uint8Array)
  )
    throw malformed('The COSE envelope has no x5chain (label 33) of byte strings.');
  if (certificateChain.length > LIMITS.certificates)
    throw malformed(`The certificate chain has over ${LIMITS.certificates} certificates.`);
  const ts = unprotected.get('io.cncf.notary.timestampSignature');
  if (ts !== undefined && !(ts instanceof Uint8Array))
    throw malformed('The timestamp signature is not a byte string.');
  if (ts instanceof Uint8Array && ts.byteLength > LIMITS.timestampBytes)
    throw malformed('The timestamp signature is too large.');
  const agent = unprotected.get('io.cncf.notary.signingAgent');
  const env: NotationEnvelope = {
    mediaType: MEDIA_TYPE_COSE,
    alg,
    contentType: cty,
    signingScheme: scheme,
    extendedAttributes,
    payload,
    certificateChain: certificateChain as Uint8Array[],
    signature,
    signedBytes: sigStructure(protectedBytes, payload),
  };
  if (times.signingTime) env.signingTime = times.signingTime;
  if (times.authenticSigningTime) env.authenticSigningTime = times.authenticSigningTime;
  if (times.expiry) env.expiry = times.expiry;
  if (ts instanceof Uint8Array && ts.byteLength > 0) env.timestampSignature = ts;
  if (typeof agent === 'string') env.signingAgent = agent;
  return env;
}

export interface CoseSignRequest {
  payload: Uint8Array;
  contentType: string;
  signingScheme: SigningScheme;
  signingTime: Date;
  expiry?: Date;
  extendedAttributes?: readonly ExtendedAttribute[];
  signingAgent?: string;
  key: KeyObject;
  alg: NotationAlgorithm;
  chain: readonly Uint8Array[];
}

/** The protected header's bytes, laid out as notation-core-go writes them (length-first key order). */
export function coseProtectedHeader(
  r: Omit<CoseSignRequest, 'key' | 'payload' | 'chain' | 'signingAgent'>,
): Uint8Array {
  const crit: (string | number)[] = ['io.cncf.notary.signingScheme'];
  const h = new Map<unknown, unknown>([
    [ALG, ALGORITHMS[r.alg].cose],
    [CTY, r.contentType],
    ['io.cncf.notary.signingScheme', r.signingScheme],
  ]);
  if (r.signingScheme === 'notary.x509') h.set('io.cncf.notary.signingTime', epoch(r.signingTime));
  else {
    h.set('io.cncf.notary.authenticSigningTime', epoch(r.signingTime));
    crit.push('io.cncf.notary.authenticSigningTime');
  }
  if (r.expiry) {
    h.set('io.cncf.notary.expiry', epoch(r.expiry));
    crit.push('io.cncf.notary.expiry');
  }
  for (const a of r.extendedAttributes ?? []) {
    if (h.has(a.key) || KNOWN_PROTECTED.has(a.key))
      throw new NotationError(
        'SIGN_NOTATION_ENVELOPE_MALFORMED',
        `Extended attribute "${String(a.key)}" is not allowed.`,
      );
    h.set(a.key, a.value);
    if (a.critical) crit.push(a.key);
  }
  h.set(CRIT, crit);
  return encode(h, { sortKeys: sortLengthFirstDeterministic });
}

/** Signs a COSE_Sign1_Tagged envelope. */
export function signCose(r: CoseSignRequest): Uint8Array {
  const protectedBytes = coseProtectedHeader(r);
  const signature = signWith(r.alg, r.key, sigStructure(protectedBytes, r.payload));
  return assembleCose(protectedBytes, r.payload, signature, [...r.chain], r.signingAgent);
}

export function assembleCose(
  protectedBytes: Uint8Array,
  payload: Uint8Array,
  signature: Uint8Array,
  chain: Uint8Array[],
  signingAgent?: string,
): Uint8Array {
  const u = new Map<unknown, unknown>();
  if (chain.length > 0) u.set(X5CHAIN, chain.map(plain));
  if (signingAgent) u.set('io.cncf.notary.signingAgent', signingAgent);
  return encode(new Tag(SIGN1_TAG, [plain(protectedBytes), u, plain(payload), plain(signature)]), {
    sortKeys: sortLengthFirstDeterministic,
  });
}

/** RFC 9052 §4.4 Sig_structure for COSE_Sign1 with empty external_aad. */
function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return encode(['Signature1', plain(protectedBytes), new Uint8Array(0), plain(payload)]);
}

// cbor2 writes a Node Buffer as an object, not a byte string: hand it plain Uint8Arrays.
const plain = (b: Uint8Array): Uint8Array =>
  Object.getPrototypeOf(b) === Uint8Array.prototype
    ? b
    : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

const epoch = (d: Date): Tag => new Tag(1, Math.floor(d.getTime() / 1000));

function cbor(bytes: Uint8Array, what: string): unknown {
  try {
    return decode(bytes, DECODE);
  } catch (e) {
    throw malformed(`${what} is not well-formed CBOR.`, e);
  }
}

// RFC 8949 §3.4.2 epoch-based date/time (tag 1), which cbor2 decodes to a Date.
function time(v: unknown, name: string): Date | undefined {
  if (v === undefined) return undefined;
  if (!(v instanceof Date) || Number.isNaN(v.getTime()))
    throw malformed(`"${name}" is not an epoch date/time (tag 1).`);
  return v;
}
