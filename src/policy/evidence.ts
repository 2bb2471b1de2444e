/**
 * The verified-evidence document: everything a policy may know about one artifact, as one plain
 * JSON value. Only verified facts enter it: a signature is listed once its bundle verified and its
 * signer was admitted, a provenance predicate once its envelope verified against the artifact, an
 * SBOM's quality once it was scored by Custody. Whoever fills it (the service from what it stored,
 * admission from a registry, a pipeline offline) must leave out what it did not verify; an absent
 * fact reads as its empty value (false, 0, null, []), so a rule that needs it fails.
 *
 * Field names are public API: policies name them (`evidence.sbom.quality.score >= 7.0`).
 */
export interface Evidence {
  /** The document's format, `custody.dev/evidence/v1`. */
  schema: typeof EVIDENCE_SCHEMA;
  artifact: ArtifactFacts;
  /** Verified signatures over the artifact (or its SBOM's bundle signers, see `sbom.signers`). */
  signatures: SignatureFact[];
  /** Verified SLSA provenance predicates whose subject is the artifact. */
  provenance: ProvenanceFact[];
  slsa: SlsaFacts;
  sbom: SbomFacts;
  vulnerabilities: VulnerabilityFacts;
  vex: VexFacts;
  /** The release commit's signature, as commit verification found it. */
  commit: CommitFacts;
}

export const EVIDENCE_SCHEMA = 'custody.dev/evidence/v1';

export interface ArtifactFacts {
  /** `sha256:<64 hex>`: what every other fact is about. */
  digest: string;
  /** The artifact's name as its release recorded it (an image reference, a file name). */
  name: string | null;
  product: string | null;
  /** The release version. */
  release: string | null;
  team: string | null;
  /** The change ticket the release names (SOX / SOC 2), when it has one. */
  ticket: string | null;
  /** true when the product is a supplier's (third-party intake). */
  supplier: boolean;
}

export interface SignatureFact {
  /** How it was signed: a Sigstore bundle (keyless), cosign's tag scheme, Notary Project, a plain key. */
  kind: 'sigstore' | 'cosign' | 'notation' | 'key';
  /** The certificate's subject (SAN: e-mail or URI), or null for a key signature. */
  identity: string | null;
  /** The OIDC issuer of a keyless certificate, or null. */
  issuer: string | null;
  /** base64 SHA-256 of the key's SPKI (Sigstore's key hint), or null for a certificate. */
  keyHint: string | null;
  /** true when the certificate is one of Custody's emergency certificates (break-glass). */
  emergency: boolean;
  /** true when the signature is in a transparency log whose inclusion was verified. */
  logged: boolean;
  /** ISO 8601: when Custody verified it. */
  verifiedAt: string;
}

export interface ProvenanceFact {
  /** `https://slsa.dev/provenance/v1` */
  predicateType: string;
  /** `runDetails.builder.id` */
  builderId: string;
  /** `buildDefinition.buildType` */
  buildType: string;
  /** The source the build took, from external parameters and resolved dependencies. */
  source: { uri: string | null; digest: string | null; ref: string | null };
  /** `buildDefinition.externalParameters` as the predicate has it (JSON). */
  externalParameters: unknown;
  /** Resolved dependencies: how many, how many carry a digest, and the ratio (1.0 when none). */
  resolvedDependencies: { total: number; pinned: number; ratio: number };
  /** Who signed the provenance envelope. */
  signer: { identity: string | null; issuer: string | null; key: string | null };
  /** The SLSA Build level this provenance supports on its own (0–3). */
  level: number;
}

export interface SlsaFacts {
  /** The SLSA v1.0 Build level the evidence supports (0–3). */
  level: number;
  /** A rebuild gave the same digest (true), a different one (false), or none was made (null). */
  reproducible: boolean | null;
}

export interface SbomFacts {
  /** An SBOM is stored for the artifact. */
  present: boolean;
  /** It carries at least one verified bundle from a signer the team admits. */
  signed: boolean;
  signers: {
    kind: 'identity' | 'key';
    identity: string | null;
    issuer: string | null;
    keyHint: string | null;
  }[];
  /** The SBOM's subject names the artifact's digest among its hashes. */
  subjectMatchesArtifact: boolean;
  /** `cyclonedx` or `spdx`, null without an SBOM. */
  format: string | null;
  /** Custody's quality report: score 0–10 (double), grade A–F, the ids of checks not fully passed. */
  quality: { score: number; grade: string | null; failures: string[] };
  /** Number of components. */
  components: number;
  /** Distinct licence ids (SPDX ids, LicenseRef-…), sorted. */
  licenses: string[];
  /** Components whose licence is NOASSERTION or absent. */
  noAssertion: number;
}

export interface SeverityCounts {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
}

export interface VulnerabilityFacts {
  /** Open findings (not closed by a fix or a VEX statement) by severity. */
  open: SeverityCounts;
  /** Open findings whose CVE is in CISA's KEV catalogue. */
  kev: number;
  /** Open findings with a fixed version known. */
  fixable: number;
}

export interface VexFacts {
  /** The product's current VEX statements by status. */
  statements: {
    not_affected: number;
    affected: number;
    fixed: number;
    under_investigation: number;
  };
  /** Open critical and high findings without any VEX statement. */
  unanswered: { critical: number; high: number };
}

export interface CommitFacts {
  /** The release commit's signature verified against an allowed identity. */
  signed: boolean;
  identity: string | null;
  issuer: string | null;
}

/** The document for an artifact that nothing is known about: every rule that needs a fact fails. */
export function emptyEvidence(digest: string): Evidence {
  return {
    schema: EVIDENCE_SCHEMA,
    artifact: {
      digest,
      name: null,
      product: null,
      release: null,
      team: null,
      ticket: null,
      supplier: false,
    },
    signatures: [],
    provenance: [],
    slsa: { level: 0, reproducible: null },
    sbom: {
      present: false,
      signed: false,
      signers: [],
      subjectMatchesArtifact: false,
      format: null,
      quality: { score: 0, grade: null, failures: [] },
      components: 0,
      licenses: [],
      noAssertion: 0,
    },
    vulnerabilities: {
      open: { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 },
      kev: 0,
      fixable: 0,
    },
    vex: {
      statements: { not_affected: 0, affected: 0, fixed: 0, under_investigation: 0 },
      unanswered: { critical: 0, high: 0 },
    },
    commit: { signed: false, identity: null, issuer: null },
  };
}
