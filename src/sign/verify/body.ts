import type { TransparencyLogEntry } from '@sigstore/bundle';
import { preAuthEncoding } from '../../formats/dsse.js';
import { SignError } from '../errors.js';
import type { DsseContent, MessageContent } from './bundle.js';
import { bytesEqual, digestOf } from './crypto.js';

/** The signer as the log entry must name it: the leaf certificate's DER or the key's SPKI DER. */
export type EntryKeyMaterial = { certificate: Uint8Array } | { spki: Uint8Array };

/**
 * The log entry's body is about this bundle: same signature, same key, same digest (README step
 * 5). Kinds: hashedrekord 0.0.1 and 0.0.2 (Rekor v2), dsse 0.0.1 and 0.0.2, intoto 0.0.1 and
 * 0.0.2. For a
 * DSSE bundle logged as hashedrekord 0.0.2 (Rekor v2's "hashedrekord over DSSE") the digest is
 * that of the PAE: @sigstore/verify 3.1 compares the payload's digest there and so rejects valid
 * bundles, one reason this check is Custody's own.
 * @throws SignError SIGN_TLOG_ENTRY_MISMATCH
 */
export function assertEntryMatches(
  entry: TransparencyLogEntry,
  content: MessageContent | DsseContent,
  key: EntryKeyMaterial,
  /** The DSSE envelope's bytes as they were uploaded to the log, when known (cosign's layer). */
  envelopeBytes?: Uint8Array,
): void {
  let body: Json;
  try {
    body = JSON.parse(Buffer.from(entry.canonicalizedBody).toString('utf8')) as Json;
  } catch (e) {
    throw mismatch('the entry body is not JSON', e);
  }
  const { kind, version } = entry.kindVersion;
  if (body?.kind !== kind || body?.apiVersion !== version) {
    throw mismatch(`the entry body is ${body?.kind}/${body?.apiVersion}, not ${kind}/${version}`);
  }
  const spec = body.spec ?? {};
  switch (`${kind}/${version}`) {
    case 'hashedrekord/0.0.1':
      hashedrekord001(spec, content, key);
      return;
    case 'hashedrekord/0.0.2':
      hashedrekord002(spec.hashedRekordV002 ?? {}, content, key);
      return;
    case 'dsse/0.0.1':
      dsse001(spec, dsse(content, kind), key);
      return;
    case 'dsse/0.0.2':
      dsse002(spec.dsseV002 ?? {}, dsse(content, kind), key);
      return;
    case 'intoto/0.0.1':
      intoto001(spec, dsse(content, kind), key, envelopeBytes);
      return;
    case 'intoto/0.0.2':
      intoto002(spec, dsse(content, kind), key);
      return;
    default:
      throw mismatch(`entry kind ${kind}/${version} is not supported`);
  }
}

// biome-ignore lint/suspicious/noExplicitAny: untrusted JSON, every field is checked where read
type Json = any;

function hashedrekord001(
  spec: Json,
  content: MessageContent | DsseContent,
  key: EntryKeyMaterial,
): void {
  if (content.kind !== 'message')
    throw mismatch('a hashedrekord 0.0.1 entry logs a message signature');
  expectSignature(b64(spec.signature?.content), content.signature);
  expectKeyPem(b64(spec.signature?.publicKey?.content), key);
  const hash = spec.data?.hash ?? {};
  if (hash.algorithm !== content.digestAlgorithm || !bytesEqual(hex(hash.value), content.digest)) {
    throw mismatch("the entry's digest is not the bundle's message digest");
  }
}

function hashedrekord002(
  spec: Json,
  content: MessageContent | DsseContent,
  key: EntryKeyMaterial,
): void {
  expectSignature(b64(spec.signature?.content), content.signature);
  expectKeyDer(spec.signature?.verifier, key);
  const expected =
    content.kind === 'message'
      ? { algorithm: content.digestAlgorithm, digest: content.digest }
      : {
          algorithm: 'sha256',
          digest: digestOf('sha256', preAuthEncoding(content.payloadType, content.payload)),
        };
  const data = spec.data ?? {};
  if (
    protoHash(data.algorithm) !== expected.algorithm ||
    !bytesEqual(b64(data.digest), expected.digest)
  ) {
    throw mismatch(
      "the entry's digest is not the bundle's (message digest, or SHA-256 of the DSSE PAE)",
    );
  }
}

function dsse001(spec: Json, content: DsseContent, key: EntryKeyMaterial): void {
  const sigs = spec.signatures;
  if (!Array.isArray(sigs) || sigs.length !== 1)
    throw mismatch('the entry does not log one DSSE signature');
  expectSignature(b64(sigs[0]?.signature), content.signature);
  expectKeyPem(b64(sigs[0]?.verifier), key);
  expectPayloadHash(spec.payloadHash?.algorithm, hex(spec.payloadHash?.value), content);
}

function dsse002(spec: Json, content: DsseContent, key: EntryKeyMaterial): void {
  const sigs = spec.signatures;
  if (!Array.isArray(sigs) || sigs.length !== 1)
    throw mismatch('the entry does not log one DSSE signature');
  expectSignature(b64(sigs[0]?.content), content.signature);
  expectKeyDer(sigs[0]?.verifier, key);
  expectPayloadHash(protoHash(spec.payloadHash?.algorithm), b64(spec.payloadHash?.digest), content);
}

