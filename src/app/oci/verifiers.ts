import { createHash } from 'node:crypto';
import { type InTotoStatement, parseStatement, SlsaError } from '../../formats/slsa/index.js';
import { COSIGN_ANNOTATION, parseSimpleSigning } from '../../oci/index.js';
import {
  type IdentityPolicy,
  IN_TOTO_PAYLOAD_TYPE,
  isSignError,
  loadNotation,
  loadVerifier,
  type NotationTrust,
  SignError,
  type TrustedRoot,
  type VerifiedBundle,
  type VerifyOptions,
} from '../../sign/index.js';
import { SIGN_PREDICATE_TYPE } from './constants.js';
import type { EvidencePiece } from './evidence.js';

export interface VerifyContext {
  /** The image's manifest digest, `sha256:<hex>`: what every signature must be about. */
  imageDigest: string;
  /** `registry/repository@sha256:…`: what a Notary Project trust policy's registry scopes match. */
  imageReference: string;
  /** Who must have made a Sigstore/cosign signature; absent when only notation is asked for. */
  policy: IdentityPolicy | undefined;
  trust: TrustedRoot[];
  options: VerifyOptions;
  /** The Notary Project trust policy and stores; absent: notation signatures are only reported. */
  notation?: NotationTrust;
  now: Date;
}

/** A piece's verdict: verified (by whom), refused (why), or found but not judged here. */
export type PieceVerdict =
  | {
      status: 'verified';
      signer: VerifiedBundle['signer'];
      predicateType?: string;
      tlogIndices: number[];
      times: Date[];
    }
  | { status: 'failed'; code: string; message: string }
  | { status: 'unverified'; message: string };

/**
 * A kind of signature `custody oci verify` can judge. The verifiers are asked in order; the first
 * that accepts a piece judges it.
 */
export interface EvidenceVerifier {
  readonly name: string;
  accepts(piece: EvidencePiece): boolean;
  verify(piece: EvidencePiece, ctx: VerifyContext): Promise<PieceVerdict>;
}

/** cosign `.sig` layers: a simple-signing payload naming the digest, signed as annotated. */
export const cosignSignatureVerifier: EvidenceVerifier = {
  name: 'cosign-signature',
  accepts: (p) => p.source === 'cosign-tag' && p.kind === 'signature',
  async verify(p, ctx) {
    return judged(async () => {
      const payload = parseSimpleSigning(p.bytes);
      if (payload === undefined)
        throw new SignError(
          'SIGN_BUNDLE_MALFORMED',
          'The .sig layer is not a simple-signing payload.',
        );
      if (payload.digest !== ctx.imageDigest)
        throw new SignError(
          'SIGN_ARTIFACT_MISMATCH',
          `The signed payload names ${payload.digest}, not the image ${ctx.imageDigest}.`,
        );
      const signature = p.layer.annotations?.[COSIGN_ANNOTATION.signature];
      if (signature === undefined || signature === '')
        throw new SignError(
          'SIGN_BUNDLE_MALFORMED',
          'The .sig layer carries no signature annotation.',
        );
      const bundle = bundleFromCosign(p, {
        messageSignature: {
          messageDigest: {
            algorithm: 'SHA2_256',
            digest: createHash('sha256').update(p.bytes).digest('base64'),
          },
          signature,
        },
      });
      return verifyWith(bundle, { data: p.bytes }, ctx);
    });
  },
};

/** cosign `.att` layers: a DSSE envelope over an in-toto statement about the digest. */
export const cosignAttestationVerifier: EvidenceVerifier = {
  name: 'cosign-attestation',
  accepts: (p) => p.source === 'cosign-tag' && p.kind === 'attestation',
  async verify(p, ctx) {
    return judged(async () => {
      let env: {
        payloadType?: unknown;
        payload?: unknown;
        signatures?: Array<{ sig?: unknown; keyid?: unknown }>;
      };
      try {
        env = JSON.parse(new TextDecoder().decode(p.bytes));
      } catch (e) {
        throw new SignError(
          'SIGN_BUNDLE_MALFORMED',
          'The .att layer is not a DSSE envelope (not JSON).',
          { cause: e },
        );
      }
      const sig = env?.signatures?.[0];
      if (
        typeof env?.payload !== 'string' ||
        typeof env.payloadType !== 'string' ||
        typeof sig?.sig !== 'string'
      )
        throw new SignError(
          'SIGN_BUNDLE_MALFORMED',
          'The .att layer is not a signed DSSE envelope.',
        );
      const bundle = bundleFromCosign(p, {
        dsseEnvelope: {
          payload: env.payload,
          payloadType: env.payloadType,
          signatures: [{ sig: sig.sig, keyid: typeof sig.keyid === 'string' ? sig.keyid : '' }],
        },
      });
      // The layer is the envelope cosign uploaded: an intoto 0.0.1 entry logs its hash.
      return verifyWith(bundle, undefined, ctx, p.bytes);
    });
  },
};

