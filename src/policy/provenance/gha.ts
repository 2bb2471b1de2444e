import { type InTotoStatement, SlsaError, statementOfEnvelope } from '../../formats/slsa/index.js';
import {
  assertBuilderTag,
  assertVersionedTag,
  type BuilderId,
  builderIdString,
  matchesFull,
  matchesLoose,
  parseBuilderId,
  refName,
} from './builder-id.js';
import { subjectWorkflowParts, type WorkflowIdentity, workflowIdentity } from './certificate.js';
import {
  BUILD_TYPES,
  BUILDERS,
  type GhaProvenance,
  ghaProvenance,
  parseGitUriAndRef,
} from './gha-provenance.js';
import { fail } from './reasons.js';
import type { SignedAttestation } from './signature.js';

/**
 * slsa-verifier's GitHub Actions verifier (verifiers/internal/gha: builder.go, provenance.go,
 * verifier.go), over an attestation whose signature has been verified: the workflow identity in
 * the certificate, the trusted builder, the source, and the provenance's claims.
 */
export interface ProvenanceExpectations {
  /** `github.com/org/repo`, with or without `git+https://`. */
  sourceUri: string;
  /** Lowercase hex; its length gives the algorithm (64 → sha256). */
  artifactDigest: string;
  builderId?: string;
  branch?: string;
  tag?: string;
  versionedTag?: string;
  workflowInputs?: Readonly<Record<string, string>>;
}

export interface GhaOptions {
  /**
   * slsa-verifier's SLSA_VERIFIER_TESTING: builders at `refs/heads/main` are accepted for the
   * generator's own repositories (its end-to-end tests). Never for real use.
   */
  testing?: boolean;
}

export interface GhaVerified {
  builderId: string;
  sourceRepository: string;
  commit: string;
  signer: { identity: string; issuer: string };
  statement: InTotoStatement;
}

const HTTPS_GITHUB = 'https://github.com/';
const TRUSTED_BUILDER_REPOSITORY = 'slsa-framework/slsa-github-generator';
const E2E_REPOSITORY = 'slsa-framework/example-package';
const GITHUB_OIDC_ISSUER = 'https://token.actions.githubusercontent.com';
const JRELEASER = `${HTTPS_GITHUB}jreleaser/release-action`;

export const DEFAULT_ARTIFACT_BUILDERS: readonly string[] = [
  BUILDERS.generic,
  BUILDERS.go,
  BUILDERS.containerBased,
];
export const DEFAULT_CONTAINER_BUILDERS: readonly string[] = [BUILDERS.containerGenerator];
export const DEFAULT_BYOB_BUILDERS: readonly string[] = [
  BUILDERS.delegator,
  BUILDERS.lowPermsDelegator,
];

function isTrustedDelegator(cert: BuilderId, trusted: readonly string[]): boolean {
  for (const byob of DEFAULT_BYOB_BUILDERS) {
    if (matchesLoose(cert, byob) === undefined) return trusted.includes(byob);
  }
  return false;
}

function trustedBuilderId(
  certName: string,
  certRef: string,
  expected: string | undefined,
  defaults: readonly string[],
): { builder: BuilderId; byob: boolean } {
  const builder = parseBuilderId(`${certName}@${certRef}`, true);
  if (expected === undefined || expected === '') {
    if (!defaults.includes(certName)) {
      fail(
        'untrusted-reusable-workflow',
        `${certName} with builderID provided: ${expected !== undefined}`,
      );
    }
    return { builder, byob: isTrustedDelegator(builder, defaults) };
  }
  if (isTrustedDelegator(builder, defaults)) return { builder, byob: true };
  const mismatch = matchesLoose(builder, expected);
  if (mismatch !== undefined) fail('untrusted-reusable-workflow', mismatch);
  return { builder, byob: false };
}

