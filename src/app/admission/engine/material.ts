import { createHash, type KeyObject } from 'node:crypto';
import type { VerifiedSignature } from '../../../admission/classify.js';
import { FALLBACK_MARK } from '../../../admission/types.js';
import { readSbom } from '../../../formats/index.js';
import { COSIGN_ANNOTATION, type ImageReference, type RegistryClient } from '../../../oci/index.js';
import {
  assessSlsaLevel,
  DEFAULT_SLSA_BUILDERS,
  type ProvenanceFact,
} from '../../../policy/index.js';
import { allChecks, scoreSbom } from '../../../sbom/quality/index.js';
import type {
  Statement as SignStatement,
  TrustedRoot,
  VerifyOptions,
} from '../../../sign/index.js';
import { collectEvidence, type EvidencePiece } from '../../oci/evidence.js';
import {
  cosignAttestationVerifier,
  cosignSignatureVerifier,
  type EvidenceVerifier,
  isSignStatement,
  type PieceVerdict,
  sigstoreBundleVerifier,
  type VerifyContext,
} from '../../oci/verifiers.js';
import { isSlsaProvenance, readProvenanceFacts } from '../../provenance/read-provenance.js';

/** A key the engine trusts: a primary signer's, or a fallback signer's (an HSM key standing in). */
export interface TrustedKey {
  name: string;
  key: KeyObject;
  role: 'primary' | 'fallback';
}

/** What the engine verifies against. */
export interface EngineTrust {
  /** The service's own trusted root (its CA and log) and configured ones. */
  roots: readonly TrustedRoot[];
  keys: readonly TrustedKey[];
  /**
   * A fingerprint of the roots (their JSON's digest, say): the key of the material cache, so
   * material verified under other roots is never read as verified under these.
   */
  rootsFingerprint: string;
}

/** An SBOM that arrived as a verified attestation about the image. */
export interface AttestedSbom {
  signer: VerifiedSignature;
  format: string;
  /** The statement names the image, and the SBOM's own subject (when it names a digest) does too. */
  subjectMatches: boolean;
  components: number;
  licenses: string[];
  noAssertion: number;
  score: number;
  failures: string[];
}

/** What verified for one image digest under one trust, and when. */
export interface VerifiedMaterial {
  digest: string;
  /** ms since the epoch, by the engine's clock. */
  verifiedAt: number;
  /** Signature pieces found (verified or not). */
  signaturesFound: number;
  signatures: VerifiedSignature[];
  /** Why signature pieces did not verify (first few), for messages. */
  failures: { code: string; message: string }[];
  sboms: AttestedSbom[];
  /**
   * SLSA provenance attested about the image that verified against the trust (whoever signed
   * it: the builder's identity is judged by the Build level, as the index's provenance is).
   */
  provenance: ProvenanceFact[];
}

const VERIFIERS: readonly EvidenceVerifier[] = [
  cosignSignatureVerifier,
  cosignAttestationVerifier,
  sigstoreBundleVerifier,
];
const SBOM_PREDICATES = new Set([
  'https://cyclonedx.org/bom',
  'https://spdx.dev/Document',
  'https://spdx.dev/Document/v2.3',
]);
// Verify whatever the roots vouch for; whether the signer is trusted is judged per namespace
// (classify.ts), so one verification serves every namespace.
const ANY_IDENTITY = { identityRegexp: '^.+$' };
// Log entries and timestamps are read, not required: a signature without a log entry (signed
// while the log was down) is reported as such rather than refused.
const OPTIONS: VerifyOptions = { tlogThreshold: 0, timestampThreshold: 0, allowEmergency: true };

/**
 * Everything attached to the image, pulled once (each layer once, whatever the number of keys),
 * then every signature piece verified locally: against the roots for a certificate, against
 * each trusted key in turn otherwise.
 * @throws OciError from the registry (OCI_REGISTRY_UNAVAILABLE when it does not answer)
 */
