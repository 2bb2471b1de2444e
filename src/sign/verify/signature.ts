import type { KeyObject } from 'node:crypto';
import { preAuthEncoding } from '../../formats/dsse.js';
import { SignError } from '../errors.js';
import type { DsseContent, MessageContent } from './bundle.js';
import { bytesEqual, type DigestAlgorithm, digestOf, verifyData, verifyDigest } from './crypto.js';

/** The artifact: its bytes, or only its SHA-256 (the harness's `sha256:<hex>` mode). */
export type ArtifactInput = { data: Uint8Array } | { digest: { algorithm: 'sha256'; hex: string } };

const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

/**
 * The bundle's signature verifies under `key` and is about `artifact` (README step 6). A message
 * signature is checked against the artifact's digest, so it verifies from a digest alone
 * (prehashed ECDSA; @sigstore/verify needs the bytes). A DSSE signature is over the PAE; the
 * artifact must then be a subject of the in-toto statement (or the payload itself, for other
 * payload types). Without an artifact a DSSE bundle verifies on its own (the caller checks the
 * statement); a message signature cannot.
 * @throws SignError SIGN_ARTIFACT_MISMATCH, SIGN_SIGNATURE_INVALID
 */
export function verifyContent(
  content: MessageContent | DsseContent,
  key: KeyObject,
  artifact: ArtifactInput | undefined,
): void {
  if (content.kind === 'message') {
    verifyMessage(content, key, artifact);
    return;
  }
  if (!verifyData(key, preAuthEncoding(content.payloadType, content.payload), content.signature)) {
    throw new SignError(
      'SIGN_SIGNATURE_INVALID',
      'The DSSE signature does not verify under the signer key.',
    );
  }
  if (artifact !== undefined) assertSubject(content, artifactSha256(artifact));
}

function verifyMessage(
  content: MessageContent,
  key: KeyObject,
  artifact: ArtifactInput | undefined,
): void {
  if (artifact === undefined) {
    throw new SignError(
      'SIGN_ARTIFACT_MISMATCH',
      'A message signature is verified against an artifact; none was given.',
    );
  }
  let digest: Uint8Array;
  if ('data' in artifact) {
    digest = digestOf(content.digestAlgorithm, artifact.data);
  } else if (content.digestAlgorithm === artifact.digest.algorithm) {
    digest = Buffer.from(artifact.digest.hex, 'hex');
  } else {
    throw new SignError(
      'SIGN_ARTIFACT_MISMATCH',
      `The bundle signs a ${content.digestAlgorithm} digest; a ${artifact.digest.algorithm} digest was given.`,
    );
  }
  // The bundle's digest is only a hint; the signature is checked over the artifact's own digest.
  if (!bytesEqual(digest, content.digest)) {
    throw new SignError(
      'SIGN_ARTIFACT_MISMATCH',
      "The artifact's digest is not the one the bundle signs.",
    );
  }
  const ok =
    'data' in artifact && (key.asymmetricKeyType === 'ed25519' || rehashCheaper(key, artifact.data))
      ? verifyData(key, artifact.data, content.signature, hashFor(key, content.digestAlgorithm))
      : verifyDigest(key, content.digestAlgorithm, digest, content.signature);
  if (ok === undefined) {
    throw new SignError(
      'SIGN_SIGNATURE_INVALID',
      `A ${key.asymmetricKeyType} signature is over the artifact itself and cannot be verified from its digest.`,
    );
  }
  if (!ok)
    throw new SignError(
      'SIGN_SIGNATURE_INVALID',
      'The signature does not verify over the artifact.',
    );
}

/**
 * Hashing a small artifact a second time, inside OpenSSL's ECDSA check, costs less than the
 * prehashed path's key conversions for the native addon (about 200 µs a new key, four ECDSA
 * P-256 checks): up to 64 KiB, the signature is checked over the artifact's bytes. Same curves as
 * the prehashed path (P-256, P-384) and the same digest, so the same verdict.
 */
const REHASH_MAX_BYTES = 64 * 1024;
/** The curves verifyEcdsaPrehashed takes (its other answers are false, so no shortcut there). */
const REHASH_CURVES = new Set(['prime256v1', 'secp384r1']);

function rehashCheaper(key: KeyObject, data: Uint8Array): boolean {
  return (
    data.length <= REHASH_MAX_BYTES &&
    key.asymmetricKeyType === 'ec' &&
    REHASH_CURVES.has(key.asymmetricKeyDetails?.namedCurve ?? '')
  );
}

function hashFor(key: KeyObject, algorithm: DigestAlgorithm): DigestAlgorithm | undefined {
  return key.asymmetricKeyType === 'ed25519' ? undefined : algorithm;
}

function artifactSha256(artifact: ArtifactInput): string {
  return 'data' in artifact
    ? Buffer.from(digestOf('sha256', artifact.data)).toString('hex')
    : artifact.digest.hex.toLowerCase();
}

function assertSubject(content: DsseContent, sha256: string): void {
  if (content.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
    if (Buffer.from(digestOf('sha256', content.payload)).toString('hex') === sha256) return;
    throw new SignError('SIGN_ARTIFACT_MISMATCH', 'The artifact is not the DSSE payload.');
  }
  let subjects: unknown;
  try {
    subjects = (JSON.parse(Buffer.from(content.payload).toString('utf8')) as { subject?: unknown })
      .subject;
  } catch (e) {
    throw new SignError('SIGN_ARTIFACT_MISMATCH', 'The in-toto statement is not JSON.', {
      cause: e,
    });
  }
  const found =
    Array.isArray(subjects) &&
    subjects.some((s) => {
      const d = (s as { digest?: { sha256?: unknown } } | null)?.digest?.sha256;
      return typeof d === 'string' && d.toLowerCase() === sha256;
    });
  if (!found) {
    throw new SignError(
      'SIGN_ARTIFACT_MISMATCH',
      'The artifact is not a subject of the in-toto statement.',
      {
        details: { sha256 },
      },
    );
  }
}
