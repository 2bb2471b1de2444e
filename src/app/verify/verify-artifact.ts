import {
  type ArtifactInput,
  type IdentityPolicy,
  isSignError,
  loadVerifier,
  type TrustMaterialInput,
  type VerifiedBundle,
  type VerifyOptions,
} from '../../sign/index.js';

export { isSignError };

export interface VerifyRequest {
  /** The bundle's parsed JSON (its structure is the verifier's to check). */
  bundle: unknown;
  artifact: ArtifactInput;
  policy: IdentityPolicy;
  trust: TrustMaterialInput;
  options?: VerifyOptions;
}

/**
 * `custody verify` and `verify-bundle`: a Sigstore bundle over an artifact (or its digest), signed
 * as the policy requires, under the trust material. Offline.
 * @throws SignError when it does not verify (the code says why)
 */
export async function verifyArtifact(r: VerifyRequest): Promise<VerifiedBundle> {
  const { verifyBundle } = await loadVerifier();
  return verifyBundle(r.bundle, r.artifact, r.policy, r.trust, r.options);
}
