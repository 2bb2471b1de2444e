import type { SerializedBundle } from '@sigstore/bundle';
import type { Witness } from '@sigstore/sign';
import { readInput } from '../../fs/bundle-files.js';
import { custodyLogWitness } from '../../net/log-witness.js';
import {
  appendCosignLayer,
  BUNDLE_ANNOTATION,
  COSIGN_ANNOTATION,
  type Descriptor,
  type ImageReference,
  MEDIA,
  pushReferrer,
  type RegistryClient,
  sha256,
  simpleSigningPayload,
} from '../../oci/index.js';
import {
  buildStatement,
  loadBundleBuilder,
  parsePredicate,
  type Statement,
  subjectFromDigest,
} from '../../sign/index.js';
import { type KeyedSigningOptions, openSigner } from '../sign/open-signer.js';
import type { SignOutcome } from '../sign/sign-artifact.js';
import { SIGN_PREDICATE_TYPE } from './constants.js';
import { type Env, openRegistry, type RegistryOptions } from './registry.js';

export { SIGN_PREDICATE_TYPE };

export interface ImageSignOutcome extends SignOutcome {
  image: string;
  /** Where the signature went: the cosign tag and the referrer manifest's digest. */
  stored: { cosignTag: string; referrer: string };
}

/**
 * `custody sign <image>`: the image's manifest digest signed twice over, and both stored in its
 * repository:
 * 1. cosign's `.sig` tag (SIGNATURE_SPEC.md): the simple-signing payload naming the digest, the
 *    signature, certificate and — when logged — the log entry as cosign's `bundle` annotation,
 *    so `cosign verify` finds it;
 * 2. an OCI 1.1 referrer whose one layer is a Sigstore bundle (cosign's BUNDLE_SPEC.md): a DSSE
 *    in-toto statement about the digest, verifiable from the digest alone.
 * The bundle returned is the referrer's (the complete one).
 * @throws OciError (registry), SignError (signing), CoreError USAGE
 */
export async function signImage(
  ref: ImageReference,
  o: KeyedSigningOptions,
  env: Env,
  ro: RegistryOptions = {},
): Promise<ImageSignOutcome> {
  const { client } = openRegistry(env, ro);
  client.assertAllowed(ref.registry);
  const image = await client.resolve(ref);
  const repo = { registry: ref.registry, repository: ref.repository };
  const name = `${ref.registry}/${ref.repository}`;
  const payload = simpleSigningPayload(name, image.digest);
  const statement = buildStatement({
    subjects: [subjectFromDigest(image.digest, name)],
    predicateType: SIGN_PREDICATE_TYPE,
    predicate: {},
  });
  const { sig, att } = await signBoth(o, payload, statement);
  const simple = sig.messageSignature;
  const sigLayer = await appendCosignLayer(client, repo, image.digest, 'sig', {
    bytes: payload,
    mediaType: MEDIA.cosignSimpleSigning,
    annotations: {
      [COSIGN_ANNOTATION.signature]: simple?.signature ?? '',
      ...cosignMaterialAnnotations(sig),
    },
  });
  const referrer = await pushBundleReferrer(client, repo, image, att, SIGN_PREDICATE_TYPE);
  return {
    bundle: att,
    digest: image.digest,
    ...logIndexOf(att),
    image: `${name}@${image.digest}`,
    stored: { cosignTag: sigLayer.tag, referrer: referrer.digest },
  };
}

export interface ImageAttestOptions extends KeyedSigningOptions {
  predicateFile: string;
  predicateType: string;
}

/**
 * `custody attest <image>`: an in-toto statement about the manifest digest, stored as cosign
 * stores attestations (`.att`: the DSSE envelope as a layer, with the predicate type and
 * signature material as annotations) and as a Sigstore-bundle referrer.
 */
export async function attestImage(
  ref: ImageReference,
  o: ImageAttestOptions,
  env: Env,
  ro: RegistryOptions = {},
): Promise<ImageSignOutcome & { statement: Statement }> {
  const { client } = openRegistry(env, ro);
  client.assertAllowed(ref.registry);
  const predicate = parsePredicate(readInput(o.predicateFile, 'predicate file'), o.predicateFile);
  const image = await client.resolve(ref);
  const repo = { registry: ref.registry, repository: ref.repository };
  const name = `${ref.registry}/${ref.repository}`;
  const statement = buildStatement({
    subjects: [subjectFromDigest(image.digest, name)],
    predicateType: o.predicateType,
    predicate,
  });
  const who = await openSigner(o);
  let bundle: SerializedBundle;
  try {
    const { buildAttestationBundle } = await loadBundleBuilder();
    bundle = await buildAttestationBundle(statement, who.signer, { witnesses: witnessesFor(o) });
  } finally {
    await who.close();
  }
  const stored = await storeAttestation(client, repo, image, bundle, statement.predicateType);
  return {
    bundle,
    digest: image.digest,
    ...logIndexOf(bundle),
    image: `${name}@${image.digest}`,
    stored,
    statement,
  };
}

