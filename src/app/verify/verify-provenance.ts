import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CoreError } from '../../core/index.js';
import { jsonLines, SlsaError } from '../../formats/slsa/index.js';
import { readBytes } from '../../fs/bundle-files.js';
import { readTrustedRoots } from '../../fs/trusted-root-files.js';
import {
  PROVENANCE_REASONS,
  type ProvenanceResult,
  type VsaResult,
  verifyGhaProvenance,
  verifyKeyedProvenance,
  verifyNpmPackage,
  verifyVsa,
} from '../../policy/provenance/index.js';
import { readPublicKey, readVerifyKey } from './verify-inputs.js';

/** `custody verify provenance`: what the command line gives. Paths are relative to `cwd`. */
export interface VerifyProvenanceRequest {
  /** Files, or `sha256:<hex>` for an artifact known by its digest alone. */
  artifacts: readonly string[];
  /** The provenance: a Sigstore bundle, or a DSSE envelope (`.intoto.jsonl`). */
  bundle: string;
  sourceUri: string;
  sourceBranch?: string;
  sourceTag?: string;
  sourceVersionedTag?: string;
  builderId?: string;
  workflowInputs?: Readonly<Record<string, string>>;
  /** Key-signed provenance (Custody's own `attest provenance --key`). */
  key?: string;
  /** Keyless: the signing certificate's SAN and OIDC issuer must also be these, exactly. */
  certificateIdentity?: string;
  certificateOidcIssuer?: string;
  /** Trusted roots; the shipped public-good root when empty. */
  trustedRoots?: readonly string[];
  /** npm packages (an `{attestations: […]}` file): the package's name and version. */
  packageName?: string;
  packageVersion?: string;
  /** Accept a legacy envelope that carries no transparency log entry (offline). */
  allowMissingTlog?: boolean;
  /** slsa-verifier's SLSA_VERIFIER_TESTING (builders at refs/heads/main for the generator's repos). */
  testing?: boolean;
  cwd: string;
}

export interface VerifyProvenanceOutcome {
  result: ProvenanceResult;
  /** The artifacts' SHA-256 digests, in the order given. */
  digests: string[];
}

/**
 * The artifact's SHA-256: a file's, or the digest itself for `sha256:<hex>` when no such file
 * exists (many artifacts are known by digest alone).
 * @throws SignError SIGN_INPUT_UNREADABLE
 */
export function artifactDigest(
  arg: string,
  cwd: string,
  algorithm: 'sha256' | 'sha512' = 'sha256',
): string {
  const m = /^(sha256|sha512):([0-9a-fA-F]+)$/.exec(arg);
  if (m !== null && !existsSync(resolve(cwd, arg))) {
    const want = algorithm === 'sha256' ? 64 : 128;
    if (m[1] !== algorithm || (m[2] as string).length !== want) {
      throw new CoreError(
        'USAGE',
        `${arg}: give the artifact's file or its ${algorithm}:<${want} hex digits>`,
      );
    }
    return (m[2] as string).toLowerCase();
  }
  return createHash(algorithm)
    .update(readBytes(arg, cwd, 'artifact'))
    .digest('hex');
}

const MAX_PROVENANCE_BYTES = 32 * 1024 * 1024;

/**
 * The provenance file as JSON: one document, or the first line of a JSON-lines file.
 * @throws SignError SIGN_INPUT_UNREADABLE; SlsaError SLSA_PARSE, SLSA_TOO_LARGE
 */
export function readProvenanceFile(path: string, cwd: string): unknown {
  const bytes = readBytes(path, cwd, 'provenance');
  if (bytes.length > MAX_PROVENANCE_BYTES) {
    throw new SlsaError('SLSA_TOO_LARGE', `${path} is over ${MAX_PROVENANCE_BYTES} bytes`, {
      details: { limit: MAX_PROVENANCE_BYTES },
    });
  }
  const text = bytes.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    const first = jsonLines(bytes)[0];
    try {
      if (first !== undefined) return JSON.parse(first);
    } catch {
      // Reported below.
    }
    throw new SlsaError('SLSA_PARSE', `${path} is neither JSON nor JSON lines`);
  }
}

/**
 * Verify SLSA provenance for artifacts as slsa-verifier does, offline. A refusal is a result
 * (`verified: false`, with slsa-verifier's error name); input that cannot be read throws.
 * @throws CoreError USAGE; SignError SIGN_INPUT_UNREADABLE, SIGN_BUNDLE_MALFORMED, SIGN_KEY_INVALID,
 *   SIGN_TRUSTED_ROOT_INVALID; SlsaError SLSA_*
 */
