import type { SbomDocument } from '../model.js';
import { componentCheck, documentCheck, notApplicable } from './check-helpers.js';
import { nonEmpty } from './check-ntia.js';
import type { CheckResult, ScoreOptions } from './types.js';
import { isExactVersion } from './version-form.js';

const CATEGORY = 'structure' as const;

/** Whether the document is well formed and its components pinned: schema, graph, exact versions. */
export function structureChecks(doc: SbomDocument, opts: ScoreOptions): CheckResult[] {
  const cs = doc.components;
  return [
    schemaValid(opts),
    dependencyGraph(doc),
    componentCheck(
      {
        id: 'structure.versions',
        category: CATEGORY,
        weight: 1,
        passes: 'have a version',
        pass: (c) => nonEmpty(c.version),
      },
      cs,
    ),
    componentCheck(
      {
        id: 'structure.exact-versions',
        category: CATEGORY,
        weight: 1,
        passes: 'are exact (not ranges or tags)',
        population: 'have a version',
        appliesTo: (c) => nonEmpty(c.version),
        pass: (c) => isExactVersion(c.version ?? ''),
      },
      cs,
    ),
  ];
}

// Validation is the formats layer's job; its outcome is passed in.
function schemaValid(opts: ScoreOptions): CheckResult {
  const spec = { id: 'structure.schema-valid', category: CATEGORY, weight: 1 } as const;
  if (opts.schemaValid === undefined) return notApplicable(spec, 'schema validation was not run');
  if (opts.schemaValid) return documentCheck(spec, 10, 'the document validates against its schema');
  const n = opts.schemaErrors;
  return documentCheck(
    spec,
    0,
    n === undefined
      ? 'the document does not validate against its schema'
      : `${n} schema error${n === 1 ? '' : 's'}`,
  );
}

function dependencyGraph(doc: SbomDocument): CheckResult {
  const spec = { id: 'structure.dependency-graph', category: CATEGORY, weight: 1 } as const;
  if (!doc.hasDependencyGraph) return documentCheck(spec, 0, 'no dependency graph');
  if (doc.components.length === 0) return documentCheck(spec, 10, 'no components');
  let edges = doc.subject?.dependsOn.length ?? 0;
  for (const c of doc.components) edges += c.dependsOn.length;
  return edges > 0
    ? documentCheck(spec, 10, `dependency graph with ${edges} edges`)
    : documentCheck(spec, 0, 'the dependency graph has no edges');
}
