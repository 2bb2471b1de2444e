import { canonicalize } from '../core/index.js';
import { rekorDsse, typedDsse } from './entry-dsse.js';
import {
  asObject,
  type BuiltEntry,
  type EntryKind,
  malformed,
  type ParseEntryOptions,
  tooLarge,
} from './entry-fields.js';
import { rekorHashedrekord, typedCustodyKind, typedHashedrekord } from './entry-hashedrekord.js';
import { leafHash as merkleLeafHash } from './hashing.js';

export { verifyEcdsaPrehashed } from './ecdsa-prehashed.js';
export {
  CUSTODY_ENTRY_API_VERSION,
  type EntryKind,
  type ParseEntryOptions,
  REKOR_ENTRY_API_VERSION,
} from './entry-fields.js';

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

export interface LogEntry {
  kind: EntryKind;
  /** The leaf data: Rekor's canonicalized body for hashedrekord/dsse, RFC 8785 JSON otherwise. */
  body: Uint8Array;
  /** RFC 6962 leaf hash of `body`. */
  leafHash: Uint8Array;
  /** `<alg>:<hex>` of the artifact (hashedrekord and Custody kinds) or the DSSE payload. */
  subjectDigest: string;
  /**
   * Leaf hashes of the other bodies that log the same signature (its ECDSA twin): if one of them
   * is in the log, this entry is that one (the sequencer's duplicate check).
   */
  aliasLeafHashes: Uint8Array[];
}

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
  let built: BuiltEntry;
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
    aliasLeafHashes: (built.aliases ?? []).map((a) =>
      merkleLeafHash(Buffer.from(canonicalize(a), 'utf8')),
    ),
  };
}
