import { createHash } from 'node:crypto';
import { algorithmOfCertificate, verifyWith } from './algorithm.js';
import {
  type Certificate,
  chainProblem,
  parseCertificate,
  subjectAttributes,
  validAt,
} from './certificate.js';
import { parseCoseEnvelope } from './cose.js';
import { isSubsetDn } from './dn.js';
import {
  MEDIA_TYPE_COSE,
  MEDIA_TYPE_JWS,
  type NotationEnvelope,
  PAYLOAD_CONTENT_TYPE,
  type SigningScheme,
} from './envelope.js';
import { NotationError } from './errors.js';
import { parseJwsEnvelope } from './jws.js';
import { parseNotationPayload, type TargetArtifact } from './payload.js';
import { isRevocable, type RevocationChecker } from './revocation.js';
import { verifyTimestampToken } from './timestamp.js';
import {
  type LevelName,
  parseArtifactReference,
  selectTrustPolicy,
  type TrustPolicyDocument,
  type TrustPolicyStatement,
  type TrustStoreType,
  type Validation,
  type ValidationAction,
  verificationLevel,
} from './trust-policy.js';
import { type TrustStores, trustStoreEntry } from './trust-store.js';

/** One signature to verify: what the OCI helper finds in a registry, or a file. */
export interface NotationSignatureInput {
  envelope: Uint8Array;
  /** The signature manifest layer's media type: application/jose+json or application/cose. */
  mediaType: string;
  /** `registry/repository@sha256:…`: selects the trust policy statement. */
  artifactReference: string;
  /** The digest the signature must sign (the manifest's digest). */
  artifactDigest: string;
  /** When given, the signed descriptor must carry the same media type and size. */
  artifactMediaType?: string;
  artifactSize?: number;
  /** Annotations the signed descriptor must carry with these values. */
  userMetadata?: Readonly<Record<string, string>>;
}

export interface NotationTrust {
  policy: TrustPolicyDocument;
  trustStores: TrustStores;
  /** OCSP/CRL lookups live outside the domain; without one, a revocable certificate's status is unknown. */
  revocation?: RevocationChecker;
}

export interface ValidationResult {
  validation: Validation;
  /** What a failure of this validation does under the statement's level. */
  action: ValidationAction;
  ok: boolean;
  failure?: string;
}

/** The decision on one signature: a value, whatever it is. */
export interface NotationVerification {
  verified: boolean;
  policy: string;
  level: LevelName | 'custom';
  /** The level is `skip`: nothing was read. */
  skipped: boolean;
  results: ValidationResult[];
  signingScheme?: SigningScheme;
  /** The signing certificate's subject (RFC 4514). */
  signer?: string;
  /** SHA-256 of each certificate of the chain, hex (the manifest's x509chain.thumbprint#S256). */
  chainThumbprints?: string[];
  signingTime?: Date;
  authenticSigningTime?: Date;
  expiry?: Date;
  timestamp?: { genTime: Date; authority: string };
  targetArtifact?: TargetArtifact;
  /** The signed descriptor's annotations (user metadata). */
  annotations?: Record<string, string>;
  signingAgent?: string;
}

/**
 * Verifies one Notary Project signature (trust-store-trust-policy "Signature Verification"):
 * integrity, authenticity (trust store and trusted identities), expiry, authentic timestamp and
 * revocation, each enforced or logged as the applicable statement's level says, stopping at the
 * first enforced failure.
 * @throws NotationError for unreadable input: SIGN_NOTATION_REFERENCE_INVALID,
 *   SIGN_NOTATION_POLICY_NOT_FOUND, SIGN_NOTATION_MEDIA_TYPE_UNSUPPORTED,
 *   SIGN_NOTATION_ENVELOPE_MALFORMED, SIGN_NOTATION_ENVELOPE_TOO_LARGE,
 *   SIGN_NOTATION_ALGORITHM_UNSUPPORTED, SIGN_NOTATION_PAYLOAD_INVALID
 */
