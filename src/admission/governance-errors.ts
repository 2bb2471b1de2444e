import { CustodyError } from '../core/index.js';

/** What namespace configuration, exceptions, overrides and cluster registration refuse. */
export type AdmissionGovernanceErrorCode =
  /** A namespace configuration that breaks a rule (mode, identities, issuer, policy). */
  | 'ADMISSION_NAMESPACE_INVALID'
  /** The namespace's configuration changed while this version was stored. */
  | 'ADMISSION_NAMESPACE_CONFLICT'
  /** A stored namespace configuration outside the token's teams. */
  | 'ADMISSION_NAMESPACE_NOT_FOUND'
  /** An image pattern that is empty, too long or uses characters a reference cannot hold. */
  | 'ADMISSION_PATTERN_INVALID'
  /** An exception request that breaks a rule (ticket, reasons, expiry). */
  | 'ADMISSION_EXCEPTION_INVALID'
  | 'ADMISSION_EXCEPTION_NOT_FOUND'
  /** The exception is revoked, expired, or this side has approved already. */
  | 'ADMISSION_EXCEPTION_CONFLICT'
  /** The approver cannot approve in the capacity asked (security is organisation-wide; the
   * service owner is scoped to the namespace's team). */
  | 'ADMISSION_APPROVER_FORBIDDEN'
  /** A mode override request that breaks a rule (namespaces, mode, ticket, health rule). */
  | 'ADMISSION_OVERRIDE_INVALID'
  /** A mode override that would last longer than MAX_OVERRIDE_HOURS. */
  | 'ADMISSION_OVERRIDE_TOO_LONG'
  | 'ADMISSION_OVERRIDE_NOT_FOUND'
  /** The override is revoked, reverted, expired, or this person approved it already. */
  | 'ADMISSION_OVERRIDE_CONFLICT'
  /** A cluster registration that breaks a rule (name, fingerprints). */
  | 'ADMISSION_CLUSTER_INVALID'
  /** The cluster name or one of its credentials is registered already. */
  | 'ADMISSION_CLUSTER_CONFLICT'
  /** A health probe record that breaks a rule (upstream name, detail). */
  | 'ADMISSION_PROBE_INVALID';

export class AdmissionGovernanceError extends CustodyError<AdmissionGovernanceErrorCode> {}
