import { createPublicKey, type KeyObject } from 'node:crypto';
import type { ASN1Obj, X509Certificate } from '@sigstore/core';

/**
 * The bytes of a certificate's parts as they were signed, without re-encoding them. @sigstore/core
 * rebuilds DER from its parse tree whenever asked for a part's bytes (the TBS for a chain check,
 * the SPKI for a key): about 200 µs for a Fulcio leaf's TBS, four times its signature check. Its
 * tree keeps views into the certificate's buffer, so each part's original bytes are a slice of
 * it. Only when they are what the re-encoding would give: a BER length that is not minimal
 * would be written shorter by @sigstore/core, and then the caller takes the library's path, so
 * verdicts stay @sigstore/verify's for every input.
 */

/** The TBSCertificate as signed, or undefined when its encoding is not the minimal one. */
export function tbsBytes(cert: X509Certificate): Uint8Array | undefined {
  const root = cert.root;
  const tbs = root.subs[0];
  if (tbs === undefined) return undefined;
  return exact(tbs, root.value.byteOffset, root.value.buffer);
}

/** The SubjectPublicKeyInfo as signed, or undefined (not minimal DER, or no such field). */
export function spkiBytes(cert: X509Certificate): Uint8Array | undefined {
  const tbs = cert.root.subs[0];
  const spki = tbs?.subs[6];
  const subject = tbs?.subs[5];
  if (tbs === undefined || spki === undefined || subject === undefined) return undefined;
  return exact(spki, subject.value.byteOffset + subject.value.length, tbs.value.buffer);
}

// `node` starts at `start` in `buffer` (the previous sibling's end, or its parent's content start).
function exact(node: ASN1Obj, start: number, buffer: ArrayBufferLike): Uint8Array | undefined {
  const end = node.value.byteOffset + node.value.length;
  if (node.value.buffer !== buffer || end - start !== encodedSize(node)) return undefined;
  return new Uint8Array(buffer, start, end - start);
}

// The size @sigstore/core's toDER() gives the node: minimal lengths, children re-encoded.
function encodedSize(node: ASN1Obj): number {
  let content = 0;
  if (node.subs.length > 0) for (const s of node.subs) content += encodedSize(s);
  else content = node.value.length;
  let lengthBytes = 1;
  if (content >= 128) for (let n = content; n > 0; n = Math.floor(n / 256)) lengthBytes++;
  return 1 + lengthBytes + content;
}

// RFC 5480: SEQUENCE { SEQUENCE { id-ecPublicKey, secp256r1 }, BIT STRING 04 || X || Y }.
const P256_SPKI_PREFIX = Buffer.from(
  '3059301306072a8648ce3d020106082a8648ce3d030107034200' + '04',
  'hex',
);

/**
 * The KeyObject of an SPKI. OpenSSL 3.0's DER decoders cost Node about 115 µs a key, twice an
 * ECDSA P-256 check; an uncompressed P-256 point imported as a JWK takes half that, and OpenSSL
 * checks it as strictly (coordinates below p, on the curve). Any other key, or one the JWK import
 * refuses, goes through the DER decoder, whose answer (a key or an error) is the verdict.
 * @throws Error when the bytes are not a public key
 */
export function publicKeyFromSpki(spki: Uint8Array): KeyObject {
  if (spki.length === P256_SPKI_PREFIX.length + 64 && startsWith(spki, P256_SPKI_PREFIX)) {
    const at = P256_SPKI_PREFIX.length;
    try {
      return createPublicKey({
        key: {
          kty: 'EC',
          crv: 'P-256',
          x: Buffer.from(spki.buffer, spki.byteOffset + at, 32).toString('base64url'),
          y: Buffer.from(spki.buffer, spki.byteOffset + at + 32, 32).toString('base64url'),
        },
        format: 'jwk',
      });
    } catch {
      // The DER decoder below gives the verdict.
    }
  }
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/**
 * RFC 6962 §3.2's precertificate TBS: the TBS without the extension at `index` of its extension
 * list, as @sigstore/core's clone-splice-re-encode gives it, or undefined when the TBS is not
 * minimal DER or the extension is the only one (the caller then takes that path). Built from the
 * signed bytes: the untouched elements as they stand, the enclosing headers rewritten.
 */
export function tbsWithoutExtension(cert: X509Certificate, index: number): Uint8Array | undefined {
  const tbsRaw = tbsBytes(cert);
  const tbs = cert.root.subs[0];
  if (tbsRaw === undefined || tbs === undefined) return undefined;
  const wrapper = tbs.subs.find((s) => s.tag.isContextSpecific(0x03));
  const list = wrapper?.subs[0];
  const removed = list?.subs[index];
  // Emptied, @sigstore/core's list would re-encode its old content: not worth mirroring.
  if (wrapper === undefined || list === undefined || removed === undefined || list.subs.length < 2)
    return undefined;
  const path = new Set([tbs, wrapper, list]);
  const size = (node: ASN1Obj): number => {
    if (node === removed) return 0;
    if (!path.has(node)) return encodedSize(node);
    let content = 0;
    for (const sub of node.subs) content += size(sub);
    return 1 + lengthSize(content) + content;
  };
  const out: Uint8Array[] = [];
  const emit = (node: ASN1Obj): void => {
    if (node === removed) return;
    if (!path.has(node)) {
      // Canonical, so the node's bytes end where its value ends and are encodedSize long.
      const n = encodedSize(node);
      out.push(new Uint8Array(node.value.buffer, node.value.byteOffset + node.value.length - n, n));
      return;
    }
    out.push(header(node.tag.toDER(), contentSize(node)));
    for (const sub of node.subs) emit(sub);
  };
  const contentSize = (node: ASN1Obj): number => {
    let content = 0;
    for (const sub of node.subs) content += size(sub);
    return content;
  };
  emit(tbs);
  return Buffer.concat(out);
}
function lengthSize(content: number): number {
  let n = 1;
  if (content >= 128) for (let c = content; c > 0; c = Math.floor(c / 256)) n++;
  return n;
}

function header(tag: number, content: number): Uint8Array {
  const out = [tag];
  if (content < 128) out.push(content);
  else {
    const bytes: number[] = [];
    for (let c = content; c > 0; c = Math.floor(c / 256)) bytes.unshift(c % 256);
    out.push(0x80 | bytes.length, ...bytes);
  }
  return Uint8Array.from(out);
}
