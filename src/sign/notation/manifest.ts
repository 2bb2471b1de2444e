import { createHash } from 'node:crypto';
import type { Certificate } from './certificate.js';
import { MEDIA_TYPE_COSE, MEDIA_TYPE_JWS } from './envelope.js';
import { NotationError } from './errors.js';

/** signature-specification "OCI Signatures": how a Notary Project signature sits in a registry. */
export const NOTATION_ARTIFACT_TYPE = 'application/vnd.cncf.notary.signature';
export const OCI_EMPTY_CONFIG = 'application/vnd.oci.empty.v1+json';
export const THUMBPRINT_ANNOTATION = 'io.cncf.notary.x509chain.thumbprint#S256';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}

export interface NotationSignatureManifest {
  /** The signature envelope blob (the manifest's only layer). */
  envelope: Descriptor & { mediaType: typeof MEDIA_TYPE_JWS | typeof MEDIA_TYPE_COSE };
  subject: Descriptor;
  /** SHA-256 of the signing chain's certificates, lower-case hex, leaf first. */
  thumbprints: string[];
}

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * Reads a Notary Project signature manifest (untrusted): either form, `artifactType` with an empty
 * config (OCI 1.1) or `config.mediaType` application/vnd.cncf.notary.signature (OCI 1.0), one
 * layer of a supported envelope type, a subject, and the thumbprint annotation.
 * @returns undefined when the manifest is not a Notary Project signature (another referrer)
 * @throws NotationError SIGN_NOTATION_ENVELOPE_MALFORMED, SIGN_NOTATION_MEDIA_TYPE_UNSUPPORTED
 */
export function parseNotationSignatureManifest(
  bytes: Uint8Array,
): NotationSignatureManifest | undefined {
  if (bytes.byteLength > MAX_MANIFEST_BYTES)
    throw new NotationError(
      'SIGN_NOTATION_ENVELOPE_TOO_LARGE',
      'The signature manifest is over 4 MiB.',
    );
  let m: Record<string, unknown>;
  try {
    m = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw bad('is not JSON', e);
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw bad('is not a JSON object');
  const config = descriptor(m['config'], 'config');
  const isNotation =
    m['artifactType'] === NOTATION_ARTIFACT_TYPE ||
    (m['artifactType'] === undefined && config.mediaType === NOTATION_ARTIFACT_TYPE);
  if (!isNotation) return undefined;
  if (m['mediaType'] !== 'application/vnd.oci.image.manifest.v1+json')
    throw bad('is not an OCI image manifest');
  if (m['artifactType'] !== undefined && config.mediaType !== OCI_EMPTY_CONFIG)
    throw bad(`with an artifactType must have the empty config, not ${config.mediaType}`);
  const layers = m['layers'];
  if (!Array.isArray(layers) || layers.length !== 1) throw bad('must have exactly one layer');
  const layer = descriptor(layers[0], 'layer');
  if (layer.mediaType !== MEDIA_TYPE_JWS && layer.mediaType !== MEDIA_TYPE_COSE)
    throw new NotationError(
      'SIGN_NOTATION_MEDIA_TYPE_UNSUPPORTED',
      `The signature envelope type "${layer.mediaType.slice(0, 100)}" is not supported: ${MEDIA_TYPE_JWS} or ${MEDIA_TYPE_COSE}.`,
    );
  const subject = descriptor(m['subject'], 'subject');
  const annotations = m['annotations'] as Record<string, unknown> | undefined;
  const raw = annotations?.[THUMBPRINT_ANNOTATION];
  let thumbprints: string[] = [];
  if (raw !== undefined) {
    try {
      const list = JSON.parse(String(raw));
      if (
        !Array.isArray(list) ||
        !list.every((x) => typeof x === 'string' && /^[0-9a-fA-F]{64}$/.test(x))
      )
        throw new Error('not hex');
      thumbprints = list.map((x: string) => x.toLowerCase());
    } catch (e) {
      throw bad(`has a malformed ${THUMBPRINT_ANNOTATION} annotation`, e);
    }
  }
  return { envelope: layer as NotationSignatureManifest['envelope'], subject, thumbprints };
}

/**
 * signing-and-verification-workflow step 3.2.2: a signature is worth fetching when one of its
 * chain's thumbprints is a certificate of the applicable policy's trust stores.
 */
export function thumbprintsMatch(
  thumbprints: readonly string[],
  trusted: readonly Certificate[],
): boolean {
  const set = new Set(trusted.map((c) => createHash('sha256').update(c.der).digest('hex')));
  return thumbprints.some((t) => set.has(t.toLowerCase()));
}

function descriptor(v: unknown, what: string): Descriptor {
  const d = v as Record<string, unknown> | null;
  if (
    typeof d !== 'object' ||
    d === null ||
    typeof d['mediaType'] !== 'string' ||
    typeof d['digest'] !== 'string' ||
    typeof d['size'] !== 'number' ||
    !Number.isSafeInteger(d['size'])
  )
    throw bad(`has no valid ${what} descriptor`);
  return { mediaType: d['mediaType'], digest: d['digest'], size: d['size'] };
}

function bad(why: string, cause?: unknown): NotationError {
  return new NotationError(
    'SIGN_NOTATION_ENVELOPE_MALFORMED',
    `The signature manifest ${why}.`,
    cause ? { cause } : {},
  );
}
