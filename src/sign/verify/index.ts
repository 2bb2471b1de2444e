import { createHash, type KeyObject } from 'node:crypto';
import type { EmergencyMark } from '../emergency.js';
import { SignError } from '../errors.js';
import { inTimeRange } from '../trusted-root.js';
import { assertEntryMatches, type EntryKeyMaterial } from './body.js';
import { type ParsedBundle, parseBundle } from './bundle.js';
import { assertBundleChain, assertValidAt, type VerifiedLeaf, verifyLeaf } from './certificate.js';
import { assertIdentity, type IdentityPolicy } from './identity.js';
import { type TrustMaterialInput, trustMaterial } from './material.js';
import { type ArtifactInput, verifyContent } from './signature.js';
import { verifyRfc3161 } from './timestamp.js';
import { type VerifiedEntry, verifyTlogInclusion } from './tlog.js';

export type { ParsedBundle } from './bundle.js';
export type { IdentityPolicy } from './identity.js';
export type { TrustMaterialInput } from './material.js';
export type { ArtifactInput } from './signature.js';

/**
 * Custody's Sigstore bundle verifier. It follows @sigstore/verify 3.1 step by step and uses the
 * Sigstore libraries for the formats (@sigstore/bundle parses bundles, @sigstore/core parses
 * certificates, SCTs and RFC 3161 tokens), but owns the verification flow because the library
 * falls short where Custody needs it to:
 * - it cannot verify from an artifact's digest (`sha256:<hex>`): Custody verifies message
 *   signatures over the digest (prehashed ECDSA, RSA) in signature.ts;
 * - it mis-checks Rekor v2 "hashedrekord over DSSE" entries (body.ts);
 * - it accepts a trusted root whose log key lacks `validFor.start` (trusted-root.ts);
 * - it re-verifies every chain, key and checkpoint for every bundle: here what bundles share
 *   (CA chains, signing certificates, log keys, checkpoints) is verified once per trust material.
 */
export interface VerifiedBundle {
  signer: {
    /** The certificate's SAN (URI or email). */
    identity?: string;
    /** The OIDC issuer from Fulcio's extension. */
    issuer?: string;
    /** For key policies: base64 SHA-256 of the key's SPKI (how Sigstore hints keys). */
    key?: string;
    /**
     * Set when the certificate is one of Custody's emergency certificates (approver, requester
     * and reason from its extension); such a bundle verifies only with `allowEmergency`.
     */
    emergency?: EmergencyMark;
  };
  /** Trusted times: verified integrated times, then RFC 3161 times. */
  times: Date[];
  tlogIndices: number[];
  dsse?: { payloadType: string; payload: Uint8Array };
}

export interface VerifyOptions {
  /** Log entries required (default 1); 0 lets a keyed bundle made without a log verify. */
  tlogThreshold?: number;
  /** Trusted times required (default 1); 0 only makes sense with a key policy. */
  timestampThreshold?: number;
  /**
   * Accept an emergency certificate (issued on a second person's approval during an OIDC outage,
   * longer-lived than a keyless one). Default false: such a bundle is refused with
   * SIGN_EMERGENCY_CERTIFICATE once everything else about it has verified.
   */
  allowEmergency?: boolean;
  /**
   * The DSSE envelope's bytes exactly as uploaded to the log (a cosign `.att` layer), when the
   * caller has them: a Rekor intoto 0.0.1 entry logs only their hash, checked against these.
   */
  dsseEnvelopeBytes?: Uint8Array;
}

/**
 * Verify a Sigstore bundle (its parsed JSON) against an artifact, a policy and trust material.
 * @throws SignError SIGN_BUNDLE_MALFORMED, SIGN_BUNDLE_CHAIN_INVALID, SIGN_TLOG_INVALID, SIGN_TLOG_ENTRY_MISMATCH,
 *   SIGN_TIMESTAMP_INVALID, SIGN_CHAIN_INVALID, SIGN_SCT_INVALID, SIGN_CERTIFICATE_EXPIRED,
 *   SIGN_ARTIFACT_MISMATCH, SIGN_SIGNATURE_INVALID, SIGN_IDENTITY_MISMATCH,
 *   SIGN_EMERGENCY_CERTIFICATE
 */