/**
 * Rekor's intoto 0.0.1 (cosign 1.x attestations, slsa-github-generator's container generator up
 * to v1.9) keeps neither the envelope nor its signature: its canonical body is `publicKey` (the
 * signer's PEM, base64) and `content.hash` (SHA-256 of the envelope exactly as uploaded) and
 * `content.payloadHash` (SHA-256 of the decoded payload), all three required by Rekor's
 * Canonicalize. Checked here:
 * - the key is the bundle's signer, and the payload hash is the SHA-256 of the bundle's payload:
 *   the log vouches that this signer logged this statement, which is what the entry is for;
 * - the envelope hash, only when the envelope's bytes as uploaded are given (cosign uploads the
 *   `.att` layer's bytes, so the layer is that envelope): the hash must match and those bytes
 *   must hold the bundle's payload type, payload and single signature. Without them it cannot be
 *   recomputed — a bundle's re-serialized envelope is not byte-for-byte the one uploaded — so it
 *   is only required to be a well-formed SHA-256.
 * Not bound by the body without the envelope bytes: the signature and the payload type. The
 * signature is still verified over the PAE (payload type included) with the same key the entry
 * names, so the log still vouches for signer and payload; another signature by that signer over
 * that payload is not a different attestation.
 */
function intoto001(
  spec: Json,
  content: DsseContent,
  key: EntryKeyMaterial,
  envelopeBytes: Uint8Array | undefined,
): void {
  expectKeyPem(b64(spec.publicKey), key);
  const h = spec.content?.payloadHash;
  expectPayloadHash(h?.algorithm, hex(h?.value), content);
  const envHash = spec.content?.hash;
  const logged = hex(envHash?.value);
  if (envHash?.algorithm !== 'sha256' || logged.length !== 32) {
    throw mismatch('the entry has no SHA-256 envelope hash');
  }
  if (envelopeBytes === undefined) return;
  if (!bytesEqual(logged, digestOf('sha256', envelopeBytes))) {
    throw mismatch("the entry's envelope hash is not the SHA-256 of the envelope as uploaded");
  }
  expectSameEnvelope(envelopeBytes, content);
}

/** The uploaded bytes are the envelope being verified, not another one that hashes right. */
function expectSameEnvelope(bytes: Uint8Array, content: DsseContent): void {
  let env: Json;
  try {
    env = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw mismatch('the uploaded envelope is not JSON', e);
  }
  const sigs = env?.signatures;
  if (
    env?.payloadType !== content.payloadType ||
    !bytesEqual(b64(env?.payload), content.payload) ||
    !Array.isArray(sigs) ||
    sigs.length !== 1 ||
    !bytesEqual(b64(sigs[0]?.sig), content.signature)
  ) {
    throw mismatch("the uploaded envelope is not the bundle's DSSE envelope");
  }
}

function intoto002(spec: Json, content: DsseContent, key: EntryKeyMaterial): void {
  const sigs = spec.content?.envelope?.signatures;
  if (!Array.isArray(sigs) || sigs.length !== 1)
    throw mismatch('the entry does not log one DSSE signature');
  // intoto 0.0.2 base64-encodes the signature a second time (the key PEM only once).
  expectSignature(b64(Buffer.from(b64(sigs[0]?.sig)).toString('utf8')), content.signature);
  expectKeyPem(b64(sigs[0]?.publicKey), key);
  const h = spec.content?.payloadHash;
  expectPayloadHash(h?.algorithm, hex(h?.value), content);
}

function dsse(content: MessageContent | DsseContent, kind: string): DsseContent {
  if (content.kind !== 'dsse')
    throw mismatch(`a ${kind} entry logs a DSSE envelope, the bundle has none`);
  return content;
}

function expectSignature(logged: Uint8Array, signature: Uint8Array): void {
  if (!bytesEqual(logged, signature)) throw mismatch("the entry's signature is not the bundle's");
}

function expectPayloadHash(algorithm: unknown, digest: Uint8Array, content: DsseContent): void {
  if (algorithm !== 'sha256' || !bytesEqual(digest, digestOf('sha256', content.payload))) {
    throw mismatch("the entry's payload hash is not the SHA-256 of the bundle's DSSE payload");
  }
}

// Rekor v1 logs the PEM (certificate or public key), base64-encoded once more.
function expectKeyPem(pem: Uint8Array, key: EntryKeyMaterial): void {
  const text = Buffer.from(pem).toString('utf8');
  const m = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/.exec(text);
  const der = m ? Buffer.from((m[2] ?? '').replace(/\s+/g, ''), 'base64') : Buffer.alloc(0);
  const want = 'certificate' in key ? key.certificate : key.spki;
  if (!bytesEqual(der, want)) throw mismatch("the entry's key is not the bundle's signer");
}

// Rekor v2 logs a Verifier message: x509Certificate.rawBytes or publicKey.rawBytes.
function expectKeyDer(verifier: Json, key: EntryKeyMaterial): void {
  const der = b64(verifier?.x509Certificate?.rawBytes ?? verifier?.publicKey?.rawBytes);
  const want = 'certificate' in key ? key.certificate : key.spki;
  if (!bytesEqual(der, want)) throw mismatch("the entry's key is not the bundle's signer");
}

function protoHash(v: unknown): string | undefined {
  return { SHA2_256: 'sha256', SHA2_384: 'sha384', SHA2_512: 'sha512' }[String(v)];
}

function b64(v: unknown): Uint8Array {
  return typeof v === 'string' ? Buffer.from(v, 'base64') : new Uint8Array();
}

function hex(v: unknown): Uint8Array {
  return typeof v === 'string' && /^([0-9a-f]{2})*$/i.test(v)
    ? Buffer.from(v, 'hex')
    : new Uint8Array();
}

function mismatch(message: string, cause?: unknown): SignError {
  return new SignError('SIGN_TLOG_ENTRY_MISMATCH', `Transparency log entry: ${message}.`, {
    cause,
  });
}
