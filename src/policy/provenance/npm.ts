import { createPublicKey, type KeyObject } from 'node:crypto';
import { SlsaError } from '../../formats/slsa/index.js';
import { isSignError, type TrustMaterialInput } from '../../sign/index.js';
import { verifyBundle } from '../../sign/verify/index.js';
import { type BuilderId, builderIdString, matchesLoose, parseBuilderId } from './builder-id.js';
import { workflowIdentity } from './certificate.js';
import {
  DEFAULT_BYOB_BUILDERS,
  type ProvenanceExpectations,
  statementOf,
  verifyBuilderIdentity,
  verifyCertificateSource,
  verifyCommonOptions,
} from './gha.js';
import { BUILDERS, ghaProvenance } from './gha-provenance.js';
import { fail, ProvenanceFailure } from './reasons.js';
import { asResult, type ProvenanceResult } from './result.js';
import { verifySignedAttestation } from './signature.js';

/**
 * The npm registry's attestation signing keys by key ID: npm signs each publish attestation
 * with one (https://registry.npmjs.org/-/npm/v1/keys; Sigstore's TUF repository distributes them
 * as registry.npmjs.org/keys.json). The one here is also the key public Rekor recorded in the
 * entries of the publish attestations it signed.
 */
export const NPM_ATTESTATION_KEYS: Readonly<Record<string, string>> = {
  'SHA256:jl3bwswu80PjjokCgh0o2w5c2U4LhQAE57gj9cz1kzA':
    'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1Olb3zMAFFxXKHiIkQO5cJ3Yhl5i6UPp+IhuteBJbuHcA5UogKo0EWtlWwW6KSaKoTNEYL7JlCQiVnkhBktUgg==',
};

const PUBLISH_V01 = 'https://github.com/npm/attestation/tree/main/specs/publish/';
const PROVENANCE_TYPES = ['https://slsa.dev/provenance/v0.2', 'https://slsa.dev/provenance/v1'];
const STATEMENT_TYPES = ['https://in-toto.io/Statement/v0.1', 'https://in-toto.io/Statement/v1'];

