import { canonicalize } from '../core/index.js';
import type { LifecycleStatement } from './statement.js';

/**
 * Seed 001's "create a new VEX version when": the fields whose change is a new statement version.
 * - status, statusDetail: the analysis status changes (statusDetail is the source's finer term).
 * - justification, justificationDetail, impactStatement, statusNotes: the analysis and how it
 *   was reached (a revised analysis is "new information").
 * - actionStatement, responses: the mitigation guidance changes (workaround, fix, EOL).
 * - products: the affected version list changes (products, their versions, subcomponents).
 * - aliases: which findings the statement applies to (a scanner matching by CVE id sees it only
 *   once the alias is there).
 * - intel.exploit, intel.kev, intel.severity: new information (an exploit, a KEV listing).
 * - intel.epss: new information when the score moves by EPSS_VERSION_STEP or more.
 */
export const SUBSTANTIVE = [
  'status',
  'statusDetail',
  'justification',
  'justificationDetail',
  'impactStatement',
  'statusNotes',
  'actionStatement',
  'responses',
  'products',
  'aliases',
  'intel.exploit',
  'intel.kev',
  'intel.severity',
  'intel.epss',
] as const;

/**
 * Seed 001's "do NOT create a new VEX version for … non-substantive metadata updates": the
 * vulnerability's description (the advisory's words, not the supplier's judgment) and the
 * products' other identifiers (CPE, CSAF product id, bom-ref: names for the same products).
 * Typo and formatting fixes of the text fields above are edits in place too (versioning.ts).
 */
export const NON_SUBSTANTIVE = ['description', 'productIdentifiers'] as const;

export type SubstantiveField = (typeof SUBSTANTIVE)[number];
export type NonSubstantiveField = (typeof NON_SUBSTANTIVE)[number];
export type StatementField = SubstantiveField | NonSubstantiveField;

/** Text fields: a change of whitespace only is formatting, a declared small fix a typo. */
export const TEXT_FIELDS: ReadonlySet<StatementField> = new Set([
  'justificationDetail',
  'impactStatement',
  'statusNotes',
  'actionStatement',
  'description',
]);

/** The value of a field, in a form two statements can be compared by (canonical JSON). */
export function fieldValue(s: LifecycleStatement, f: StatementField): unknown {
  switch (f) {
    case 'status':
    case 'statusDetail':
    case 'justification':
    case 'justificationDetail':
    case 'impactStatement':
    case 'statusNotes':
    case 'actionStatement':
    case 'description':
      return s[f];
    case 'responses':
    case 'aliases':
      return s[f] === undefined || s[f].length === 0 ? undefined : [...s[f]].sort();
    case 'products':
      return s.products.map(({ identifiers: _ids, ...rest }) => rest);
    case 'productIdentifiers':
      return s.products.some((p) => p.identifiers !== undefined)
        ? s.products.map((p) => p.identifiers ?? {})
        : undefined;
    case 'intel.exploit':
      return s.intel?.exploit;
    case 'intel.kev':
      return s.intel?.kev === true ? true : undefined;
    case 'intel.severity':
      return s.intel?.severity;
    case 'intel.epss':
      return s.intel?.epss;
    default: {
      const never: never = f;
      return never;
    }
  }
}

/** The fields whose values differ between two statements, in SUBSTANTIVE then NON_SUBSTANTIVE order. */
export function changedFields(a: LifecycleStatement, b: LifecycleStatement): StatementField[] {
  return [...SUBSTANTIVE, ...NON_SUBSTANTIVE].filter(
    (f) => key(fieldValue(a, f)) !== key(fieldValue(b, f)),
  );
}

function key(v: unknown): string {
  return v === undefined ? '' : canonicalize(v);
}
