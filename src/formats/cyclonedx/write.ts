import { type Component, normalizeLicense, type SbomDocument } from '../../sbom/index.js';
import {
  CYCLONEDX_HASH_ALGS,
  CYCLONEDX_SPEC,
  type CycloneDxCapabilities,
  type CycloneDxWriteVersion,
} from './spec.js';

type Json = Record<string, unknown>;

/**
 * Serialise a neutral SBOM as CycloneDX JSON of `specVersion`. Output is deterministic for a
 * deterministic document (key order fixed here, components and edges sorted by the builder).
 * `doc.serialNumber` must already be a `urn:uuid:` value when set.
 */
export function writeCycloneDxJson(doc: SbomDocument, specVersion: CycloneDxWriteVersion): string {
  return `${JSON.stringify(toCycloneDx(doc, specVersion), null, 2)}\n`;
}

/** The CycloneDX object for `doc` (before serialisation; used for hashing and by tests). */
export function toCycloneDx(doc: SbomDocument, specVersion: CycloneDxWriteVersion): Json {
  const cap = CYCLONEDX_SPEC[specVersion];
  const bom: Json = {
    $schema: `http://cyclonedx.org/schema/bom-${specVersion}.schema.json`,
    bomFormat: 'CycloneDX',
    specVersion,
  };
  if (doc.serialNumber?.startsWith('urn:uuid:')) bom['serialNumber'] = doc.serialNumber;
  bom['version'] = doc.version ?? 1;
  bom['metadata'] = metadata(doc, cap);
  bom['components'] = doc.components.map((c) => component(c, cap));
  bom['dependencies'] = dependencies(doc);
  return bom;
}

function metadata(doc: SbomDocument, cap: CycloneDxCapabilities): Json {
  const m: Json = {};
  if (doc.timestamp !== undefined) m['timestamp'] = doc.timestamp;
  m['tools'] = cap.toolsAsComponents
    ? {
        components: doc.tools.map((t) =>
          compact({
            type: 'application',
            ...(t.vendor
              ? { [cap.manufacturer ? 'manufacturer' : 'supplier']: { name: t.vendor } }
              : {}),
            name: t.name,
            version: t.version,
          }),
        ),
      }
    : doc.tools.map((t) => compact({ vendor: t.vendor, name: t.name, version: t.version }));
  if (doc.authors.length > 0) m['authors'] = doc.authors.map((name) => ({ name }));
  if (doc.subject) m['component'] = component(doc.subject, cap);
  const props = Object.entries(doc.properties);
  if (props.length > 0) m['properties'] = props.map(([name, value]) => ({ name, value }));
  return m;
}

// One object literal with every key present (undefined where absent; JSON.stringify drops those):
// a single hidden class for all components, several times faster than adding keys one by one.
function component(c: Component, cap: CycloneDxCapabilities): Json {
  const golang = c.ecosystem === 'golang';
  const hashes = c.hashes.length === 0 ? undefined : cycloneDxHashes(c);
  const props = c.properties === undefined ? undefined : propertyList(c.properties);
  return {
    type: c.type,
    'bom-ref': c.ref,
    supplier: c.supplier ? { name: c.supplier } : undefined,
    authors: c.author && cap.componentAuthors ? [{ name: c.author }] : undefined,
    author: c.author && !cap.componentAuthors ? c.author : undefined,
    group: c.namespace && !golang ? c.namespace : undefined,
    name: localName(c),
    version: c.version,
    description: c.description || undefined,
    scope: c.scope === undefined ? undefined : c.scope === 'dev' ? 'excluded' : c.scope,
    hashes,
    licenses: licenseChoice(c.licenses, cap),
    purl: c.purl || undefined,
    cpe: c.cpe || undefined,
    properties: props,
  };
}

/**
 * The component's name as CycloneDX writes it: Go modules by their whole path (cyclonedx-gomod),
 * others without their namespace, which goes to `group` (a cataloger may include it in `name`).
 */
function localName(c: Component): string {
  if (!c.namespace) return c.name;
  if (c.ecosystem === 'golang')
    return c.name.startsWith(`${c.namespace}/`) ? c.name : `${c.namespace}/${c.name}`;
  return c.name.startsWith(`${c.namespace}/`) ? c.name.slice(c.namespace.length + 1) : c.name;
}

function cycloneDxHashes(c: Component): Json[] | undefined {
  const out: Json[] = [];
  for (const h of c.hashes) {
    if (CYCLONEDX_HASH_ALGS.has(h.alg)) out.push({ alg: h.alg, content: h.content });
  }
  return out.length > 0 ? out : undefined;
}

function propertyList(props: Record<string, string>): Json[] | undefined {
  const out: Json[] = [];
  for (const name in props) out.push({ name, value: props[name] });
  return out.length > 0 ? out : undefined;
}

/**
 * CycloneDX's licence choice is either a list of licences (id or name) or exactly one expression.
 * Several declared strings with an expression among them are joined with AND: each was declared
 * for the package, so all apply.
 */
function licenseChoice(
  declared: readonly string[],
  cap: CycloneDxCapabilities,
): Json[] | undefined {
  if (declared.length === 0) return undefined;
  const norm = declared.map(normalizeLicense);
  const ack = cap.licenseAcknowledgement ? { acknowledgement: 'declared' } : {};
  if (norm.some((n) => n.kind === 'expression')) {
    const expression =
      norm.length === 1
        ? (norm[0]?.value ?? '')
        : norm.map((n) => (n.kind === 'expression' ? `(${n.value})` : n.value)).join(' AND ');
    if (norm.every((n) => n.kind === 'expression' || n.kind === 'id')) {
      return [{ expression, ...ack }];
    }
  }
  return norm.map((n) =>
    n.kind === 'id' ? { license: { id: n.value, ...ack } } : { license: { name: n.value, ...ack } },
  );
}

function dependencies(doc: SbomDocument): Json[] {
  const out: Json[] = [];
  if (doc.subject) out.push({ ref: doc.subject.ref, dependsOn: [...doc.subject.dependsOn] });
  for (const c of doc.components) out.push({ ref: c.ref, dependsOn: [...c.dependsOn] });
  return out;
}

function compact(o: Record<string, unknown>): Json {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== ''));
}
