import { isCustodyError, validatePurl } from '../core/index.js';
import { assertVersVersions, parseVers } from '../core/vers/index.js';
import { VEX_JUSTIFICATIONS, VEX_RESPONSES, VEX_STATUSES } from '../formats/index.js';
import { VexLifecycleError } from './errors.js';
import type { ProductRef } from './products.js';
import type { LifecycleStatement } from './statement.js';

/**
 * Throw unless the statement holds what its status requires (OpenVEX 0.2, CycloneDX analysis,
 * CSAF VEX profile): `affected` an action statement; `not_affected` a justification from the
 * standard's list or an impact statement; a justification only with `not_affected`; responses
 * from the standard's list, only with `affected` or `under_investigation`; at least one product,
 * each a valid purl with a valid vers range. Every problem is listed in `details.problems`.
 * @throws VexLifecycleError VEX_STATEMENT_INVALID
 */
export function assertStatementValid(s: LifecycleStatement): void {
  const problems = [...fieldProblems(s), ...s.products.flatMap((p, i) => productProblems(p, i))];
  if (problems.length > 0) {
    throw new VexLifecycleError(
      'VEX_STATEMENT_INVALID',
      `the ${s.status} statement on ${s.vulnerability.slice(0, 80)} is incomplete or invalid: ${problems[0]}`,
      { details: { vulnerability: s.vulnerability.slice(0, 80), problems } },
    );
  }
}

// Status-dependent requirements and the standards' closed lists.
function fieldProblems(s: LifecycleStatement): string[] {
  const problems: string[] = [];
  if (s.vulnerability.trim() === '') problems.push('/vulnerability: name the vulnerability');
  if (!(VEX_STATUSES as readonly string[]).includes(s.status)) {
    problems.push(`/status: "${String(s.status)}" is none of ${VEX_STATUSES.join(', ')}`);
  }
  if (s.status === 'affected' && blank(s.actionStatement)) {
    problems.push('/actionStatement: an affected statement must say what to do');
  }
  if (s.justification !== undefined) {
    if (!(VEX_JUSTIFICATIONS as readonly string[]).includes(s.justification)) {
      problems.push(
        `/justification: "${String(s.justification)}" is none of ${VEX_JUSTIFICATIONS.join(', ')}`,
      );
    }
    if (s.status !== 'not_affected') problems.push('/justification: only not_affected has one');
  }
  if (s.status === 'not_affected' && s.justification === undefined && blank(s.impactStatement)) {
    problems.push(
      '/justification: a not_affected statement needs a justification or an impact statement',
    );
  }
  for (const r of s.responses ?? []) {
    if (!(VEX_RESPONSES as readonly string[]).includes(r)) {
      problems.push(`/responses: "${String(r)}" is none of ${VEX_RESPONSES.join(', ')}`);
    }
  }
  const responds = s.status === 'affected' || s.status === 'under_investigation';
  if ((s.responses?.length ?? 0) > 0 && !responds) {
    problems.push(`/responses: a ${s.status} statement has nothing left to respond to`);
  }
  if (s.products.length === 0) problems.push('/products: name at least one product');
  if (!Number.isInteger(s.version) || s.version < 1) {
    problems.push('/version: a whole number from 1');
  }
  const epss = s.intel?.epss;
  if (epss !== undefined && !(epss >= 0 && epss <= 1)) problems.push('/intel/epss: from 0 to 1');
  return problems;
}

// A product's purl and versions, checked with core's purl and vers rules.
function productProblems(p: ProductRef, i: number): string[] {
  const problems: string[] = [];
  const purl: string | undefined = p.purl;
  if (purl === undefined) {
    if (Object.keys(p.identifiers ?? {}).length === 0) {
      problems.push(`/products/${i}: name the product by a purl or an identifier`);
    }
  } else {
    const v = validatePurl(purl);
    if (v.normalized === undefined) problems.push(`/products/${i}/purl: ${v.problems[0]}`);
  }
  for (const sub of p.subcomponents ?? []) {
    const sv = validatePurl(sub);
    if (sv.normalized === undefined)
      problems.push(`/products/${i}/subcomponents: ${sv.problems[0]}`);
  }
  if (p.versions !== undefined && 'range' in p.versions) {
    try {
      assertVersVersions(parseVers(p.versions.range));
    } catch (e) {
      if (!isCustodyError(e)) throw e;
      problems.push(`/products/${i}/versions/range: ${e.message}`);
    }
  } else if (p.versions !== undefined && p.versions.list.length === 0) {
    problems.push(`/products/${i}/versions/list: list at least one version`);
  }
  return problems;
}

function blank(text: string | undefined): boolean {
  return text === undefined || text.trim() === '';
}
