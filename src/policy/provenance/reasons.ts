/**
 * Why a provenance did not verify: slsa-verifier's error names (errors/errors.go), kept so that
 * results can be compared with its test suite and its users' scripts. The reason code is the
 * upstream name in kebab case; the message names the upstream error too.
 */
export const PROVENANCE_REASONS = {
  'mismatch-hash': 'ErrorMismatchHash',
  'invalid-hash': 'ErrorInvalidHash',
  'no-valid-signature': 'ErrorNoValidSignature',
  'invalid-signature': 'ErrorInvalidSignature',
  'mismatch-signature': 'ErrorMismatchSignature',
  'rekor-search': 'ErrorRekorSearch',
  'invalid-rekor-entry': 'ErrorInvalidRekorEntry',
  'invalid-certificate': 'ErrorInvalidCertificate',
  'invalid-oidc-issuer': 'ErrorInvalidOIDCIssuer',
  'untrusted-reusable-workflow': 'ErrorUntrustedReusableWorkflow',
  'mismatch-builder-id': 'ErrorMismatchBuilderID',
  'invalid-builder-id': 'ErrorInvalidBuilderID',
  'invalid-build-type': 'ErrorInvalidBuildType',
  'mismatch-source': 'ErrorMismatchSource',
  'malformed-uri': 'ErrorMalformedURI',
  'mismatch-branch': 'ErrorMismatchBranch',
  'mismatch-tag': 'ErrorMismatchTag',
  'mismatch-versioned-tag': 'ErrorMismatchVersionedTag',
  'invalid-semver': 'ErrorInvalidSemver',
  'invalid-ref': 'ErrorInvalidRef',
  'mismatch-workflow-inputs': 'ErrorMismatchWorkflowInputs',
  'invalid-dsse-payload': 'ErrorInvalidDssePayload',
  'mismatch-intoto': 'ErrorMismatchIntoto',
  'invalid-format': 'ErrorInvalidFormat',
  'invalid-recipe': 'ErrorInvalidRecipe',
  'verifier-not-supported': 'ErrorVerifierNotSupported',
  'not-supported': 'ErrorNotSupported',
  'mismatch-package-name': 'ErrorMismatchPackageName',
  'mismatch-package-version': 'ErrorMismatchPackageVersion',
  'invalid-package-name': 'ErrorInvalidPackageName',
  'mismatch-certificate': 'ErrorMismatchCertificate',
  'mutable-image': 'ErrorMutableImage',
  'invalid-verification-result': 'ErrorInvalidVerificationResult',
  'mismatch-verified-levels': 'ErrorMismatchVerifiedLevels',
  'mismatch-resource-uri': 'ErrorMismatchResourceURI',
  'mismatch-verifier-id': 'ErrorMismatchVerifierID',
  'invalid-slsa-level': 'ErrorInvalidSLSALevel',
  'missing-subject-digest': 'ErrorMissingSubjectDigest',
  'empty-required-field': 'ErrorEmptyRequiredField',
  'invalid-subject': 'ErrorInvalidSubject',
} as const;

export type ProvenanceReason = keyof typeof PROVENANCE_REASONS;

/**
 * A failed check, thrown inside this folder and turned into a result value at its surface
 * (the checks nest as slsa-verifier's do; a failure ends them).
 */
export class ProvenanceFailure {
  readonly upstream: string;
  constructor(
    readonly reason: ProvenanceReason,
    readonly detail: string,
  ) {
    this.upstream = PROVENANCE_REASONS[reason];
  }
  get message(): string {
    return `${this.detail} (${this.upstream})`;
  }
}

export function fail(reason: ProvenanceReason, detail: string): never {
  throw new ProvenanceFailure(reason, detail);
}