export async function verifyNotationSignature(
  input: NotationSignatureInput,
  trust: NotationTrust,
  now: Date,
): Promise<NotationVerification> {
  const { digest } = parseArtifactReference(input.artifactReference);
  if (digest !== input.artifactDigest)
    throw new NotationError(
      'SIGN_NOTATION_REFERENCE_INVALID',
      `The artifact reference names ${digest}, not the digest to verify (${input.artifactDigest}).`,
    );
  const statement = selectTrustPolicy(trust.policy, input.artifactReference);
  const level = verificationLevel(statement);
  const out: NotationVerification = {
    verified: false,
    policy: statement.name,
    level: level.name,
    skipped: false,
    results: [],
  };
  if (level.name === 'skip') return { ...out, verified: true, skipped: true };
  const env = parseEnvelope(input.mediaType, input.envelope);
  const chain = env.certificateChain.map((d) =>
    parseCertificate(d, 'SIGN_NOTATION_ENVELOPE_MALFORMED'),
  );
  const leaf = chain[0] as Certificate;
  const keyAlg = algorithmOfCertificate(leaf);
  Object.assign(out, describe(env, chain));
  const record = (validation: Validation, failure: string | undefined): boolean => {
    const action = level.enforcement[validation];
    out.results.push({
      validation,
      action,
      ok: failure === undefined,
      ...(failure === undefined ? {} : { failure }),
    });
    return failure !== undefined && action === 'enforce';
  };

  // The payload is read only once its signature verified (signature-specification "Signed Attributes").
  let integrity = integrityFailure(env, chain, keyAlg === env.alg);
  if (integrity === undefined) {
    const target = parseNotationPayload(env.payload);
    out.targetArtifact = target;
    if (target.annotations) out.annotations = target.annotations;
    integrity = targetFailure(target, input);
  }
  if (record('integrity', integrity)) return out;

  if (
    record(
      'authenticity',
      authenticityFailure(statement, trust.trustStores, env.signingScheme, chain),
    )
  )
    return out;
  const expired = env.expiry !== undefined && now.getTime() >= env.expiry.getTime();
  if (
    record('expiry', expired ? `the signature expired at ${env.expiry?.toISOString()}` : undefined)
  )
    return out;
  const ts = await authenticTimestampFailure(statement, trust, env, chain, now, out);
  if (record('authenticTimestamp', ts)) return out;
  if (level.enforcement.revocation !== 'skip') {
    const r = await revocationFailure(trust.revocation, chain, 'codeSigning');
    if (record('revocation', r)) return out;
  }
  out.verified = true;
  return out;
}

/**
 * Reads an envelope of either format.
 * @throws NotationError SIGN_NOTATION_MEDIA_TYPE_UNSUPPORTED, SIGN_NOTATION_ENVELOPE_MALFORMED, …
 */
export function parseEnvelope(mediaType: string, bytes: Uint8Array): NotationEnvelope {
  if (mediaType === MEDIA_TYPE_JWS) return parseJwsEnvelope(bytes);
  if (mediaType === MEDIA_TYPE_COSE) return parseCoseEnvelope(bytes);
  throw new NotationError(
    'SIGN_NOTATION_MEDIA_TYPE_UNSUPPORTED',
    `Signature envelopes of media type "${mediaType.slice(0, 100)}" are not supported: use ${MEDIA_TYPE_JWS} or ${MEDIA_TYPE_COSE}.`,
  );
}

function describe(env: NotationEnvelope, chain: Certificate[]): Partial<NotationVerification> {
  const d: Partial<NotationVerification> = {
    signingScheme: env.signingScheme,
    signer: (chain[0] as Certificate).subject,
    chainThumbprints: chain.map((c) => createHash('sha256').update(c.der).digest('hex')),
  };
  if (env.signingTime) d.signingTime = env.signingTime;
  if (env.authenticSigningTime) d.authenticSigningTime = env.authenticSigningTime;
  if (env.expiry) d.expiry = env.expiry;
  if (env.signingAgent !== undefined) d.signingAgent = env.signingAgent;
  return d;
}

