import { CustodyError } from '../../core/index.js';

/**
 * in-toto attestations carrying SLSA predicates: the shapes Custody reads.
 * Statement: https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md (v0.1 differs
 * only in `_type` and in allowing `predicateType` to be absent).
 * Provenance v0.1, v0.2, v1 and the Verification Summary (VSA) v1: https://slsa.dev/spec/.
 */

export const STATEMENT_V01_TYPE = 'https://in-toto.io/Statement/v0.1';
export const STATEMENT_V1_TYPE = 'https://in-toto.io/Statement/v1';
/** The DSSE payloadType of an in-toto statement. */
export const IN_TOTO_PAYLOAD_TYPE = 'application/vnd.in-toto+json';

export const SLSA_PROVENANCE_V01 = 'https://slsa.dev/provenance/v0.1';
export const SLSA_PROVENANCE_V02 = 'https://slsa.dev/provenance/v0.2';
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';
/** The v1 release candidate, still found in slsa-github-generator's early Sigstore bundles; read as v1. */
export const SLSA_PROVENANCE_V1_DRAFT = 'https://slsa.dev/provenance/v1.0?draft';
export const SLSA_VSA_V1 = 'https://slsa.dev/verification_summary/v1';

export type SlsaErrorCode =
  /** Not JSON, not a JSON object, or not a DSSE envelope / statement at all. */
  | 'SLSA_PARSE'
  /** A DSSE envelope that breaks the envelope spec (payload not base64, no signatures, …). */
  | 'SLSA_ENVELOPE_INVALID'
  /** An in-toto Statement that breaks its spec (`_type`, subjects, digests, predicateType). */
  | 'SLSA_STATEMENT_INVALID'
  /** A SLSA provenance or VSA predicate missing a required field or with a field of the wrong type. */
  | 'SLSA_PREDICATE_INVALID'
  /** A predicateType that is not SLSA provenance v0.1/v0.2/v1 or VSA v1 where one is required. */
  | 'SLSA_PREDICATE_UNSUPPORTED'
  /** Over a size limit: bytes, subjects, an array's length or a string's length (`details.limit`). */
  | 'SLSA_TOO_LARGE'
  /** Nested deeper than the limit. */
  | 'SLSA_TOO_DEEP';

export class SlsaError extends CustodyError<SlsaErrorCode> {}

/** Limits on one attestation (untrusted input). */
export interface SlsaLimits {
  /** Largest envelope or statement, in bytes. */
  maxBytes: number;
  /** Deepest nesting (GitHub's event payload inside v0.2 `environment` nests about 8 levels). */
  maxDepth: number;
  /** Most subjects in one statement. */
  maxSubjects: number;
  /** Longest array anywhere. */
  maxArrayLength: number;
  /** Longest string anywhere. */
  maxStringLength: number;
}

export const DEFAULT_SLSA_LIMITS: Readonly<SlsaLimits> = {
  maxBytes: 32 * 1024 * 1024,
  maxDepth: 64,
  maxSubjects: 100_000,
  maxArrayLength: 100_000,
  maxStringLength: 16 * 1024 * 1024,
};

/** A digest set: algorithm → lower-case hex (or, for some algorithms such as gitCommit, as given). */
export type DigestSet = Record<string, string>;

/** in-toto ResourceDescriptor (v1); v0.1/v0.2 materials are the `{uri, digest}` subset. */
export interface ResourceDescriptor {
  uri?: string;
  digest?: DigestSet;
  name?: string;
  downloadLocation?: string;
  mediaType?: string;
  /** base64 in JSON. */
  content?: string;
  annotations?: Record<string, unknown>;
}

export interface StatementSubject {
  name?: string;
  digest: DigestSet;
}

export interface InTotoStatement {
  _type: typeof STATEMENT_V01_TYPE | typeof STATEMENT_V1_TYPE;
  subject: StatementSubject[];
  predicateType: string;
  predicate: Record<string, unknown>;
}

export interface DsseSignature {
  keyid?: string;
  sig: Uint8Array;
  /** A PEM leaf certificate, as the legacy slsa-github-generator envelopes embed it. */
  cert?: string;
}

export interface DsseEnvelope {
  payloadType: string;
  payload: Uint8Array;
  signatures: DsseSignature[];
}

export interface ProvenanceV01 {
  builder: { id: string };
  recipe?: {
    type: string;
    definedInMaterial?: number;
    entryPoint?: string;
    arguments?: unknown;
    environment?: unknown;
  };
  metadata?: {
    buildInvocationId?: string;
    buildStartedOn?: string;
    buildFinishedOn?: string;
    completeness?: Record<string, boolean>;
    reproducible?: boolean;
  };
  materials?: ResourceDescriptor[];
}

export interface ProvenanceV02 {
  builder: { id: string };
  buildType: string;
  invocation?: {
    configSource?: { uri?: string; digest?: DigestSet; entryPoint?: string };
    parameters?: unknown;
    environment?: unknown;
  };
  buildConfig?: unknown;
  metadata?: {
    buildInvocationId?: string;
    buildStartedOn?: string;
    buildFinishedOn?: string;
    completeness?: Record<string, boolean>;
    reproducible?: boolean;
  };
  materials?: ResourceDescriptor[];
}

export interface ProvenanceV1 {
  buildDefinition: {
    buildType: string;
    externalParameters: Record<string, unknown>;
    internalParameters?: Record<string, unknown>;
    resolvedDependencies?: ResourceDescriptor[];
  };
  runDetails: {
    builder: {
      id: string;
      version?: Record<string, string>;
      builderDependencies?: ResourceDescriptor[];
    };
    metadata?: { invocationId?: string; startedOn?: string; finishedOn?: string };
    byproducts?: ResourceDescriptor[];
  };
}

export interface VerificationSummaryV1 {
  verifier: { id: string; version?: Record<string, string> };
  timeVerified?: string;
  resourceUri: string;
  policy: { uri?: string; digest?: DigestSet };
  inputAttestations?: ResourceDescriptor[];
  verificationResult: 'PASSED' | 'FAILED';
  verifiedLevels: string[];
  dependencyLevels?: Record<string, number>;
  slsaVersion?: string;
}

export type SlsaPredicate =
  | { predicateType: typeof SLSA_PROVENANCE_V01; version: '0.1'; predicate: ProvenanceV01 }
  | { predicateType: typeof SLSA_PROVENANCE_V02; version: '0.2'; predicate: ProvenanceV02 }
  | {
      predicateType: typeof SLSA_PROVENANCE_V1 | typeof SLSA_PROVENANCE_V1_DRAFT;
      version: '1';
      predicate: ProvenanceV1;
    };

/** Where the build's source came from, as the provenance says. */
export interface ProvenanceSource {
  /** As written, without the ref: `git+https://github.com/org/repo`, `gs://bucket/x.tgz`. */
  uri: string;
  digest: DigestSet;
  /** `refs/heads/main`, `refs/tags/v1.2.3` when the provenance names one. */
  ref?: string;
}

/**
 * The one view of a provenance (whatever its SLSA version) that checks and policies read.
 */
export interface ProvenanceView {
  predicateType: string;
  slsaVersion: '0.1' | '0.2' | '1';
  builderId: string;
  /** v0.1's `recipe.type`, v0.2's `buildType`, v1's `buildDefinition.buildType`. */
  buildType: string;
  source?: ProvenanceSource;
  /** v1 resolvedDependencies, v0.x materials. */
  resolvedDependencies: ResourceDescriptor[];
  subjects: StatementSubject[];
  invocationId?: string;
  startedOn?: string;
  finishedOn?: string;
}
