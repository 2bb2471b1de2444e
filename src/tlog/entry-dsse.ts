import { createHash, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { canonicalize } from '../core/index.js';
import { preAuthEncoding } from '../formats/dsse.js';
import { decodeBase64 } from './bytes.js';
import {
  asObject,
  assertRekorVersion,
  assertSize,
  type BuiltEntry,
  base64Field,
  malformed,
  type Obj,
  type ParseEntryOptions,
  REKOR_ENTRY_API_VERSION,
} from './entry-fields.js';
import { type EntryVerifier, parseVerifier, typedVerifier } from './entry-keys.js';
import { TlogError } from './errors.js';

/** DSSE entries: Rekor's dsse kind, proposed as Rekor's form or as Custody's typed form. */

export function rekorDsse(root: Obj, opts: ParseEntryOptions): BuiltEntry {
  assertRekorVersion(root);
  const proposed = root.object('spec').object('proposedContent');
  const envelopeText = proposed.string('envelope');
  assertSize(envelopeText, 'spec.proposedContent.envelope', envelopeLimit(opts));
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

export function typedDsse(root: Obj, opts: ParseEntryOptions): BuiltEntry {
  const raw = root.get('envelope');
  let envelopeText: string;
  if (typeof raw === 'string') envelopeText = raw;
  else if (raw !== null && typeof raw === 'object' && !Array.isArray(raw)) {
    envelopeText = canonicalJson(raw, 'envelope');
  } else throw malformed('envelope must be a DSSE envelope (JSON text or object)');
  assertSize(envelopeText, 'envelope', envelopeLimit(opts));
  return dsseEntry(envelopeText, [typedVerifier(root, opts)]);
}

// The envelope's own limit: it is hashed, not kept, so it may exceed the leaf's.
function envelopeLimit(opts: ParseEntryOptions): ParseEntryOptions {
  return { maxBytes: opts.maxEnvelopeBytes ?? opts.maxBytes };
}

// Rekor's dsse v0.0.1 Unmarshal(): every signature needs a key that verifies it over the PAE, and
// the body keeps them sorted by their base64 text, each with the canonical PEM of its key.
function dsseEntry(envelopeText: string, verifiers: EntryVerifier[]) {
  const env = parseEnvelope(envelopeText);
  const pae = preAuthEncoding(env.payloadType, env.payload);
  const keyBySig = new Map<string, EntryVerifier>();
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
        verifier: Buffer.from((keyBySig.get(s) as EntryVerifier).canonicalPem, 'utf8').toString(
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

// sigstore's LoadVerifier(key, SHA-256): ECDSA and RSA PKCS#1 v1.5 over SHA-256, Ed25519 pure.
function verifyMessage(key: KeyObject, message: Uint8Array, sig: Uint8Array): boolean {
  try {
    if (key.asymmetricKeyType === 'ed25519') return cryptoVerify(null, message, key, sig);
    return cryptoVerify('sha256', message, { key, dsaEncoding: 'der' }, sig);
  } catch {
    return false;
  }
}

// DSSE implementations (Go's included) accept standard or URL-safe base64.
function lenientBase64(v: string): Uint8Array | undefined {
  return decodeBase64(v) ?? decodeBase64(v.replace(/-/g, '+').replace(/_/g, '/'));
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