export async function verifyMaterial(
  client: RegistryClient,
  ref: ImageReference & { digest: string },
  trust: EngineTrust,
  now: Date,
): Promise<VerifiedMaterial> {
  const evidence = await collectEvidence(pullingOnce(client), ref);
  const digest = evidence.image.digest;
  const base: Omit<VerifyContext, 'policy'> = {
    imageDigest: digest,
    imageReference: `${ref.registry}/${ref.repository}@${digest}`,
    // The same array every time: the verifier keeps what bundles share (CA chains, log keys,
    // checkpoints) keyed by it.
    trust: trust.roots as TrustedRoot[],
    options: OPTIONS,
    now,
  };
  const m: VerifiedMaterial = {
    digest,
    verifiedAt: now.getTime(),
    signaturesFound: 0,
    signatures: [],
    failures: [],
    sboms: [],
    provenance: [],
  };
  for (const p of evidence.pieces) {
    const verifier = VERIFIERS.find((v) => v.accepts(p));
    if (verifier === undefined) continue;
    const { verdict, key } = await verifyPiece(verifier, p, base, trust.keys);
    const statement = verdict.status === 'verified' ? statementOf(p) : undefined;
    const isSignature =
      p.kind === 'signature' &&
      (verdict.status !== 'verified' ||
        verdict.predicateType === undefined ||
        isSignStatement(verdict.predicateType));
    if (isSignature) m.signaturesFound++;
    if (verdict.status !== 'verified') {
      if (m.failures.length < 8)
        m.failures.push(
          verdict.status === 'failed'
            ? { code: verdict.code, message: verdict.message }
            : { code: 'UNVERIFIED', message: verdict.message },
        );
      continue;
    }
    const signer: VerifiedSignature = {
      identity: key === undefined ? (verdict.signer.identity ?? null) : null,
      issuer: key === undefined ? (verdict.signer.issuer ?? null) : null,
      key: key?.name ?? null,
      keyRole: key?.role ?? null,
      fallbackMarked: isFallbackMarked(p, statement),
      emergency: verdict.signer.emergency !== undefined,
      logged: verdict.tlogIndices.length > 0,
    };
    if (isSignature) m.signatures.push(signer);
    else if (isSlsaProvenance(verdict.predicateType ?? '') && statement !== undefined) {
      const fact = provenanceFact(statement, digest, signer);
      if (fact !== undefined && m.provenance.length < PROVENANCE_MAX) m.provenance.push(fact);
    } else if (SBOM_PREDICATES.has(verdict.predicateType ?? '') && statement !== undefined) {
      const sbom = sbomFacts(statement.predicate, digest, signer, now);
      if (sbom !== undefined) m.sboms.push(sbom);
    }
  }
  return m;
}

/**
 * The client with each blob pulled at most once per verification: cosign's `.sig` holds one
 * layer per signature, and signatures over one payload share its blob.
 */
function pullingOnce(client: RegistryClient): RegistryClient {
  const pulled = new Map<string, Promise<Uint8Array>>();
  const c = Object.create(client) as RegistryClient;
  c.getBlob = (repo, digest, maxBytes) => {
    const key = `${repo.registry}/${repo.repository}@${digest}`;
    let p = pulled.get(key);
    if (p === undefined) {
      p = client.getBlob(repo, digest, maxBytes);
      pulled.set(key, p);
    }
    return p;
  };
  return c;
}

/** A digest over what verified: part of the decision key, so other material is another key. */
export function materialDigest(m: VerifiedMaterial, index: unknown): string {
  const { verifiedAt: _at, ...rest } = m;
  return createHash('sha256').update(JSON.stringify({ rest, index })).digest('hex');
}

async function verifyPiece(
  verifier: EvidenceVerifier,
  p: EvidencePiece,
  base: Omit<VerifyContext, 'policy'>,
  keys: readonly TrustedKey[],
): Promise<{ verdict: PieceVerdict; key?: TrustedKey }> {
  const keyless = await verifier.verify(p, { ...base, policy: ANY_IDENTITY });
  if (keyless.status === 'verified' || !hasNoCertificate(p)) return { verdict: keyless };
  let last: PieceVerdict = keyless;
  for (const k of keys) {
    const v = await verifier.verify(p, { ...base, policy: { key: k.key } });
    if (v.status === 'verified') return { verdict: v, key: k };
    last = v;
  }
  return { verdict: last };
}

// A piece signed with a key carries no certificate: cosign's certificate annotation is absent,
// or the bundle's verification material is a public key hint.
function hasNoCertificate(p: EvidencePiece): boolean {
  if (p.source === 'cosign-tag')
    return (p.layer.annotations?.[COSIGN_ANNOTATION.certificate] ?? '') === '';
  try {
    const b = JSON.parse(new TextDecoder().decode(p.bytes)) as {
      verificationMaterial?: { publicKey?: unknown };
    };
    return b.verificationMaterial?.publicKey !== undefined;
  } catch {
    return false;
  }
}

interface Statement {
  predicateType?: string;
  predicate?: unknown;
}

/** The in-toto statement of a verified DSSE piece (cosign `.att` envelope or a bundle's). */
function statementOf(p: EvidencePiece): Statement | undefined {
  try {
    const doc = JSON.parse(new TextDecoder().decode(p.bytes)) as {
      payload?: string;
      dsseEnvelope?: { payload?: string };
    };
    const payload = doc.dsseEnvelope?.payload ?? doc.payload;
    if (typeof payload !== 'string') return undefined;
    return JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as Statement;
  } catch {
    return undefined;
  }
}

