import type { SerializedBundle } from '@sigstore/bundle';
import { CoreError } from '../../core/index.js';
import { readBundleFile, readInput } from '../../fs/bundle-files.js';
import {
  appendCosignLayer,
  type ImageReference,
  MEDIA,
  pushReferrer,
  type RegistryClient,
} from '../../oci/index.js';
import { parseStatement, SignError } from '../../sign/index.js';
import { type Env, openRegistry, type RegistryOptions } from './registry.js';
import { pushBundleReferrer, storeAttestation } from './sign-image.js';

export type AttachKind = 'sbom' | 'attestation' | 'signature';

export interface AttachOutcome {
  image: string;
  digest: string;
  kind: AttachKind;
  /** The cosign tag written (SBOMs and attestations), and the referrer manifest's digest. */
  cosignTag?: string;
  referrer: string;
  mediaType: string;
}

/**
 * `custody oci attach sbom|attestation|signature <image> <file>`:
 * - sbom: a CycloneDX or SPDX JSON document under cosign's `.sbom` tag and as a referrer whose
 *   artifactType is the SBOM's media type;
 * - attestation: a Sigstore bundle holding a DSSE in-toto statement about the image, under `.att`
 *   and as a Sigstore-bundle referrer;
 * - signature: a Sigstore bundle about the image (a message signature over the manifest, or a
 *   statement about it) as a Sigstore-bundle referrer.
 * What is attached must be about this image (its digest); its signature is checked by verify.
 * @throws OciError from the registry; SignError SIGN_BUNDLE_MALFORMED, SIGN_ATTESTATION_MISMATCH;
 *   CoreError USAGE (not an SBOM), FILE_NOT_FOUND
 */
export async function attachToImage(
  kind: AttachKind,
  ref: ImageReference,
  file: string,
  cwd: string,
  env: Env,
  ro: RegistryOptions = {},
): Promise<AttachOutcome> {
  const { client } = openRegistry(env, ro);
  client.assertAllowed(ref.registry);
  const content =
    kind === 'sbom'
      ? { sbom: readSbom(file) }
      : { bundle: readBundleFile(file, cwd) as SerializedBundle };
  const image = await client.resolve(ref);
  const repo = { registry: ref.registry, repository: ref.repository };
  const base = {
    image: `${ref.registry}/${ref.repository}@${image.digest}`,
    digest: image.digest,
    kind,
  };
  if (content.sbom !== undefined)
    return { ...base, ...(await attachSbom(client, repo, image, content.sbom)) };
  const bundle = content.bundle as SerializedBundle;
  const predicateType = assertAbout(bundle, image.digest, kind);
  if (kind === 'attestation') {
    if (predicateType === undefined)
      throw new SignError(
        'SIGN_ATTESTATION_MISMATCH',
        'The bundle holds a message signature, not an attestation: attach it as a signature.',
      );
    const s = await storeAttestation(client, repo, image, bundle, predicateType);
    return {
      ...base,
      cosignTag: s.cosignTag,
      referrer: s.referrer,
      mediaType: MEDIA.sigstoreBundle,
    };
  }
  const r = await pushBundleReferrer(client, repo, image, bundle, predicateType);
  return { ...base, referrer: r.digest, mediaType: MEDIA.sigstoreBundle };
}

async function attachSbom(
  client: RegistryClient,
  repo: { registry: string; repository: string },
  image: { mediaType: string; digest: string; size: number },
  sbom: { bytes: Uint8Array; mediaType: string },
): Promise<{ cosignTag: string; referrer: string; mediaType: string }> {
  const tagged = await appendCosignLayer(client, repo, image.digest, 'sbom', {
    bytes: sbom.bytes,
    mediaType: sbom.mediaType,
  });
  const r = await pushReferrer(client, repo, image, sbom.mediaType, [
    { bytes: sbom.bytes, mediaType: sbom.mediaType },
  ]);
  return { cosignTag: tagged.tag, referrer: r.digest, mediaType: sbom.mediaType };
}

/** CycloneDX JSON or SPDX JSON, told apart as their specs name themselves. */
function readSbom(file: string): { bytes: Uint8Array; mediaType: string } {
  const bytes = readInput(file, 'SBOM');
  let doc: { bomFormat?: unknown; spdxVersion?: unknown } | null = null;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    doc = null;
  }
  if (doc?.bomFormat === 'CycloneDX') return { bytes, mediaType: MEDIA.cyclonedxJson };
  if (typeof doc?.spdxVersion === 'string') return { bytes, mediaType: MEDIA.spdxJson };
  throw new CoreError('USAGE', `${file} is neither a CycloneDX nor an SPDX JSON document.`);
}

/**
 * The bundle is about the image: a statement with the digest among its subjects, or a message
 * signature over the manifest. Returns the statement's predicate type, if any.
 */
function assertAbout(
  bundle: SerializedBundle,
  digest: string,
  kind: AttachKind,
): string | undefined {
  const hex = digest.slice('sha256:'.length);
  if (bundle?.dsseEnvelope !== undefined) {
    const statement = parseStatement(Buffer.from(String(bundle.dsseEnvelope.payload), 'base64'));
    if (!statement.subject.some((s) => s.digest['sha256']?.toLowerCase() === hex))
      throw new SignError(
        'SIGN_ATTESTATION_MISMATCH',
        `The ${kind}'s statement is not about ${digest}.`,
      );
    return statement.predicateType;
  }
  const md = bundle?.messageSignature?.messageDigest;
  if (md === undefined)
    throw new SignError(
      'SIGN_BUNDLE_MALFORMED',
      'The file is not a Sigstore bundle with a signature.',
    );
  if (Buffer.from(String(md.digest), 'base64').toString('hex') !== hex)
    throw new SignError(
      'SIGN_ARTIFACT_MISMATCH',
      `The bundle's signature is not over the manifest ${digest}.`,
    );
  return undefined;
}