export function verifyBundle(
  bundleJson: unknown,
  artifact: ArtifactInput | undefined,
  policy: IdentityPolicy,
  trust: TrustMaterialInput,
  options: VerifyOptions = {},
): VerifiedBundle {
  const bundle = parseBundle(bundleJson);
  const m = trustMaterial(trust);
  const signer = signingKey(bundle, policy, m);
  const entries = verifyEntries(
    bundle,
    signer.material,
    m,
    options.tlogThreshold ?? 1,
    options.dsseEnvelopeBytes,
  );
  const times = trustedTimes(bundle, entries, m, options.timestampThreshold ?? 1);
  if (signer.leaf !== undefined) assertValidAt(signer.leaf, times);
  verifyContent(bundle.content, signer.key, artifact);
  if (signer.leaf !== undefined && !('key' in policy)) assertIdentity(policy, signer.leaf);
  const emergency = signer.leaf?.emergency;
  if (emergency !== undefined && options.allowEmergency !== true) {
    throw new SignError(
      'SIGN_EMERGENCY_CERTIFICATE',
      `The bundle is signed with an emergency certificate (approved by ${emergency.approver}${emergency.requester ? `, requested by ${emergency.requester}` : ''}: ${emergency.reason}); verify with --allow-emergency to accept it.`,
      { details: { emergency: { ...emergency } } },
    );
  }
  return {
    signer: signer.leaf
      ? {
          ...(signer.leaf.identity !== undefined ? { identity: signer.leaf.identity } : {}),
          ...(signer.leaf.issuer !== undefined ? { issuer: signer.leaf.issuer } : {}),
          ...(emergency !== undefined ? { emergency } : {}),
        }
      : { key: keyFingerprint(signer.key) },
    times,
    tlogIndices: entries.map((e) => e.logIndex),
    ...(bundle.content.kind === 'dsse'
      ? { dsse: { payloadType: bundle.content.payloadType, payload: bundle.content.payload } }
      : {}),
  };
}

interface Signer {
  key: KeyObject;
  material: EntryKeyMaterial;
  leaf: VerifiedLeaf | undefined;
}

function signingKey(
  bundle: ParsedBundle,
  policy: IdentityPolicy,
  m: ReturnType<typeof trustMaterial>,
): Signer {
  if (bundle.key.kind === 'publicKey') {
    if (!('key' in policy)) {
      throw new SignError(
        'SIGN_IDENTITY_MISMATCH',
        'The bundle is signed with a key, not a certificate: verify it with --key.',
      );
    }
    return { key: policy.key, material: { spki: spki(policy.key) }, leaf: undefined };
  }
  assertBundleChain(m, bundle.key);
  const leaf = verifyLeaf(m, bundle.key);
  if ('key' in policy) {
    // A certificate bundle checked against a key: the key decides, the certificate's CA does not.
    if (!spki(leaf.key).equals(spki(policy.key))) {
      throw new SignError(
        'SIGN_IDENTITY_MISMATCH',
        "The bundle's certificate is not for the key given.",
      );
    }
    return { key: policy.key, material: { certificate: bundle.key.der }, leaf: undefined };
  }
  return { key: leaf.key, material: { certificate: bundle.key.der }, leaf };
}

function verifyEntries(
  bundle: ParsedBundle,
  material: EntryKeyMaterial,
  m: ReturnType<typeof trustMaterial>,
  threshold: number,
  envelopeBytes: Uint8Array | undefined,
): VerifiedEntry[] {
  if (bundle.tlogEntries.length < threshold) {
    throw new SignError(
      'SIGN_TLOG_INVALID',
      `The bundle has ${bundle.tlogEntries.length} transparency log entries; ${threshold} required.`,
    );
  }
  return bundle.tlogEntries.map((entry) => {
    const verified = verifyTlogInclusion(m, entry);
    assertEntryMatches(entry, bundle.content, material, envelopeBytes);
    return verified;
  });
}

function trustedTimes(
  bundle: ParsedBundle,
  entries: VerifiedEntry[],
  m: ReturnType<typeof trustMaterial>,
  threshold: number,
): Date[] {
  const tsa = bundle.rfc3161Timestamps.map((der) =>
    verifyRfc3161(m, der, bundle.content.signature),
  );
  // An entry without an integrated time (Rekor v2) is dated by the timestamps: its log key must
  // have been trusted then.
  for (const e of entries) {
    if (
      e.integratedTime === undefined &&
      tsa.length > 0 &&
      !tsa.some((t) => inTimeRange(e.log.validFor, t))
    ) {
      throw new SignError(
        'SIGN_TLOG_INVALID',
        "The log's key was not trusted at the time of the timestamps.",
      );
    }
  }
  const times = [...entries.flatMap((e) => (e.integratedTime ? [e.integratedTime] : [])), ...tsa];
  if (times.length < threshold) {
    throw new SignError(
      'SIGN_TIMESTAMP_INVALID',
      `The bundle has ${times.length} trusted timestamps (signed entry timestamps, RFC 3161); ${threshold} required.`,
    );
  }
  return times;
}

function spki(key: KeyObject): Buffer {
  return key.export({ format: 'der', type: 'spki' });
}

function keyFingerprint(key: KeyObject): string {
  return createHash('sha256').update(spki(key)).digest('base64');
}
