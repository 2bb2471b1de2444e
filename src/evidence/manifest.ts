import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto';
import type { EvidenceManifest } from '../api/index.js';
import { canonicalize, parseJson, sha256Digest } from '../core/index.js';
import { preAuthEncoding } from '../formats/index.js';
import { keyHint, type SigningKey } from '../sign/index.js';
import { EvidenceError } from './errors.js';
import {
  EVIDENCE_TYPE,
  kindOfPath,
  MANIFEST_PATH,
  MANIFEST_PAYLOAD_TYPE,
  MANIFEST_SIGNATURE_PATH,
  TRUSTED_ROOT_PATH,
} from './layout.js';
import type { EvidenceFile } from './tar.js';

/** The DSSE envelope `manifest.sig.json` holds. */
export interface ManifestEnvelope {
  payloadType: string;
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

/**
 * The manifest of `files` (every file but the manifest and its envelope), sorted by path, and
 * its exact bytes (RFC 8785 canonical JSON, so the same evidence makes the same manifest).
 */
export function buildManifest(
  files: readonly EvidenceFile[],
  o: {
    product: string;
    release: string;
    generatedAt: string;
    generatedBy: string;
    signer: SigningKey;
  },
): { manifest: EvidenceManifest; bytes: Uint8Array } {
  const entries = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => ({
      path: f.path,
      digest: sha256Digest(f.data),
      size: f.data.length,
      kind: kindOfPath(f.path),
    }));
  const root = entries.find((e) => e.path === TRUSTED_ROOT_PATH);
  const manifest: EvidenceManifest = {
    type: EVIDENCE_TYPE,
    product: o.product,
    release: o.release,
    generatedAt: o.generatedAt,
    generatedBy: o.generatedBy,
    trustedRoot: { path: TRUSTED_ROOT_PATH, digest: root?.digest ?? '' },
    signerKeyHint: o.signer.hint,
    files: entries,
  };
  return { manifest, bytes: new TextEncoder().encode(canonicalize(manifest)) };
}

/** DSSE over the manifest's bytes with the service's key (keyid: the key's Sigstore hint). */
export function signManifest(bytes: Uint8Array, key: SigningKey): Uint8Array {
  const sig = sign(key.digest, preAuthEncoding(MANIFEST_PAYLOAD_TYPE, bytes), key.privateKey);
  const envelope: ManifestEnvelope = {
    payloadType: MANIFEST_PAYLOAD_TYPE,
    payload: Buffer.from(bytes).toString('base64'),
    signatures: [{ keyid: key.hint, sig: sig.toString('base64') }],
  };
  return new TextEncoder().encode(`${JSON.stringify(envelope, null, 2)}\n`);
}

/**
 * The archive's manifest (untrusted until its signature is checked).
 * @throws EvidenceError EVIDENCE_MANIFEST_INVALID
 */
export function parseManifest(files: ReadonlyMap<string, Uint8Array>): EvidenceManifest {
  const bytes = files.get(MANIFEST_PATH);
  if (bytes === undefined) throw invalid(`the archive has no ${MANIFEST_PATH}`);
  let m: unknown;
  try {
    m = parseJson(bytes, MANIFEST_PATH, { maxBytes: bytes.length });
  } catch (cause) {
    throw invalid(`${MANIFEST_PATH} is not JSON`, cause);
  }
  const o = m as Partial<EvidenceManifest> | null;
  const filesOk =
    Array.isArray(o?.files) &&
    o.files.every(
      (f) =>
        typeof f?.path === 'string' &&
        typeof f.digest === 'string' &&
        typeof f.size === 'number' &&
        typeof f.kind === 'string',
    );
  if (
    o === null ||
    typeof o !== 'object' ||
    o.type !== EVIDENCE_TYPE ||
    typeof o.product !== 'string' ||
    typeof o.release !== 'string' ||
    typeof o.trustedRoot?.digest !== 'string' ||
    !filesOk
  ) {
    throw invalid(`${MANIFEST_PATH} is not a Custody evidence manifest (${EVIDENCE_TYPE})`);
  }
  return o as EvidenceManifest;
}

/**
 * Check `manifest.sig.json`: a DSSE envelope whose payload is exactly `manifest.json` and whose
 * signature verifies under `publicPem`. Returns what failed, or undefined when it verified.
 */
export function checkManifestSignature(
  files: ReadonlyMap<string, Uint8Array>,
  publicPem: string | Uint8Array | undefined,
): string | undefined {
  const env = files.get(MANIFEST_SIGNATURE_PATH);
  const manifest = files.get(MANIFEST_PATH);
  if (env === undefined || manifest === undefined) return `${MANIFEST_SIGNATURE_PATH} is missing`;
  if (publicPem === undefined) return 'no key to check it with';
  let e: ManifestEnvelope;
  let key: KeyObject;
  try {
    e = parseJson(env, MANIFEST_SIGNATURE_PATH, { maxBytes: env.length }) as ManifestEnvelope;
    key = createPublicKey(Buffer.from(publicPem));
  } catch {
    return `${MANIFEST_SIGNATURE_PATH} or the key is unreadable`;
  }
  if (e?.payloadType !== MANIFEST_PAYLOAD_TYPE || !Array.isArray(e.signatures)) {
    return `${MANIFEST_SIGNATURE_PATH} is not a manifest signature envelope`;
  }
  if (!Buffer.from(String(e.payload), 'base64').equals(Buffer.from(manifest))) {
    return `the envelope signs other bytes than ${MANIFEST_PATH}`;
  }
  const pae = preAuthEncoding(MANIFEST_PAYLOAD_TYPE, manifest);
  const digest = key.asymmetricKeyType === 'ed25519' ? null : 'sha256';
  const ok = e.signatures.some((s) => {
    try {
      return verify(digest, pae, key, Buffer.from(String(s?.sig), 'base64'));
    } catch {
      return false;
    }
  });
  return ok ? undefined : `the signature does not verify with key ${keyHint(key)}`;
}

function invalid(message: string, cause?: unknown): EvidenceError {
  return new EvidenceError(
    'EVIDENCE_MANIFEST_INVALID',
    `${message}; export the evidence again (custody evidence export)`,
    cause === undefined ? {} : { cause },
  );
}
