import { parsePurl } from '../../core/index.js';
import type { Component, ComponentType, Hash, SbomDocument } from '../../sbom/index.js';

type Json = Record<string, unknown>;

/** Top-level CycloneDX members the neutral model does not hold (listed in `unmapped`). */
const UNMAPPED_TOP = [
  'services',
  'externalReferences',
  'compositions',
  'vulnerabilities',
  'annotations',
  'formulation',
  'declarations',
  'definitions',
  'signature',
] as const;

const TYPES = new Set<ComponentType>([
  'library',
  'application',
  'framework',
  'operating-system',
  'container',
  'file',
]);

/**
 * CycloneDX JSON (or XML read into the JSON shape) → the neutral model. Nested components are
 * flattened, each child keeping its parent's ref in property `custody:parent`; `dependencies`
 * become `dependsOn`; metadata.component becomes the subject. Input is trusted to be an object
 * but not to be schema-valid: wrong-typed members are ignored, never thrown on.
 */
export function cycloneDxToModel(bom: Json, specVersion: string): SbomDocument {
  const unmapped: string[] = [];
  const metadata = obj(bom['metadata']) ?? {};
  const components: Component[] = [];
  const byRef = new Map<string, Component>();
  let anonymous = 0;
  const visit = (raw: unknown, pointer: string, parent: string | undefined) => {
    const c = obj(raw);
    if (!c) return;
    const comp = component(c, pointer, unmapped, () => `custody:anonymous-${++anonymous}`);
    if (parent !== undefined) comp.properties = { ...comp.properties, 'custody:parent': parent };
    components.push(comp);
    if (!byRef.has(comp.ref)) byRef.set(comp.ref, comp);
    arr(c['components']).forEach((x, i) => {
      visit(x, `${pointer}/components/${i}`, comp.ref);
    });
  };
  arr(bom['components']).forEach((x, i) => {
    visit(x, `/components/${i}`, undefined);
  });

  const subjectRaw = obj(metadata['component']);
  let subject: Component | undefined;
  if (subjectRaw) {
    subject = component(subjectRaw, '/metadata/component', unmapped, () => 'custody:subject');
    arr(subjectRaw['components']).forEach((x, i) => {
      visit(x, `/metadata/component/components/${i}`, subject?.ref);
    });
  }
  const hasDependencyGraph = Array.isArray(bom['dependencies']);
  for (const d of arr(bom['dependencies'])) {
    const dep = obj(d);
    const ref = str(dep?.['ref']);
    if (!dep || ref === undefined) continue;
    const target = ref === subject?.ref ? subject : byRef.get(ref);
    if (!target) continue;
    for (const on of arr(dep['dependsOn'])) {
      if (typeof on === 'string' && !target.dependsOn.includes(on)) target.dependsOn.push(on);
    }
  }
  for (const key of UNMAPPED_TOP) if (bom[key] !== undefined) unmapped.push(`/${key}`);
  for (const key of ['lifecycles', 'manufacture', 'manufacturer', 'supplier', 'licenses']) {
    if (metadata[key] !== undefined) unmapped.push(`/metadata/${key}`);
  }
  const doc: SbomDocument = {
    format: 'cyclonedx',
    specVersion,
    tools: readTools(metadata['tools']),
    authors: arr(metadata['authors']).flatMap((a) => {
      const name = str(obj(a)?.['name']) ?? str(obj(a)?.['email']);
      return name === undefined ? [] : [name];
    }),
    components,
    hasDependencyGraph,
    properties: readProperties(metadata['properties']),
    unmapped,
  };
  const serial = str(bom['serialNumber']);
  if (serial !== undefined) doc.serialNumber = serial;
  if (typeof bom['version'] === 'number') doc.version = bom['version'];
  const timestamp = str(metadata['timestamp']);
  if (timestamp !== undefined) doc.timestamp = timestamp;
  if (subject) {
    doc.subject = subject;
    doc.name = subject.name;
  }
  return doc;
}

// Component members the model holds; anything else is reported in `unmapped` by pointer.
const MAPPED = new Set([
  'type',
  'bom-ref',
  'name',
  'group',
  'version',
  'purl',
  'cpe',
  'hashes',
  'licenses',
  'scope',
  'supplier',
  'author',
  'authors',
  'description',
  'properties',
  'components',
  'mime-type',
]);