/** Sigstore bundles attached as referrers (cosign's BUNDLE_SPEC.md, Custody's own). */
export const sigstoreBundleVerifier: EvidenceVerifier = {
  name: 'sigstore-bundle',
  accepts: (p) =>
    p.source === 'referrer' &&
    (p.artifactType ?? '').startsWith('application/vnd.dev.sigstore.bundle'),
  async verify(p, ctx) {
    return judged(async () => {
      let bundle: unknown;
      try {
        bundle = JSON.parse(new TextDecoder().decode(p.bytes));
      } catch (e) {
        throw new SignError(
          'SIGN_BUNDLE_MALFORMED',
          'The referrer holds no Sigstore bundle (not JSON).',
          { cause: e },
        );
      }
      const isDsse = (bundle as { dsseEnvelope?: unknown } | null)?.dsseEnvelope !== undefined;
      // A message signature over the manifest verifies from the image's digest alone.
      return verifyWith(
        bundle,
        isDsse ? undefined : { digest: { algorithm: 'sha256', hex: hexOf(ctx.imageDigest) } },
        ctx,
      );
    });
  },
};

/**
 * Notary Project signatures (artifactType application/vnd.cncf.notary.signature, a JWS or COSE
 * envelope), judged by notation's trust policy and trust stores — the rules of that ecosystem,
 * not Sigstore's identity policy, so both signers can coexist on one image.
 */
export const notationVerifier: EvidenceVerifier = {
  name: 'notation',
  accepts: (p) => p.kind === 'notation',
  async verify(p, ctx) {
    if (ctx.notation === undefined)
      return {
        status: 'unverified',
        message: `Notary Project signature (envelope ${p.layer.mediaType}); give --notation-trust-policy and --notation-trust-store to verify it`,
      };
    const n = await loadNotation();
    try {
      const v = await n.verifyNotationSignature(
        {
          envelope: p.bytes,
          mediaType: p.layer.mediaType,
          artifactReference: ctx.imageReference,
          artifactDigest: ctx.imageDigest,
        },
        ctx.notation,
        ctx.now,
      );
      if (!v.verified) {
        const failed = v.results.find((r) => !r.ok && r.action === 'enforce') ??
          v.results.find((r) => !r.ok) ?? { validation: 'policy', failure: 'not verified' };
        return {
          status: 'failed',
          code: `SIGN_NOTATION_${String(failed.validation).toUpperCase()}_FAILED`,
          message: `Notary Project signature (trust policy ${v.policy}): ${failed.failure ?? failed.validation}`,
        };
      }
      const when = v.authenticSigningTime ?? v.timestamp?.genTime ?? v.signingTime;
      return {
        status: 'verified',
        signer: { ...(v.signer !== undefined ? { identity: v.signer } : {}) },
        tlogIndices: [],
        times: when !== undefined ? [when] : [],
      };
    } catch (e) {
      if (e instanceof n.NotationError)
        return { status: 'failed', code: e.code, message: e.message };
      throw e;
    }
  },
};

export const DEFAULT_VERIFIERS: readonly EvidenceVerifier[] = [
  cosignSignatureVerifier,
  cosignAttestationVerifier,
  sigstoreBundleVerifier,
  notationVerifier,
];

/**
 * A Sigstore bundle from cosign's layer annotations: the certificate (or the key the policy
 * names), and cosign's `bundle` annotation (a Rekor entry with its signed entry timestamp) as a
 * v0.1 bundle's log entry — the form cosign 1.x/2.x verifies offline.
 */
function bundleFromCosign(p: EvidencePiece, content: Record<string, unknown>): unknown {
  const a = p.layer.annotations ?? {};
  const cert = a[COSIGN_ANNOTATION.certificate];
  const der = cert === undefined ? undefined : derOfPem(cert);
  const entry = tlogEntryOf(a[COSIGN_ANNOTATION.bundle]);
  const key =
    der !== undefined
      ? entry !== undefined
        ? { x509CertificateChain: { certificates: [{ rawBytes: der }] } }
        : { certificate: { rawBytes: der } }
      : { publicKey: { hint: '' } };
  return {
    // v0.1 is the version whose log entries may carry a signed entry timestamp alone.
    mediaType:
      entry !== undefined
        ? 'application/vnd.dev.sigstore.bundle+json;version=0.1'
        : 'application/vnd.dev.sigstore.bundle.v0.3+json',
    verificationMaterial: { ...key, tlogEntries: entry !== undefined ? [entry] : [] },
    ...content,
  };
}

