import type { SbomDocument } from '../model.js';
import { componentCheck, documentCheck, isValidPurl } from './check-helpers.js';
import type { CheckResult } from './types.js';

const CATEGORY = 'ntia' as const;

/**
 * The seven NTIA minimum data fields ("The Minimum Elements For a Software Bill of Materials",
 * NTIA 2021): supplier, component name, version, other unique identifiers, dependency relationship,
 * author of SBOM data, timestamp. Component fields score as the share of components that have them.
 */
export function ntiaChecks(doc: SbomDocument): CheckResult[] {
  const cs = doc.components;
  return [
    componentCheck(
      {
        id: 'ntia.supplier',
        category: CATEGORY,
        weight: 1,
        passes: 'name a supplier (or author)',
        // NTIA allows the author when the supplier is not known separately (sbomqs does the same).
        pass: (c) => nonEmpty(c.supplier) || nonEmpty(c.author),
      },
      cs,
    ),
    componentCheck(
      {
        id: 'ntia.name',
        category: CATEGORY,
        weight: 1,
        passes: 'have a name',
        pass: (c) => nonEmpty(c.name),
      },
      cs,
    ),
    componentCheck(
      {
        id: 'ntia.version',
        category: CATEGORY,
        weight: 1,
        passes: 'have a version',
        pass: (c) => nonEmpty(c.version),
      },
      cs,
    ),
    componentCheck(
      {
        id: 'ntia.unique-id',
        category: CATEGORY,
        weight: 1,
        passes: 'have a unique identifier (a valid purl or a CPE)',
        // A purl that breaks the spec identifies nothing: the index cannot file it.
        pass: (c) => (nonEmpty(c.purl) && isValidPurl(c.purl)) || nonEmpty(c.cpe),
      },
      cs,
    ),
    dependencyRelationship(doc),
    authorOfSbomData(doc),
    timestampPresent(doc),
  ];
}

// NTIA asks at least for the primary component's direct dependencies.
function dependencyRelationship(doc: SbomDocument): CheckResult {
  const spec = { id: 'ntia.dependencies', category: CATEGORY, weight: 1 } as const;
  if (!doc.hasDependencyGraph)
    return documentCheck(spec, 0, 'the SBOM records no dependency relationships');
  if (doc.components.length === 0) return documentCheck(spec, 10, 'no components to depend on');
  const direct = doc.subject?.dependsOn.length ?? 0;
  if (direct > 0) {
    return documentCheck(
      spec,
      10,
      `the primary component lists ${direct} direct dependenc${direct === 1 ? 'y' : 'ies'}`,
    );
  }
  const anyEdge = doc.components.some((c) => c.dependsOn.length > 0);
  return anyEdge
    ? documentCheck(
        spec,
        5,
        'dependencies are recorded, but not the primary component’s direct ones',
      )
    : documentCheck(spec, 0, 'the dependency graph is present but has no edges');
}

// A person or organisation is what NTIA means; a tool alone earns half.
function authorOfSbomData(doc: SbomDocument): CheckResult {
  const spec = { id: 'ntia.author', category: CATEGORY, weight: 1 } as const;
  const authors = doc.authors.filter(nonEmpty);
  if (authors.length > 0) return documentCheck(spec, 10, `authored by ${authors.join(', ')}`);
  const tools = doc.tools.filter((t) => nonEmpty(t.name));
  if (tools.length > 0) {
    const names = tools.map((t) => (t.version ? `${t.name} ${t.version}` : t.name)).join(', ');
    return documentCheck(spec, 5, `no author named, only the tool (${names})`);
  }
  return documentCheck(spec, 0, 'no author or tool named');
}

function timestampPresent(doc: SbomDocument): CheckResult {
  const spec = { id: 'ntia.timestamp', category: CATEGORY, weight: 1 } as const;
  if (!nonEmpty(doc.timestamp)) return documentCheck(spec, 0, 'the SBOM has no creation timestamp');
  if (Number.isNaN(Date.parse(doc.timestamp))) {
    return documentCheck(spec, 0, `the timestamp "${doc.timestamp}" is not an ISO 8601 date`);
  }
  return documentCheck(spec, 10, `created ${doc.timestamp}`);
}

export function nonEmpty(s: string | undefined): s is string {
  return s !== undefined && s.trim() !== '';
}
