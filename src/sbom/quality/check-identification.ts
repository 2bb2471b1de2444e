import type { SbomDocument } from '../model.js';
import { componentCheck, isValidPurl } from './check-helpers.js';
import { nonEmpty } from './check-ntia.js';
import type { CheckResult } from './types.js';

const CATEGORY = 'identification' as const;

/** Whether components can be found in vulnerability databases: purls first, CPEs as a bonus. */
export function identificationChecks(doc: SbomDocument): CheckResult[] {
  const cs = doc.components;
  return [
    componentCheck(
      {
        id: 'identification.purl',
        category: CATEGORY,
        weight: 3,
        passes: 'have a purl',
        pass: (c) => nonEmpty(c.purl),
      },
      cs,
    ),
    componentCheck(
      {
        id: 'identification.valid-purl',
        category: CATEGORY,
        weight: 3,
        passes: 'are valid package URLs',
        population: 'have a purl',
        appliesTo: (c) => nonEmpty(c.purl),
        pass: (c) => isValidPurl(c.purl ?? ''),
      },
      cs,
    ),
    componentCheck(
      {
        id: 'identification.cpe',
        category: CATEGORY,
        // Informational: CPEs help NVD matching but most ecosystems have none.
        weight: 0.5,
        passes: 'have a CPE',
        pass: (c) => nonEmpty(c.cpe) && /^cpe:(2\.3:|\/)/i.test(c.cpe),
      },
      cs,
    ),
  ];
}
