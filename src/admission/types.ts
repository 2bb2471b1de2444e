/**
 * The admission domain's shared vocabulary: modes, the closed list of reasons, what one image's
 * check found, a namespace's configuration, exceptions and mode overrides as the decision reads
 * them. Pure types; the rules that use them live beside this file.
 */

/** enforce: deny what fails; warn: allow with warnings; audit: allow with audit annotations. */
export const ADMISSION_MODES = ['enforce', 'warn', 'audit'] as const;
export type AdmissionMode = (typeof ADMISSION_MODES)[number];

/**
 * Why an image failed, from a closed list (metrics and reports group by it). The first eight are
 * the issue's; the rest name refusals that happen before any evidence is read.
 */
export const ADMISSION_REASONS = [
  'unsigned',
  'identity',
  'issuer-drift',
  'provenance',
  'sbom-missing',
  'sbom-gate',
  'vulnerability',
  'infrastructure',
  'digest-required',
  'registry-not-allowed',
  'emergency-certificate',
  'request-invalid',
] as const;
export type AdmissionReason = (typeof ADMISSION_REASONS)[number];

/**
 * What checking one image found, before the mode is applied.
 * - `pass`: every condition of the namespace's policy held.
 * - `fail`: a policy condition failed (a violation: the evidence says no).
 * - `infra`: the evidence could not be read or verified because an upstream (registry, log, CA,
 *   OIDC, HSM) failed; never reported as a violation.
 */
export type CheckOutcome = 'pass' | 'fail' | 'infra';

/** Why a verdict rests on something other than fresh verification. */
export interface DegradedMark {
  /** Which upstream was unavailable: `registry`, `log`, `ca`, `oidc`, `hsm`, … */
  upstream: string;
  /** What stood in: `cached-material` (within max staleness), `rollback-bundle`, `log-later`. */
  via: 'cached-material' | 'rollback-bundle' | 'log-later' | 'none';
  /** When the material used was last verified fresh (ISO 8601). */
  verifiedAt?: string;
  detail: string;
}

export interface ImageVerdict {
  /** The image as the workload names it. */
  image: string;
  /** The manifest digest it resolved to (absent when it could not be resolved). */
  digest?: string;
  outcome: CheckOutcome;
  /** Set unless outcome is `pass`. */
  reason?: AdmissionReason;
  /** What is missing or what failed, in words a deployer can act on. */
  message: string;
  /** The policy that judged it: name, version and digest. */
  policy?: { name: string; version: string; digest: string };
  /** Rules that failed (names), when the policy judged it. */
  failedRules?: string[];
  /** The decision leaned on cached or stand-in material. */
  degraded?: DegradedMark;
  /** The verdict came from the decision cache. */
  cached: boolean;
  /** A signature that counted was made with an emergency certificate. */
  emergency?: boolean;
  /** A signature that counted was made by a fallback signer (HSM key standing in for keyless). */
  fallback?: boolean;
}

/** Expected signer: identity and issuer, each exact or a regular expression (linear-time matcher). */
export interface TrustedIdentity {
  issuer?: string;
  issuerRegexp?: string;
  subject?: string;
  subjectRegexp?: string;
}

/** Which policy a namespace evaluates. `admission-default`: signed by a trusted identity, with an SBOM. */
export type NamespacePolicyRef =
  | { kind: 'admission-default' }
  | { kind: 'builtin' }
  | { kind: 'stored'; team: string; name: string; version?: number };

/** A namespace's admission configuration (a namespace with none gets `defaultNamespaceConfig`). */
export interface NamespaceConfig {
  /** Cluster name, or `*` for every cluster. */
  cluster: string;
  namespace: string;
  mode: AdmissionMode;
  policy: NamespacePolicyRef;
  /** The team that owns the namespace (its policies, its service owner). */
  team?: string;
  /** Signers accepted; empty: the service's configured trusted identities. */
  identities: TrustedIdentity[];
  /** The issuer this namespace's images are expected to be signed through (drift is reported). */
  expectedIssuer?: string;
  /** Tag-only references are refused (in enforce a denial); default true. */
  requireDigest: boolean;
  /** High risk: an infrastructure failure denies even in warn/audit unless a rollback bundle is cached. */
  highRisk: boolean;
  /** Signatures by a fallback signer (marked as such) count. Default false. */
  acceptFallback: boolean;
  /** Stored configuration version (0: the built-in default). */
  version: number;
}

/** An approved, unexpired exception as the decision reads it. */
export interface ActiveException {
  id: string;
  namespace: string;
  /** Glob over the image reference without digest: `*` within a path segment, `**` across. */
  imagePattern: string;
  ticket: string;
  expiresAt: string;
  /** Reasons it waives; empty: every reason but `request-invalid`. */
  reasons: AdmissionReason[];
}

/** An approved, unexpired mode override as the decision reads it. */
export interface ActiveOverride {
  id: string;
  namespaces: string[];
  mode: AdmissionMode;
  ticket: string;
  expiresAt: string;
}

/** Who called the webhook: a registered cluster (by client certificate or bearer token), or nobody known. */
export type ClusterIdentity =
  | { known: true; cluster: string; via: 'client-certificate' | 'bearer-token' }
  | { known: false };

/** What one image came to after the mode, exceptions and overrides were applied. */
export type ImageEffect = 'allow' | 'deny' | 'warn' | 'audit' | 'allow-by-exception';

/** One admission decision, as recorded (app/admission/records) and answered. */
export interface AdmissionDecision {
  /** The AdmissionReview's request uid (an ImageReview has none: a generated one). */
  uid: string;
  api: 'admission-review' | 'image-review';
  /** Absent: an unidentified caller (decided, not recorded as a deployment). */
  cluster?: string;
  namespace: string;
  /** The object admitted: `Pod/web-1`, `Deployment/web`, … */
  workload: string;
  operation: string;
  dryRun: boolean;
  /** The mode that applied, and where it came from. */
  mode: AdmissionMode;
  modeSource: 'namespace' | 'default' | 'override';
  overrideId?: string;
  allowed: boolean;
  images: (ImageVerdict & { effect: ImageEffect; exceptionId?: string })[];
  /** Any image's verdict leaned on cached or stand-in material, or on an infrastructure failure. */
  degraded: boolean;
  warnings: string[];
  /** The denial message (what is missing), when denied. */
  message?: string;
  at: string;
}

/**
 * The key a fallback signer writes into the signed payload (cosign simple-signing `optional`), so
 * that a verifier tells a stand-in signature (an HSM key used while keyless signing was down)
 * from a primary one: a fallback signature counts only where the namespace accepts fallbacks.
 */
export const FALLBACK_MARK = 'dev.custody.fallback';