function tlogEntryOf(annotation: string | undefined): Record<string, unknown> | undefined {
  if (annotation === undefined || annotation === '') return undefined;
  try {
    const b = JSON.parse(annotation) as {
      SignedEntryTimestamp?: string;
      Payload?: { body?: string; integratedTime?: number; logIndex?: number; logID?: string };
    };
    const body = b.Payload?.body;
    if (
      typeof body !== 'string' ||
      typeof b.SignedEntryTimestamp !== 'string' ||
      typeof b.Payload?.logID !== 'string'
    )
      return undefined;
    const kind = JSON.parse(Buffer.from(body, 'base64').toString('utf8')) as {
      kind?: string;
      apiVersion?: string;
    };
    return {
      logIndex: String(b.Payload.logIndex ?? 0),
      logId: { keyId: Buffer.from(b.Payload.logID, 'hex').toString('base64') },
      kindVersion: { kind: kind.kind ?? '', version: kind.apiVersion ?? '' },
      integratedTime: String(b.Payload.integratedTime ?? 0),
      inclusionPromise: { signedEntryTimestamp: b.SignedEntryTimestamp },
      canonicalizedBody: body,
    };
  } catch {
    return undefined;
  }
}

async function verifyWith(
  bundle: unknown,
  artifact: { data: Uint8Array } | { digest: { algorithm: 'sha256'; hex: string } } | undefined,
  ctx: VerifyContext,
  dsseEnvelopeBytes?: Uint8Array,
): Promise<PieceVerdict> {
  if (ctx.policy === undefined)
    return {
      status: 'unverified',
      message:
        'a Sigstore signature; give --key or --certificate-identity with --certificate-oidc-issuer to verify it',
    };
  const { verifyBundle } = await loadVerifier();
  const v = verifyBundle(bundle, artifact, ctx.policy, ctx.trust, {
    ...ctx.options,
    ...(dsseEnvelopeBytes !== undefined ? { dsseEnvelopeBytes } : {}),
  });
  let predicateType: string | undefined;
  if (v.dsse !== undefined) {
    if (v.dsse.payloadType !== IN_TOTO_PAYLOAD_TYPE)
      throw new SignError(
        'SIGN_ATTESTATION_MISMATCH',
        `The DSSE payload is ${v.dsse.payloadType}, not an in-toto statement.`,
      );
    const statement = statementOf(v.dsse.payload);
    const hex = hexOf(ctx.imageDigest);
    if (!statement.subject.some((s) => s.digest['sha256']?.toLowerCase() === hex))
      throw new SignError(
        'SIGN_ATTESTATION_MISMATCH',
        `The statement is not about the image ${ctx.imageDigest}.`,
      );
    predicateType = statement.predicateType;
  }
  return {
    status: 'verified',
    signer: v.signer,
    ...(predicateType !== undefined ? { predicateType } : {}),
    tlogIndices: v.tlogIndices,
    times: v.times,
  };
}

/**
 * in-toto Statement v1, or v0.1 as cosign 1.x and slsa-github-generator wrote them, read by
 * formats/slsa; a statement it refuses is a refused signature here, not an error of the command.
 */
function statementOf(payload: Uint8Array): InTotoStatement {
  try {
    return parseStatement(payload, 'the DSSE payload');
  } catch (e) {
    if (e instanceof SlsaError)
      throw new SignError('SIGN_STATEMENT_INVALID', e.message, { cause: e });
    throw e;
  }
}

async function judged(f: () => Promise<PieceVerdict>): Promise<PieceVerdict> {
  try {
    return await f();
  } catch (e) {
    if (isSignError(e)) return { status: 'failed', code: e.code, message: e.message };
    throw e;
  }
}

function hexOf(digest: string): string {
  return digest.slice('sha256:'.length);
}

function derOfPem(pem: string): string | undefined {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  return m ? (m[1] as string).replace(/\s+/g, '') : undefined;
}

/** Is this verified statement Custody's (or cosign's) plain signature rather than an attestation? */
export function isSignStatement(predicateType: string | undefined): boolean {
  return predicateType === SIGN_PREDICATE_TYPE;
}