/**
 * An attestation bundle stored both ways: its DSSE envelope under `.att` (cosign's layout) and
 * the whole bundle as a referrer.
 */
export async function storeAttestation(
  client: RegistryClient,
  repo: { registry: string; repository: string },
  image: Descriptor,
  bundle: SerializedBundle,
  predicateType: string,
): Promise<{ cosignTag: string; referrer: string }> {
  const env = bundle.dsseEnvelope;
  const envelope =
    env === undefined
      ? undefined
      : {
          payloadType: env.payloadType,
          payload: env.payload,
          signatures: env.signatures.map((s) => ({ keyid: s.keyid ?? '', sig: s.sig })),
        };
  const att = await appendCosignLayer(client, repo, image.digest, 'att', {
    bytes: new TextEncoder().encode(JSON.stringify(envelope)),
    mediaType: MEDIA.dsseEnvelope,
    annotations: {
      [COSIGN_ANNOTATION.signature]: '',
      ...cosignMaterialAnnotations(bundle),
      [COSIGN_ANNOTATION.predicateType]: predicateType,
    },
  });
  const referrer = await pushBundleReferrer(client, repo, image, bundle, predicateType);
  return { cosignTag: att.tag, referrer: referrer.digest };
}

/** A Sigstore bundle as a referrer, annotated as cosign's BUNDLE_SPEC.md suggests. */
export async function pushBundleReferrer(
  client: RegistryClient,
  repo: { registry: string; repository: string },
  image: Descriptor,
  bundle: SerializedBundle,
  predicateType: string | undefined,
): Promise<Descriptor> {
  const bytes = new TextEncoder().encode(JSON.stringify(bundle));
  const annotations: Record<string, string> = {
    [BUNDLE_ANNOTATION.content]:
      bundle.dsseEnvelope !== undefined ? 'dsse-envelope' : 'message-signature',
    ...(predicateType !== undefined ? { [BUNDLE_ANNOTATION.predicateType]: predicateType } : {}),
    [BUNDLE_ANNOTATION.created]: new Date().toISOString(),
  };
  return pushReferrer(
    client,
    repo,
    image,
    MEDIA.sigstoreBundle,
    [
      {
        bytes,
        mediaType: MEDIA.sigstoreBundle,
        annotations: {
          [BUNDLE_ANNOTATION.title]: `${sha256(bytes).replace(':', '-')}.sigstore.json`,
        },
      },
    ],
    annotations,
  );
}

/**
 * cosign's certificate and bundle annotations from a Sigstore bundle: the leaf certificate as
 * PEM, and a log entry with a signed entry timestamp as cosign's `bundle` (SignedEntryTimestamp
 * + Payload{body, integratedTime, logIndex, logID}) — cosign verifies that offline.
 */
export function cosignMaterialAnnotations(b: SerializedBundle): Record<string, string> {
  const out: Record<string, string> = {};
  const vm = b.verificationMaterial as unknown as {
    certificate?: { rawBytes: string };
    x509CertificateChain?: { certificates: Array<{ rawBytes: string }> };
  };
  const leaf = vm.certificate?.rawBytes ?? vm.x509CertificateChain?.certificates[0]?.rawBytes;
  if (leaf !== undefined) out[COSIGN_ANNOTATION.certificate] = pem(leaf);
  const entry = (b.verificationMaterial.tlogEntries ?? [])[0];
  if (entry?.inclusionPromise !== undefined) {
    out[COSIGN_ANNOTATION.bundle] = JSON.stringify({
      SignedEntryTimestamp: entry.inclusionPromise.signedEntryTimestamp,
      Payload: {
        body: entry.canonicalizedBody,
        integratedTime: Number(entry.integratedTime),
        logIndex: Number(entry.logIndex ?? '0'),
        logID: Buffer.from(entry.logId.keyId, 'base64').toString('hex'),
      },
    });
  }
  return out;
}

/** One signer for both signatures (a keyless signer asks for one certificate per signature). */
async function signBoth(
  o: KeyedSigningOptions,
  payload: Uint8Array,
  statement: Statement,
): Promise<{ sig: SerializedBundle; att: SerializedBundle }> {
  const who = await openSigner(o);
  try {
    const { buildMessageSignatureBundle, buildAttestationBundle } = await loadBundleBuilder();
    const witnesses = witnessesFor(o);
    const sig = await buildMessageSignatureBundle(payload, who.signer, { witnesses });
    const att = await buildAttestationBundle(statement, who.signer, { witnesses });
    return { sig, att };
  } finally {
    await who.close();
  }
}

function witnessesFor(o: KeyedSigningOptions): Witness[] {
  return o.url === undefined ? [] : [custodyLogWitness({ ...o.log, url: o.url })];
}

function logIndexOf(b: SerializedBundle): { logIndex?: string } {
  const entry = (b.verificationMaterial.tlogEntries ?? [])[0];
  return entry !== undefined ? { logIndex: entry.logIndex ?? '0' } : {};
}

function pem(base64Der: string): string {
  const lines = base64Der.match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}
