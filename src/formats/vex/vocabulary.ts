/**
 * The three formats' vocabularies and how they map onto the model's (OpenVEX's) and back. Every
 * table is total over its source list, so a term outside a list is refused before mapping.
 */
import type { VexJustification, VexResponse, VexStatus } from './model.js';

/** CycloneDX `analysis.state` (1.4–1.7). */
export const CDX_STATES = [
  'resolved',
  'resolved_with_pedigree',
  'exploitable',
  'in_triage',
  'false_positive',
  'not_affected',
] as const;
export type CdxState = (typeof CDX_STATES)[number];

export const CDX_STATE_TO_STATUS: Readonly<Record<CdxState, VexStatus>> = {
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  exploitable: 'affected',
  in_triage: 'under_investigation',
  false_positive: 'not_affected',
  not_affected: 'not_affected',
};

/** The state written for a status; `statusDetail` restores the finer one it came from. */
export function cdxStateOf(status: VexStatus, detail: string | undefined): CdxState {
  if (detail !== undefined && (CDX_STATES as readonly string[]).includes(detail)) {
    if (CDX_STATE_TO_STATUS[detail as CdxState] === status) return detail as CdxState;
  }
  switch (status) {
    case 'fixed':
      return 'resolved';
    case 'affected':
      return 'exploitable';
    case 'under_investigation':
      return 'in_triage';
    case 'not_affected':
      return 'not_affected';
  }
}

/** CycloneDX's nine justifications. */
export const CDX_JUSTIFICATIONS = [
  'code_not_present',
  'code_not_reachable',
  'requires_configuration',
  'requires_dependency',
  'requires_environment',
  'protected_by_compiler',
  'protected_at_runtime',
  'protected_at_perimeter',
  'protected_by_mitigating_control',
] as const;
export type CdxJustification = (typeof CDX_JUSTIFICATIONS)[number];

/**
 * CycloneDX's nine onto the five (CISA's "Vulnerability Exploitability eXchange (VEX) – Status
 * Justifications"): a dependency that is required but absent means the component is not present;
 * configuration and environment requirements mean an adversary cannot reach it; the four
 * protections are mitigations already in place.
 */
export const CDX_TO_JUSTIFICATION: Readonly<Record<CdxJustification, VexJustification>> = {
  code_not_present: 'vulnerable_code_not_present',
  code_not_reachable: 'vulnerable_code_not_in_execute_path',
  requires_configuration: 'vulnerable_code_cannot_be_controlled_by_adversary',
  requires_dependency: 'component_not_present',
  requires_environment: 'vulnerable_code_cannot_be_controlled_by_adversary',
  protected_by_compiler: 'inline_mitigations_already_exist',
  protected_at_runtime: 'inline_mitigations_already_exist',
  protected_at_perimeter: 'inline_mitigations_already_exist',
  protected_by_mitigating_control: 'inline_mitigations_already_exist',
};

/** The five onto CycloneDX, used when the statement keeps no finer CycloneDX term. */
export const JUSTIFICATION_TO_CDX: Readonly<Record<VexJustification, CdxJustification>> = {
  component_not_present: 'requires_dependency',
  vulnerable_code_not_present: 'code_not_present',
  vulnerable_code_not_in_execute_path: 'code_not_reachable',
  vulnerable_code_cannot_be_controlled_by_adversary: 'requires_environment',
  inline_mitigations_already_exist: 'protected_by_mitigating_control',
};

export function cdxJustificationOf(
  j: VexJustification,
  detail: string | undefined,
): CdxJustification {
  if (detail !== undefined && (CDX_JUSTIFICATIONS as readonly string[]).includes(detail)) {
    if (CDX_TO_JUSTIFICATION[detail as CdxJustification] === j) return detail as CdxJustification;
  }
  return JUSTIFICATION_TO_CDX[j];
}

/** CycloneDX `analysis.response`: the model's responses are CycloneDX's five. */
export const CDX_RESPONSES: readonly VexResponse[] = [
  'can_not_fix',
  'will_not_fix',
  'update',
  'rollback',
  'workaround_available',
];

/** CycloneDX `affects[].versions[].status`. */
export const CDX_VERSION_STATUSES = ['affected', 'unaffected', 'unknown'] as const;

/** CSAF 2.0 `product_status` groups. */
export const CSAF_STATUSES = [
  'first_affected',
  'first_fixed',
  'fixed',
  'known_affected',
  'known_not_affected',
  'last_affected',
  'recommended',
  'under_investigation',
] as const;
export type CsafStatus = (typeof CSAF_STATUSES)[number];

/**
 * CSAF groups onto the model. `recommended` (the vendor's recommended version, fixed by
 * definition) is `fixed`; the group name is kept as statusDetail for the way back.
 */
export const CSAF_TO_STATUS: Readonly<Record<CsafStatus, VexStatus>> = {
  first_affected: 'affected',
  known_affected: 'affected',
  last_affected: 'affected',
  first_fixed: 'fixed',
  fixed: 'fixed',
  recommended: 'fixed',
  known_not_affected: 'not_affected',
  under_investigation: 'under_investigation',
};

export function csafStatusOf(status: VexStatus, detail: string | undefined): CsafStatus {
  if (detail !== undefined && (CSAF_STATUSES as readonly string[]).includes(detail)) {
    if (CSAF_TO_STATUS[detail as CsafStatus] === status) return detail as CsafStatus;
  }
  switch (status) {
    case 'fixed':
      return 'fixed';
    case 'affected':
      return 'known_affected';
    case 'under_investigation':
      return 'under_investigation';
    case 'not_affected':
      return 'known_not_affected';
  }
}

/** CSAF 2.0 flag labels: the model's five justifications, same names. */
export const CSAF_FLAG_LABELS: readonly VexJustification[] = [
  'component_not_present',
  'inline_mitigations_already_exist',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_not_present',
];

/** CSAF 2.0 remediation categories. */
export const CSAF_REMEDIATIONS = [
  'mitigation',
  'no_fix_planned',
  'none_available',
  'vendor_fix',
  'workaround',
] as const;
export type CsafRemediation = (typeof CSAF_REMEDIATIONS)[number];

/** CSAF remediation → response. `mitigation` and `workaround` both mean "do this meanwhile". */
export const CSAF_TO_RESPONSE: Readonly<Record<CsafRemediation, VexResponse>> = {
  mitigation: 'workaround_available',
  no_fix_planned: 'will_not_fix',
  none_available: 'can_not_fix',
  vendor_fix: 'update',
  workaround: 'workaround_available',
};

/** Response → CSAF remediation. EOL (`will_not_fix`) is `no_fix_planned`; a rollback is a vendor fix. */
export const RESPONSE_TO_CSAF: Readonly<Record<VexResponse, CsafRemediation>> = {
  can_not_fix: 'none_available',
  will_not_fix: 'no_fix_planned',
  update: 'vendor_fix',
  rollback: 'vendor_fix',
  workaround_available: 'workaround',
};