// trust-store-trust-policy "Validate Integrity", with notation-core-go's envelope checks.
function integrityFailure(
  env: NotationEnvelope,
  chain: Certificate[],
  algMatches: boolean,
): string | undefined {
  if (env.contentType !== PAYLOAD_CONTENT_TYPE)
    return `payload content type "${env.contentType}" is not supported`;
  const chainBad = chainProblem(chain, 'codeSigning');
  if (chainBad) return `the certificate chain is invalid: ${chainBad}`;
  if (!algMatches) return `"alg" ${env.alg} is not the algorithm of the signing certificate's key`;
  if (
    !verifyWith(env.alg, (chain[0] as Certificate).node.publicKey, env.signedBytes, env.signature)
  )
    return 'the signature does not verify: the payload, the signed attributes or the signature was changed';
  const unknownCritical = env.extendedAttributes.find((a) => a.critical);
  if (unknownCritical)
    return `the critical attribute "${String(unknownCritical.key)}" is not understood (verification plugins are not supported)`;
  return undefined;
}

function targetFailure(t: TargetArtifact, input: NotationSignatureInput): string | undefined {
  if (t.digest !== input.artifactDigest)
    return `the signature is for ${t.digest}, not ${input.artifactDigest}`;
  if (input.artifactMediaType !== undefined && t.mediaType !== input.artifactMediaType)
    return `the signature is for media type ${t.mediaType}, not ${input.artifactMediaType}`;
  if (input.artifactSize !== undefined && t.size !== input.artifactSize)
    return `the signature is for ${t.size} bytes, not ${input.artifactSize}`;
  for (const [k, v] of Object.entries(input.userMetadata ?? {}))
    if (t.annotations?.[k] !== v) return `the signed annotation ${k} is not "${v}"`;
  return undefined;
}

function storesOf(
  statement: TrustPolicyStatement,
  stores: TrustStores,
  type: TrustStoreType,
): Certificate[] | string {
  const certs: Certificate[] = [];
  for (const s of statement.trustStores.filter((x) => x.type === type)) {
    const e = trustStoreEntry(stores, type, s.name);
    if (typeof e === 'string') return e;
    certs.push(...e);
  }
  return certs;
}

// "Validate Authenticity": the chain holds a certificate of the scheme's stores, and the leaf's
// subject matches a trusted identity (a subset of its attributes).
function authenticityFailure(
  statement: TrustPolicyStatement,
  stores: TrustStores,
  scheme: SigningScheme,
  chain: Certificate[],
): string | undefined {
  const trusted = storesOf(statement, stores, scheme === 'notary.x509' ? 'ca' : 'signingAuthority');
  if (typeof trusted === 'string') return trusted;
  if (trusted.length === 0) return 'no trusted certificates are found to verify authenticity';
  const inChain = chain.some((c) =>
    trusted.some((t) => Buffer.from(t.der).equals(Buffer.from(c.der))),
  );
  if (!inChain) return "the signature's certificate chain does not contain any trusted certificate";
  return trustedIdentityFailure(statement, chain[0] as Certificate);
}

/**
 * The signing certificate's subject against the statement's trusted identities: `*`, or one
 * x509.subject DN whose attributes all appear in the subject with the same values.
 * @returns why it does not match, or undefined
 */