export function verifyProvenance(r: VerifyProvenanceRequest): VerifyProvenanceOutcome {
  if (r.artifacts.length === 0) {
    throw new CoreError('USAGE', 'name at least one artifact (a file or sha256:<hex>)');
  }
  if (r.sourceUri === '') throw new CoreError('USAGE', '--source-uri is required');
  const attestation = readProvenanceFile(r.bundle, r.cwd);
  // npm's attestations cover the tarball's SHA-512 (the integrity npm records).
  const npm =
    typeof attestation === 'object' && attestation !== null && 'attestations' in attestation;
  const digests = r.artifacts.map((a) => artifactDigest(a, r.cwd, npm ? 'sha512' : 'sha256'));
  const roots = readTrustedRoots(r.trustedRoots ?? [], r.cwd);
  // One root passed as itself: the verifier caches what it checked per trust object, and the
  // shipped public-good root is one object for the whole process.
  const trust = roots.length === 1 ? (roots[0] as (typeof roots)[number]) : roots;
  const expect = {
    sourceUri: r.sourceUri,
    ...(r.builderId !== undefined ? { builderId: r.builderId } : {}),
    ...(r.sourceBranch !== undefined ? { branch: r.sourceBranch } : {}),
    ...(r.sourceTag !== undefined ? { tag: r.sourceTag } : {}),
    ...(r.sourceVersionedTag !== undefined ? { versionedTag: r.sourceVersionedTag } : {}),
  };
  if (npm) {
    const results = digests.map((tarballDigest) =>
      verifyNpmPackage({
        attestations: attestation,
        tarballDigest,
        expect: {
          ...expect,
          ...(r.workflowInputs !== undefined ? { workflowInputs: r.workflowInputs } : {}),
          ...(r.packageName !== undefined ? { packageName: r.packageName } : {}),
          ...(r.packageVersion !== undefined ? { packageVersion: r.packageVersion } : {}),
        },
        trust,
      }),
    );
    const result = results.find((x) => !x.verified) ?? (results.at(-1) as ProvenanceResult);
    return { result: checkSigner(result, r), digests };
  }
  if (r.key !== undefined) {
    const key = readVerifyKey(r.key, r.cwd);
    return {
      result: verifyKeyedProvenance({ attestation, key, artifactDigests: digests, expect, trust }),
      digests,
    };
  }
  const result = verifyGhaProvenance({
    attestation,
    artifactDigests: digests,
    expect: {
      ...expect,
      ...(r.workflowInputs !== undefined ? { workflowInputs: r.workflowInputs } : {}),
    },
    trust,
    ...(r.allowMissingTlog === true ? { allowMissingTlog: true } : {}),
    ...(r.testing === true ? { testing: true } : {}),
  });
  return { result: checkSigner(result, r), digests };
}

/** `--certificate-identity` / `--certificate-oidc-issuer`, on top of the builder checks. */
function checkSigner(result: ProvenanceResult, r: VerifyProvenanceRequest): ProvenanceResult {
  if (!result.verified) return result;
  const wrong = (what: string, want: string, got: string | undefined): ProvenanceResult => ({
    verified: false,
    reason: 'mismatch-certificate',
    upstream: PROVENANCE_REASONS['mismatch-certificate'],
    message: `the certificate's ${what} is ${JSON.stringify(got ?? null)}, not ${JSON.stringify(want)} (${PROVENANCE_REASONS['mismatch-certificate']})`,
  });
  if (r.certificateIdentity !== undefined && result.signer?.identity !== r.certificateIdentity) {
    return wrong('identity', r.certificateIdentity, result.signer?.identity);
  }
  if (r.certificateOidcIssuer !== undefined && result.signer?.issuer !== r.certificateOidcIssuer) {
    return wrong('OIDC issuer', r.certificateOidcIssuer, result.signer?.issuer);
  }
  return result;
}

/** slsa-verifier's verify-vsa: a Verification Summary Attestation signed with a key. */
export interface VerifyVsaRequest {
  attestation: string;
  publicKey: string;
  publicKeyId?: string;
  subjectDigests?: readonly string[];
  verifierId?: string;
  resourceUri?: string;
  verifiedLevels?: readonly string[];
  cwd: string;
}

/**
 * @throws SignError SIGN_INPUT_UNREADABLE, SIGN_KEY_INVALID; SlsaError SLSA_*
 */
export function verifyVerificationSummary(r: VerifyVsaRequest): VsaResult {
  return verifyVsa({
    attestation: readProvenanceFile(r.attestation, r.cwd),
    key: readPublicKey(r.publicKey, r.cwd),
    ...(r.publicKeyId !== undefined ? { keyId: r.publicKeyId } : {}),
    ...(r.subjectDigests !== undefined ? { subjectDigests: r.subjectDigests } : {}),
    ...(r.verifierId !== undefined ? { verifierId: r.verifierId } : {}),
    ...(r.resourceUri !== undefined ? { resourceUri: r.resourceUri } : {}),
    ...(r.verifiedLevels !== undefined ? { verifiedLevels: r.verifiedLevels } : {}),
  });
}
