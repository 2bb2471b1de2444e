import { normalizeLicense } from '../license.js';
import type { Component, SbomDocument } from '../model.js';
import { componentCheck } from './check-helpers.js';
import type { CheckResult } from './types.js';

const CATEGORY = 'licensing' as const;

/**
 * Whether licences are declared and machine-readable. A licence is valid when it normalises to an
 * SPDX id or expression (common spellings spdx-correct maps unambiguously count); NOASSERTION and
 * NONE are not licences; free text is not valid.
 */
export function licensingChecks(doc: SbomDocument): CheckResult[] {
  const cs = doc.components;
  return [
    componentCheck(
      {
        id: 'licensing.present',
        category: CATEGORY,
        weight: 1,
        passes: 'declare a licence',
        pass: hasDeclaredLicense,
      },
      cs,
    ),
    componentCheck(
      {
        id: 'licensing.valid-spdx',
        category: CATEGORY,
        weight: 1,
        passes: 'declare only valid SPDX licence ids or expressions',
        pass: hasValidSpdxLicenses,
      },
      cs,
    ),
    componentCheck(
      {
        id: 'licensing.no-noassertion',
        category: CATEGORY,
        weight: 1,
        passes: 'avoid NOASSERTION/NONE',
        population: 'list a licence',
        appliesTo: (c) => c.licenses.length > 0,
        pass: (c) => !c.licenses.some((l) => normalizeLicense(l).kind === 'noassertion'),
      },
      cs,
    ),
    componentCheck(
      {
        id: 'licensing.no-deprecated',
        category: CATEGORY,
        weight: 0.5,
        passes: 'use no deprecated SPDX ids',
        population: 'have a valid licence',
        appliesTo: (c) => c.licenses.some(isSpdx),
        pass: (c) => !c.licenses.some(isDeprecated),
      },
      cs,
    ),
  ];
}

/** At least one licence that is neither empty nor NOASSERTION/NONE. */
export function hasDeclaredLicense(c: Component): boolean {
  return c.licenses.some((l) => l.trim() !== '' && normalizeLicense(l).kind !== 'noassertion');
}

/** At least one licence, and every one an SPDX id or expression. */
export function hasValidSpdxLicenses(c: Component): boolean {
  return c.licenses.length > 0 && c.licenses.every(isSpdx);
}

function isSpdx(l: string): boolean {
  const n = normalizeLicense(l);
  return n.kind === 'id' || n.kind === 'expression';
}

function isDeprecated(l: string): boolean {
  const n = normalizeLicense(l);
  return (n.kind === 'id' || n.kind === 'expression') && n.deprecated;
}