/** VerifyBuilderIdentity: GitHub's issuer, a trusted workflow, at a release tag. */
export function verifyBuilderIdentity(
  id: WorkflowIdentity,
  expected: string | undefined,
  defaults: readonly string[],
  options: GhaOptions = {},
): { builder: BuilderId; byob: boolean } {
  if (id.issuer !== GITHUB_OIDC_ISSUER) fail('invalid-oidc-issuer', `"${id.issuer}"`);
  const { name, ref } = subjectWorkflowParts(id);
  if (name === '' || ref === '') fail('malformed-uri', `workflow uri: "${id.subjectWorkflow}"`);
  const trusted = trustedBuilderId(name, ref, expected, defaults);
  if (
    options.testing === true &&
    (id.sourceRepository === TRUSTED_BUILDER_REPOSITORY || id.sourceRepository === E2E_REPOSITORY)
  ) {
    if (ref !== 'refs/heads/main') assertBuilderTag(ref, true);
  } else {
    assertBuilderTag(ref, false);
  }
  return trusted;
}

/** utils.NormalizeGitURI. */
export function normalizeGitUri(s: string): string {
  if (s.startsWith('git+')) return s;
  return s.includes('://') ? `git+${s}` : `git+https://${s}`;
}

export function verifyCertificateSource(id: WorkflowIdentity, sourceUri: string): void {
  let expected = sourceUri.startsWith('git+https://')
    ? sourceUri.slice('git+https://'.length)
    : sourceUri;
  if (expected.startsWith('github.com/')) expected = expected.slice('github.com/'.length);
  if (id.sourceRepository !== expected) {
    fail('mismatch-source', `expected source '${expected}', got '${id.sourceRepository}'`);
  }
}

function verifySourceUri(prov: GhaProvenance, expectedSourceUri: string): void {
  const source = normalizeGitUri(expectedSourceUri);
  if (!source.startsWith('git+https://github.com/')) {
    fail('malformed-uri', `expected source github.com repository "${source}"`);
  }
  const fullTrigger = prov.triggerUri();
  const [triggerUri, triggerRef] = parseGitUriAndRef(fullTrigger);
  if (triggerUri !== source) {
    fail('mismatch-source', `expected trigger "${source}" to match source-uri "${fullTrigger}"`);
  }
  if (triggerRef === '') fail('malformed-uri', `missing ref: "${fullTrigger}"`);
  const fullSource = prov.sourceUri();
  const [sourceUri, sourceRef] = parseGitUriAndRef(fullSource);
  if (sourceUri !== source) {
    fail('mismatch-source', `expected source "${fullSource}" to match source-uri "${source}"`);
  }
  if (sourceRef === '') {
    // npm packages built before GA, and BYOB builders building another commit, name no ref.
    if (prov.buildType === BUILD_TYPES.npmCli1 || prov.buildType === BUILD_TYPES.byob) return;
    fail('malformed-uri', `missing ref: "${fullSource}"`);
  }
  if (fullTrigger !== fullSource) {
    fail(
      'invalid-dsse-payload',
      `source and trigger URIs do not match: "${fullTrigger}" != "${fullSource}"`,
    );
  }
}

/** verifyDigest: some subject has `sha<bits>` equal to the artifact's digest. */
export function verifySubjectDigest(
  subjects: readonly { digest: Record<string, string> }[],
  expectedHash: string,
): void {
  const bits = expectedHash.length * 4;
  if (bits < 256) fail('invalid-hash', `expected minimum 256-bit. Got ${bits}`);
  const algo = `sha${bits}`;
  if (!subjects.some((s) => s.digest[algo] === expectedHash)) {
    fail('mismatch-hash', `expected hash '${expectedHash}' not found`);
  }
}

/** VerifyProvenanceCommonOptions. */
export function verifyCommonOptions(prov: GhaProvenance, expect: ProvenanceExpectations): void {
  verifySourceUri(prov, expect.sourceUri);
  verifySubjectDigest(prov.subjects, expect.artifactDigest);
  if (expect.branch !== undefined) {
    const branch = refName('heads', prov.branch());
    if (branch !== expect.branch) {
      fail('mismatch-branch', `expected branch '${expect.branch}', got '${branch}'`);
    }
  }
  if (expect.tag !== undefined) {
    const tag = refName('tags', prov.tag());
    if (tag !== expect.tag) fail('mismatch-tag', `expected tag '${expect.tag}', got '${tag}'`);
  }
  if (expect.versionedTag !== undefined) {
    assertVersionedTag(refName('tags', prov.tag()), expect.versionedTag);
  }
  const inputs = Object.entries(expect.workflowInputs ?? {});
  if (inputs.length > 0) {
    const actual = prov.workflowInputs();
    for (const [k, v] of inputs) {
      const value = actual[k];
      if (typeof value !== 'string')
        fail('mismatch-workflow-inputs', `cannot retrieve value of '${k}'`);
      if (value !== v)
        fail('mismatch-workflow-inputs', `expected '${k}=${v}', got '${k}=${value}'`);
    }
  }
}

