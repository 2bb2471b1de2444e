import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { arr, isRecord, lockfileError, rec } from '../lockfile-support.js';

/** One `<dependency>` as written (values may still hold `${…}`). */
export interface PomDependency {
  groupId?: string;
  artifactId?: string;
  version?: string;
  scope?: string;
  type?: string;
  classifier?: string;
  optional?: string;
}

/** The parts of a POM the cataloger uses. */
export interface PomModel {
  groupId?: string;
  artifactId?: string;
  version?: string;
  name?: string;
  licenses: string[];
  parent?: { groupId?: string; artifactId?: string; version?: string; relativePath?: string };
  properties: Record<string, string>;
  dependencies: PomDependency[];
  managed: PomDependency[];
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: true,
  processEntities: true,
  isArray: (_name, jpath) =>
    /(^|\.)dependencies\.dependency$/.test(String(jpath)) ||
    String(jpath) === 'project.licenses.license',
});

/**
 * Parse POM XML (untrusted) into a PomModel. Profiles are not evaluated: their dependencies and
 * properties depend on the build environment.
 * @throws SbomError SBOM_LOCKFILE_PARSE when the text is not well-formed XML or has no <project>.
 */
export function parsePom(text: string, file: string): PomModel {
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    throw lockfileError(file, `is not well-formed XML: ${valid.err.msg} (line ${valid.err.line})`);
  }
  let doc: unknown;
  try {
    doc = parser.parse(text);
  } catch (e) {
    throw lockfileError(file, `is not well-formed XML: ${(e as Error).message}`, e);
  }
  const project = rec(doc)['project'];
  if (!isRecord(project)) throw lockfileError(file, 'has no <project> element; it is not a POM');
  const parent = isRecord(project['parent']) ? text4(project['parent']) : undefined;
  const properties: Record<string, string> = {};
  for (const [k, v] of Object.entries(rec(project['properties']))) {
    if (typeof v === 'string') properties[k] = v;
    else if (v === '' || v === null) properties[k] = '';
  }
  const model: PomModel = {
    licenses: arr(rec(project['licenses'])['license'])
      .map((l) => textOf(rec(l)['name']))
      .filter((l): l is string => !!l),
    properties,
    dependencies: depsOf(project['dependencies']),
    managed: depsOf(rec(project['dependencyManagement'])['dependencies']),
  };
  const own = text4(project);
  if (own.groupId) model.groupId = own.groupId;
  if (own.artifactId) model.artifactId = own.artifactId;
  if (own.version) model.version = own.version;
  const name = textOf(project['name']);
  if (name) model.name = name;
  if (parent) model.parent = parent;
  return model;
}

function depsOf(x: unknown): PomDependency[] {
  return arr(rec(x)['dependency']).map((d) => {
    const r = rec(d);
    const out: PomDependency = {};
    for (const k of [
      'groupId',
      'artifactId',
      'version',
      'scope',
      'type',
      'classifier',
      'optional',
    ] as const) {
      const v = textOf(r[k]);
      if (v !== undefined) out[k] = v;
    }
    return out;
  });
}

function text4(x: Record<string, unknown>): {
  groupId?: string;
  artifactId?: string;
  version?: string;
  relativePath?: string;
} {
  const out: { groupId?: string; artifactId?: string; version?: string; relativePath?: string } =
    {};
  for (const k of ['groupId', 'artifactId', 'version', 'relativePath'] as const) {
    const v = textOf(x[k]);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

// Empty elements parse as '' and elements with comments/children as objects; only text counts.
function textOf(x: unknown): string | undefined {
  if (typeof x === 'string') return x;
  if (isRecord(x) && typeof x['#text'] === 'string') return x['#text'];
  return undefined;
}