/** FALLBACK_MARK in a simple-signing payload's `optional`, or in a statement's predicate. */
function isFallbackMarked(p: EvidencePiece, statement: Statement | undefined): boolean {
  const marked = (o: unknown) =>
    typeof o === 'object' &&
    o !== null &&
    (o as Record<string, unknown>)[FALLBACK_MARK] !== undefined &&
    (o as Record<string, unknown>)[FALLBACK_MARK] !== false;
  if (statement !== undefined) return marked(statement.predicate);
  if (p.source !== 'cosign-tag') return false;
  try {
    const doc = JSON.parse(new TextDecoder().decode(p.bytes)) as { optional?: unknown };
    return marked(doc.optional);
  } catch {
    return false;
  }
}

const SBOM_FAILURES_MAX = 64;
const PROVENANCE_MAX = 16;
/** Cap on the external parameters copied into the document, as gather-evidence caps them. */
const EXTERNAL_PARAMETERS_MAX = 16 * 1024;

/** A verified SLSA provenance statement as the evidence document's fact; undefined if malformed. */
function provenanceFact(
  statement: Statement,
  digest: string,
  signer: VerifiedSignature,
): ProvenanceFact | undefined {
  let f: ReturnType<typeof readProvenanceFacts>;
  try {
    f = readProvenanceFacts(statement as unknown as SignStatement);
  } catch {
    return undefined;
  }
  const p = statement.predicate as {
    buildDefinition?: { externalParameters?: unknown };
    invocation?: { parameters?: unknown };
  };
  const external = p.buildDefinition?.externalParameters ?? p.invocation?.parameters ?? {};
  const level = assessSlsaLevel({
    artifacts: [digest],
    provenance: [
      {
        artifact: digest,
        predicateType: statement.predicateType ?? '',
        builderId: f.builderId,
        buildType: f.buildType,
        externalParameters: f.externalParameters,
        signer:
          signer.key !== null
            ? { kind: 'key', name: signer.key, hint: '' }
            : { kind: 'identity', identity: signer.identity ?? '', issuer: signer.issuer ?? '' },
        emergency: signer.emergency,
        dependencies: f.dependencies,
        pinned: f.pinned,
      },
    ],
    builders: DEFAULT_SLSA_BUILDERS,
    rebuilds: [],
  }).level;
  return {
    predicateType: statement.predicateType ?? '',
    builderId: f.builderId ?? '',
    buildType: f.buildType ?? '',
    source: f.source,
    externalParameters: JSON.stringify(external).length > EXTERNAL_PARAMETERS_MAX ? {} : external,
    resolvedDependencies: {
      total: f.dependencies,
      pinned: f.pinned,
      ratio: f.dependencies === 0 ? 1 : f.pinned / f.dependencies,
    },
    signer: { identity: signer.identity, issuer: signer.issuer, key: signer.key },
    level,
  };
}

function sbomFacts(
  predicate: unknown,
  digest: string,
  signer: VerifiedSignature,
  now: Date,
): AttestedSbom | undefined {
  let doc: ReturnType<typeof readSbom>['document'];
  try {
    doc = readSbom(JSON.stringify(predicate), 'the attested SBOM').document;
  } catch {
    return undefined;
  }
  const named = (doc.subject?.hashes ?? [])
    .filter((h) => h.alg.toUpperCase().replace('-', '') === 'SHA256')
    .map((h) => `sha256:${h.content.toLowerCase()}`);
  const oci = /^pkg:oci\/[^@]+@(sha256(?::|%3A)[0-9a-f]{64})/i.exec(doc.subject?.purl ?? '');
  if (oci) named.push((oci[1] as string).replace(/%3A/i, ':').toLowerCase());
  const licenses = new Set<string>();
  let noAssertion = 0;
  for (const c of doc.components) {
    if (c.licenses.length === 0 || c.licenses.includes('NOASSERTION')) noAssertion++;
    for (const l of c.licenses) if (l !== 'NOASSERTION') licenses.add(l);
  }
  const report = scoreSbom(doc, { now });
  return {
    signer,
    format: doc.format,
    // The statement's subject is the image (the verifier checked it); an SBOM that names another
    // digest as its own subject is a stale one re-attested.
    subjectMatches: named.length === 0 || named.includes(digest),
    components: doc.components.length,
    licenses: [...licenses].sort().slice(0, 10_000),
    noAssertion,
    score: report.score,
    failures: allChecks(report)
      .filter((c) => c.applicable && c.score < 10)
      .map((c) => c.id)
      .slice(0, SBOM_FAILURES_MAX),
  };
}
