import type {
  ActiveException,
  ActiveOverride,
  ClusterIdentity,
  ImageVerdict,
  NamespaceConfig,
} from '../../admission/types.js';

/**
 * The seams between the parts of admission, so that the webhook face, the image checks, the
 * governance objects and the decision records can each be built and tested on their own and
 * composed in `admit.ts`.
 */

/** Checks one image for one namespace (app/admission/engine/). */
export interface ImageChecker {
  /**
   * `fresh`: skip the decision cache and cached material (reconciliation re-verifies against the
   * upstreams; while they still fail the verdict is `infra` or degraded).
   */
  check(
    image: string,
    ns: NamespaceConfig,
    at: Date,
    o?: { fresh?: boolean },
  ): Promise<ImageVerdict>;
}

/** Namespace configuration, exceptions and overrides (app/admission/governance/). */
export interface AdmissionGovernance {
  /** The namespace's configuration: a stored one (cluster-specific first), else the default. */
  namespaceConfig(cluster: string | undefined, namespace: string): Promise<NamespaceConfig>;
  /** Approved exceptions for the namespace that have not expired at `at`. */
  activeExceptions(namespace: string, at: Date): Promise<ActiveException[]>;
  /** The approved, unexpired override covering the namespace at `at`, if any. */
  activeOverride(namespace: string, at: Date): Promise<ActiveOverride | undefined>;
  /** Who called: the cluster a client-certificate fingerprint or bearer token belongs to. */
  identifyCluster(c: { certFingerprint?: string; bearerToken?: string }): Promise<ClusterIdentity>;
}

/** Stores decisions and the deployments they admit (app/admission/records/). */
export interface DecisionRecorder {
  /** Store the decision; when the caller is a known cluster and the decision allowed, record
   * each admitted digest as deployed in that cluster and namespace (not for dry runs). */
  record(d: import('../../admission/types.js').AdmissionDecision): Promise<void>;
}