export function trustedIdentityFailure(
  statement: TrustPolicyStatement,
  leaf: Certificate,
): string | undefined {
  const ids = statement.trustedIdentities;
  if (ids === '*') return undefined;
  if (ids.length === 0)
    return `no x509 trusted identities are configured in the trust policy "${statement.name}"`;
  const attrs = subjectAttributes(leaf);
  if (attrs.some((a) => a.multi)) return 'the signing certificate subject has a multi-valued RDN';
  const subject = new Map<string, string>();
  for (const a of attrs) {
    const type = a.type === 'S' ? 'ST' : a.type;
    if (subject.has(type)) return `the signing certificate subject repeats ${type}`;
    subject.set(type, a.value);
  }
  if (leaf.subject.includes('=#'))
    return 'the signing certificate subject contains "=#" (not supported)';
  if (ids.some((id) => isSubsetDn(id.dn, subject))) return undefined;
  return `signing certificate subject "${leaf.subject}" matches no trusted identity of "${statement.name}"`;
}

// "Validate Authentic Timestamp", per signing scheme (notation-go's verifyAuthenticTimestamp).
async function authenticTimestampFailure(
  statement: TrustPolicyStatement,
  trust: NotationTrust,
  env: NotationEnvelope,
  chain: Certificate[],
  now: Date,
  out: NotationVerification,
): Promise<string | undefined> {
  if (env.signingScheme === 'notary.x509.signingAuthority') {
    const t = env.authenticSigningTime as Date;
    const bad = chain.find((c) => !validAt(c, t));
    return bad
      ? `certificate "${bad.subject}" was not valid when the signature was produced at ${t.toISOString()}`
      : undefined;
  }
  let perform = statement.trustStores.some((s) => s.type === 'tsa');
  if (perform && statement.signatureVerification.verifyTimestamp === 'afterCertExpiry')
    perform = chain.some((c) => now.getTime() > c.notAfter.getTime());
  if (!perform) {
    for (const c of chain) {
      if (now.getTime() < c.notBefore.getTime())
        return `verification time is before certificate "${c.subject}" validity period, it will be valid from ${c.notBefore.toISOString()}`;
      if (now.getTime() > c.notAfter.getTime())
        return `verification time is after certificate "${c.subject}" validity period, it was expired at ${c.notAfter.toISOString()}`;
    }
    return undefined;
  }
  if (!env.timestampSignature)
    return 'no timestamp countersignature was found in the signature envelope';
  const roots = storesOf(statement, trust.trustStores, 'tsa');
  if (typeof roots === 'string') return `failed to load tsa trust store: ${roots}`;
  if (roots.length === 0) return 'no trusted TSA certificate found in trust store';
  const ts = verifyTimestampToken(env.timestampSignature, env.signature, roots);
  if (typeof ts === 'string') return ts;
  for (const c of chain) {
    if (ts.lower.getTime() < c.notBefore.getTime())
      return `timestamp can be before certificate "${c.subject}" validity period, it will be valid from ${c.notBefore.toISOString()}`;
    if (ts.upper.getTime() > c.notAfter.getTime())
      return `timestamp can be after certificate "${c.subject}" validity period, it was expired at ${c.notAfter.toISOString()}`;
  }
  // "Certificate Revocation Evaluation" begins: skipped when the policy skips revocation.
  if (verificationLevel(statement).enforcement.revocation !== 'skip') {
    const r = await revocationFailure(trust.revocation, ts.chain, 'timestamping');
    if (r) return `timestamping ${r}`;
  }
  out.timestamp = { genTime: ts.genTime, authority: (ts.chain[0] as Certificate).subject };
  return undefined;
}

async function revocationFailure(
  checker: RevocationChecker | undefined,
  chain: Certificate[],
  purpose: 'codeSigning' | 'timestamping',
): Promise<string | undefined> {
  if (checker) {
    const status = await checker(
      chain.map((c) => c.der),
      purpose,
    );
    if (status === 'ok') return undefined;
    return status === 'revoked'
      ? 'certificate chain is revoked'
      : 'certificate chain revocation status is unknown';
  }
  const revocable = chain.find(isRevocable);
  return revocable
    ? `certificate "${revocable.subject}" names OCSP or CRL endpoints and no revocation checker was given: its status is unknown`
    : undefined;
}
