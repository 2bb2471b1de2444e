import { CustodyError } from '../../core/index.js';

/** Codes of the service's policy use cases (the policy domain's own are POLICY_* in policy/). */
export type PolicyServiceErrorCode =
  /** Not an artifact digest (`sha256:<64 lower-case hex>`). */
  | 'POLICY_ARTIFACT_INVALID'
  /** No stored policy (or version) of that name in the team, or the team is out of scope. */
  | 'POLICY_NOT_FOUND'
  /** Another writer stored the same version first; push again. */
  | 'POLICY_VERSION_CONFLICT'
  /** An evaluation request that names no policy, or two. */
  | 'POLICY_REQUEST_INVALID';

export class PolicyServiceError extends CustodyError<PolicyServiceErrorCode> {}