export interface NpmInput {
  /** The `{attestations: [...]}` document npm serves for a package version. */
  attestations: unknown;
  /** The tarball's SHA-512 (hex). */
  tarballDigest: string;
  expect: Omit<ProvenanceExpectations, 'artifactDigest'> & {
    packageName?: string;
    packageVersion?: string;
  };
  trust: TrustMaterialInput;
  /** Key ID → base64 DER SPKI; default NPM_ATTESTATION_KEYS. */
  npmKeys?: Readonly<Record<string, string>>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function attestationsOf(doc: unknown): { provenance: unknown; publish: unknown } {
  const list = isObj(doc) ? doc['attestations'] : undefined;
  if (!Array.isArray(list) || list.length < 2) {
    throw new SlsaError('SLSA_PARSE', 'invalid npm attestations: expected at least 2 attestations');
  }
  let provenance: unknown;
  let publish: unknown;
  for (const a of list) {
    const type = isObj(a) ? a['predicateType'] : undefined;
    if (typeof type !== 'string') continue;
    if (PROVENANCE_TYPES.includes(type)) provenance = (a as Obj)['bundle'];
    if (type.startsWith(PUBLISH_V01)) publish = (a as Obj)['bundle'];
  }
  if (provenance === undefined || publish === undefined) {
    throw new SlsaError(
      'SLSA_PARSE',
      'invalid npm attestations: no provenance or no publish attestation',
    );
  }
  return { provenance, publish };
}

/** Signature failures of npm's attestations are ErrorInvalidSignature. */
function asInvalidSignature<T>(run: () => T): T {
  try {
    return run();
  } catch (e) {
    if (
      e instanceof ProvenanceFailure &&
      ['no-valid-signature', 'mismatch-signature', 'invalid-rekor-entry'].includes(e.reason)
    ) {
      fail('invalid-signature', e.detail);
    }
    throw e;
  }
}

function packageNameAndVersion(name: string): [string, string] {
  const scoped = name.startsWith('@');
  const parts = (scoped ? name.slice(1) : name).split('@');
  if (parts.length > 2) fail('invalid-package-name', name);
  return [`${scoped ? '@' : ''}${parts[0]}`, parts[1] ?? ''];
}

function provenanceSubjectPackage(subjects: readonly { name?: string }[]): [string, string] {
  if (subjects.length !== 1) fail('invalid-subject', `subject length: ${subjects.length}`);
  const name = subjects[0]?.name ?? '';
  if (!name.startsWith('pkg:npm/')) fail('invalid-package-name', name);
  let unescaped: string;
  try {
    unescaped = decodeURIComponent(name.slice('pkg:npm/'.length).replace(/\+/g, ' '));
  } catch {
    return fail('invalid-package-name', name);
  }
  return packageNameAndVersion(unescaped);
}

/** slsa-verifier's verify-npm-package (verifiers/internal/gha/npm.go, verifier.go). */
export function verifyNpmPackage(input: NpmInput): ProvenanceResult {
  return asResult(() => {
    const { provenance, publish } = attestationsOf(input.attestations);
    const prov = asInvalidSignature(() => verifySignedAttestation(provenance, input.trust));
    const expect = input.expect;
    // verifyNpmEnvAndCert: the delegator workflow is the only trusted reusable workflow here.
    const id = workflowIdentity(prov.certificate);
    let trusted: { builder: BuilderId; byob: boolean } | undefined;
    try {
      trusted = verifyBuilderIdentity(id, BUILDERS.lowPermsDelegator, DEFAULT_BYOB_BUILDERS);
    } catch (e) {
      if (!(e instanceof ProvenanceFailure && e.reason === 'untrusted-reusable-workflow')) throw e;
    }
    verifyCertificateSource(id, expect.sourceUri);
    if (expect.builderId === undefined) fail('invalid-builder-id', 'no expected builder ID');
    let builder: BuilderId;
    const isTrustedBuilder = trusted !== undefined;
    if (trusted !== undefined) {
      if (id.hosted !== undefined && id.hosted !== 'github-hosted') {
        fail('mismatch-builder-id', 'self hosted re-usable workflow');
      }
      builder = trusted.builder;
    } else {
      if (id.hosted === undefined) fail('not-supported', 'hosted status unknown');
      switch (expect.builderId) {
        case BUILDERS.npmCliLegacy:
        case BUILDERS.npmCliHosted:
          if (id.hosted !== 'github-hosted')
            fail('mismatch-builder-id', 're-usable workflow is self-hosted');
          break;
        case BUILDERS.npmCliSelfHosted:
          if (id.hosted !== 'self-hosted')
            fail('mismatch-builder-id', 're-usable workflow is GitHub-hosted');
          break;
        default:
          fail(
            'not-supported',
            `builder ${expect.builderId}. Expected one of ${BUILDERS.npmCliSelfHosted}, ${BUILDERS.npmCliHosted}`,
          );
      }
      builder = parseBuilderId(expect.builderId, false);
    }
    const statement = statementOf(prov);
    const gha = ghaProvenance(builder.name, statement);
    // Older provenance names the runner without its hosting; it counts as GitHub-hosted.
    const provBuilder = parseBuilderId(gha.builderId, false);
    const suffix = '/github-hosted';
    if (matchesLoose(provBuilder, expect.builderId) !== undefined) {
      const alt = expect.builderId.endsWith(suffix)
        ? expect.builderId.slice(0, -suffix.length)
        : `${expect.builderId}${suffix}`;
      if (matchesLoose(provBuilder, alt) !== undefined) {
        fail('mismatch-builder-id', matchesLoose(provBuilder, expect.builderId) as string);
      }
    }
    verifyCommonOptions(gha, { ...expect, artifactDigest: input.tarballDigest.toLowerCase() });
    // The publish attestation: signed by the npm registry's key, logged in Rekor.
    const keyId = (publish as { verificationMaterial?: { publicKey?: { hint?: string } } })
      ?.verificationMaterial?.publicKey?.hint;
    const keyB64 = keyId !== undefined ? (input.npmKeys ?? NPM_ATTESTATION_KEYS)[keyId] : undefined;
    if (keyB64 === undefined)
      fail('invalid-signature', `unknown npm registry key ${keyId ?? '(none)'}`);
    let key: KeyObject;
    try {
      key = createPublicKey({ key: Buffer.from(keyB64, 'base64'), format: 'der', type: 'spki' });
    } catch {
      return fail('invalid-signature', `npm registry key ${keyId} is not a public key`);
    }
    let publishPayload: { payloadType: string; payload: Uint8Array };
    try {
      const v = verifyBundle(publish, undefined, { key }, input.trust);
      if (v.dsse === undefined)
        fail('invalid-dsse-payload', 'the publish attestation is not a DSSE envelope');
      publishPayload = v.dsse;
    } catch (e) {
      if (isSignError(e) && e.code !== 'SIGN_BUNDLE_MALFORMED')
        fail('invalid-signature', e.message);
      throw e;
    }
    const published = statementOf(publishPayload);
    const bits = input.tarballDigest.length * 4;
    if (bits < 256) fail('invalid-hash', `expected minimum sha256, got sha${bits}`);
    if (
      !published.subject.some((s) => s.digest[`sha${bits}`] === input.tarballDigest.toLowerCase())
    ) {
      fail('mismatch-hash', `expected hash '${input.tarballDigest}' not found`);
    }
    if (
      !STATEMENT_TYPES.includes(statement._type) ||
      !PROVENANCE_TYPES.includes(statement.predicateType)
    ) {
      fail(
        'invalid-dsse-payload',
        `unexpected provenance statement ${statement._type} ${statement.predicateType}`,
      );
    }
    if (
      !STATEMENT_TYPES.includes(published._type) ||
      !published.predicateType.startsWith(PUBLISH_V01)
    ) {
      fail(
        'invalid-dsse-payload',
        `unexpected publish statement ${published._type} ${published.predicateType}`,
      );
    }
    const pub = published.predicate as { name?: unknown; version?: unknown };
    const pubName = typeof pub.name === 'string' ? pub.name : '';
    const pubVersion = typeof pub.version === 'string' ? pub.version : '';
    if (expect.packageName !== undefined) {
      const [name] = provenanceSubjectPackage(statement.subject);
      if (name !== expect.packageName)
        fail('mismatch-package-name', `got '${name}', expected '${expect.packageName}'`);
      const [publishedName] = packageNameAndVersion(pubName);
      if (publishedName !== expect.packageName) {
        fail('mismatch-package-name', `got '${publishedName}', expected '${expect.packageName}'`);
      }
      if (pubName !== expect.packageName)
        fail('mismatch-package-name', `got '${pubName}', expected '${expect.packageName}'`);
    }
    if (expect.packageVersion !== undefined) {
      const [, version] = provenanceSubjectPackage(statement.subject);
      if (version !== expect.packageVersion) {
        fail('mismatch-package-version', `got '${version}', expected '${expect.packageVersion}'`);
      }
      if (pubVersion !== expect.packageVersion) {
        fail(
          'mismatch-package-version',
          `got '${pubVersion}', expected '${expect.packageVersion}'`,
        );
      }
    }
    return {
      verified: true,
      builderId: isTrustedBuilder ? builderIdString(provBuilder) : builderIdString(builder),
      sourceRepository: id.sourceRepository,
      commit: id.sourceSha1,
      signer: { identity: id.subjectWorkflow, issuer: id.issuer },
      statement,
      tlog: prov.tlog,
    };
  });
}