function component(
  c: Json,
  pointer: string,
  unmapped: string[],
  fallbackRef: () => string,
): Component {
  const name = str(c['name']) ?? '';
  const purl = str(c['purl']);
  const parts = purl === undefined ? undefined : safePurl(purl);
  const type = str(c['type']);
  const comp: Component = {
    ref: str(c['bom-ref']) ?? purl ?? fallbackRef(),
    type:
      type !== undefined && TYPES.has(type as ComponentType) ? (type as ComponentType) : 'library',
    ecosystem: parts?.type ?? 'generic',
    name,
    hashes: readHashes(c['hashes']),
    licenses: readLicenses(c['licenses']),
    dependsOn: [],
  };
  const namespace = parts?.namespace ?? str(c['group']);
  if (namespace !== undefined && namespace !== '') comp.namespace = namespace;
  const version = str(c['version']);
  if (version !== undefined) comp.version = version;
  if (purl !== undefined) comp.purl = purl;
  const cpe = str(c['cpe']);
  if (cpe !== undefined) comp.cpe = cpe;
  const scope = str(c['scope']);
  if (scope === 'required' || scope === 'optional') comp.scope = scope;
  else if (scope === 'excluded') comp.scope = 'dev';
  const supplier = str(obj(c['supplier'])?.['name']);
  if (supplier !== undefined) comp.supplier = supplier;
  const author =
    str(c['author']) ??
    arr(c['authors'])
      .map((a) => str(obj(a)?.['name']))
      .filter((n): n is string => n !== undefined)
      .join(', ');
  if (author !== '') comp.author = author;
  const description = str(c['description']);
  if (description !== undefined) comp.description = description;
  const properties = readProperties(c['properties']);
  if (type !== undefined && !TYPES.has(type as ComponentType)) {
    properties['custody:cyclonedx:type'] = type;
  }
  if (Object.keys(properties).length > 0) comp.properties = properties;
  for (const key of Object.keys(c)) if (!MAPPED.has(key)) unmapped.push(`${pointer}/${key}`);
  return comp;
}

function readHashes(v: unknown): Hash[] {
  const out: Hash[] = [];
  for (const h of arr(v)) {
    const alg = str(obj(h)?.['alg']);
    const content = str(obj(h)?.['content']);
    if (alg !== undefined && content !== undefined)
      out.push({ alg, content: content.toLowerCase() });
  }
  return out;
}

/** Licence choices as strings: the id, else the name, else the expression. */
export function readLicenses(v: unknown): string[] {
  const out: string[] = [];
  for (const choice of arr(v)) {
    const c = obj(choice);
    const license = obj(c?.['license']);
    const text = str(license?.['id']) ?? str(license?.['name']) ?? str(c?.['expression']);
    if (text !== undefined) out.push(text);
  }
  return out;
}

// Legacy array of {vendor,name,version}, or 1.5+ { components: [...], services: [...] }.
function readTools(v: unknown): SbomDocument['tools'] {
  const list = Array.isArray(v)
    ? v
    : [...arr(obj(v)?.['components']), ...arr(obj(v)?.['services'])];
  const out: SbomDocument['tools'] = [];
  for (const t of list) {
    const tool = obj(t);
    const name = str(tool?.['name']);
    if (!tool || name === undefined) continue;
    const entry: SbomDocument['tools'][number] = { name };
    const vendor =
      str(tool['vendor']) ??
      str(tool['group']) ??
      str(obj(tool['manufacturer'])?.['name']) ??
      str(obj(tool['provider'])?.['name']) ??
      str(obj(tool['supplier'])?.['name']);
    if (vendor !== undefined) entry.vendor = vendor;
    const version = str(tool['version']);
    if (version !== undefined) entry.version = version;
    out.push(entry);
  }
  return out;
}

function readProperties(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of arr(v)) {
    const name = str(obj(p)?.['name']);
    if (name !== undefined) out[name] = str(obj(p)?.['value']) ?? '';
  }
  return out;
}

function safePurl(purl: string): { type: string; namespace?: string } | undefined {
  try {
    const p = parsePurl(purl);
    return p.namespace === undefined ? { type: p.type } : { type: p.type, namespace: p.namespace };
  } catch {
    return undefined; // an invalid purl is kept verbatim; quality checks report it
  }
}

function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