/** The statement of a verified envelope; a payload that is not one is ErrorInvalidDssePayload. */
export function statementOf(
  att: Pick<SignedAttestation, 'payloadType' | 'payload'>,
): InTotoStatement {
  try {
    return statementOfEnvelope(att);
  } catch (e) {
    if (e instanceof SlsaError) fail('invalid-dsse-payload', e.message);
    throw e;
  }
}

function validDelegatorBuilderId(prov: GhaProvenance, options: GhaOptions): void {
  const parts = prov.builderId.split('@');
  if (parts.length !== 2) fail('invalid-builder-id', prov.builderId);
  const ref = parts[1] as string;
  if ((parts[0] as string).startsWith(JRELEASER)) {
    // JReleaser's builder tags carry the language: vX.Y.Z-java.
    const pin = refName('tags', ref);
    if (!/^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)-java$/.test(pin)) {
      fail('invalid-ref', `${pin}: not of the form vX.Y.Z-<language>`);
    }
    return;
  }
  const [uri] = parseGitUriAndRef(prov.sourceUri());
  if (
    options.testing === true &&
    normalizeGitUri(uri) === normalizeGitUri(HTTPS_GITHUB + E2E_REPOSITORY) &&
    ref === 'refs/heads/main'
  ) {
    return;
  }
  assertBuilderTag(ref, false);
}

/** VerifyProvenance: the provenance's builder ID, then its claims. */
function verifyProvenance(
  prov: GhaProvenance,
  expect: ProvenanceExpectations,
  certBuilder: BuilderId,
  byob: boolean,
  options: GhaOptions,
): void {
  const provBuilder = parseBuilderId(prov.builderId, false);
  if (byob) {
    validDelegatorBuilderId(prov, options);
    let expected = expect.builderId;
    if (expected === undefined) {
      const prefix = `${HTTPS_GITHUB}${TRUSTED_BUILDER_REPOSITORY}/.github/workflows/`;
      if (!provBuilder.name.startsWith(prefix)) {
        fail(
          'invalid-builder-id',
          `BuilderID Path Mismatch. Got: "${provBuilder.name}". Expected BuilderID Path Prefix: "${prefix}"`,
        );
      }
      expected = provBuilder.name;
    }
    const mismatch = matchesLoose(provBuilder, expected);
    if (mismatch !== undefined) fail('mismatch-builder-id', mismatch);
  } else {
    const mismatch = matchesFull(provBuilder, builderIdString(certBuilder));
    if (mismatch !== undefined) fail('mismatch-builder-id', mismatch);
  }
  verifyCommonOptions(prov, expect);
}

/** verifyEnvAndCert: everything after the signature, for one artifact. */
export function verifyGhaAttestation(
  att: SignedAttestation,
  expect: ProvenanceExpectations,
  defaults: readonly string[],
  options: GhaOptions = {},
): GhaVerified {
  const id = workflowIdentity(att.certificate);
  const { builder, byob } = verifyBuilderIdentity(id, expect.builderId, defaults, options);
  verifyCertificateSource(id, expect.sourceUri);
  const statement = statementOf(att);
  const prov = ghaProvenance(builder.name, statement);
  verifyProvenance(prov, expect, builder, byob, options);
  const verified = byob ? parseBuilderId(prov.builderId, true) : builder;
  return {
    builderId: builderIdString(verified),
    sourceRepository: id.sourceRepository,
    commit: id.sourceSha1,
    signer: { identity: id.subjectWorkflow, issuer: id.issuer },
    statement,
  };
}
