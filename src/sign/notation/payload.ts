import { NotationError } from './errors.js';

/** An OCI descriptor as the payload's `targetArtifact` carries it (signature-specification "Payload"). */
export interface TargetArtifact {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const MAX_ANNOTATIONS = 256;

/**
 * Reads a signed `application/vnd.cncf.notary.payload.v1+json` payload (read only after its
 * signature verified; still checked as untrusted).
 * @throws NotationError SIGN_NOTATION_PAYLOAD_INVALID
 */
export function parseNotationPayload(bytes: Uint8Array): TargetArtifact {
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (e) {
    throw invalid('the payload is not JSON', e);
  }
  const t = (v as { targetArtifact?: unknown } | null)?.targetArtifact;
  if (typeof t !== 'object' || t === null || Array.isArray(t))
    throw invalid('the payload has no targetArtifact object');
  const d = t as Record<string, unknown>;
  if (typeof d['mediaType'] !== 'string' || d['mediaType'] === '')
    throw invalid('targetArtifact.mediaType is missing');
  if (typeof d['digest'] !== 'string' || !DIGEST.test(d['digest']))
    throw invalid('targetArtifact.digest is not <algorithm>:<encoded>');
  const size = d['size'];
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    throw invalid('targetArtifact.size is not a non-negative integer');
  const out: TargetArtifact = { mediaType: d['mediaType'], digest: d['digest'], size };
  if (d['artifactType'] !== undefined) {
    if (typeof d['artifactType'] !== 'string')
      throw invalid('targetArtifact.artifactType is not a string');
    out.artifactType = d['artifactType'];
  }
  if (d['annotations'] !== undefined) {
    const a = d['annotations'];
    if (typeof a !== 'object' || a === null || Array.isArray(a))
      throw invalid('targetArtifact.annotations is not an object');
    const entries = Object.entries(a);
    if (entries.length > MAX_ANNOTATIONS) throw invalid('targetArtifact has too many annotations');
    if (!entries.every(([, x]) => typeof x === 'string'))
      throw invalid('an annotation value is not a string');
    out.annotations = Object.fromEntries(entries) as Record<string, string>;
  }
  return out;
}

/** The payload notation writes for a target (its members in the order Go's encoder emits them). */
export function buildNotationPayload(target: TargetArtifact): Uint8Array {
  const t: Record<string, unknown> = {};
  if (target.annotations && Object.keys(target.annotations).length > 0)
    t['annotations'] = target.annotations;
  if (target.artifactType) t['artifactType'] = target.artifactType;
  t['digest'] = target.digest;
  t['mediaType'] = target.mediaType;
  t['size'] = target.size;
  return new Uint8Array(Buffer.from(JSON.stringify({ targetArtifact: t })));
}

function invalid(why: string, cause?: unknown): NotationError {
  return new NotationError(
    'SIGN_NOTATION_PAYLOAD_INVALID',
    `The signed payload is not a Notary Project payload: ${why}.`,
    cause ? { cause } : {},
  );
}
