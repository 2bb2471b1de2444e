import { normalizeLicense } from '../../sbom/license.js';
import type { Component, SbomDocument } from '../../sbom/model.js';
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

function component(c: Component, cap: CycloneDxCapabilities): Json {
  const out: Json = { type: c.type, 'bom-ref': c.ref };
  if (c.supplier) out['supplier'] = { name: c.supplier };
  if (c.author) {
    if (cap.componentAuthors) out['authors'] = [{ name: c.author }];
    else out['author'] = c.author;
  }
  if (c.namespace && c.ecosystem !== 'golang') out['group'] = c.namespace;
  out['name'] = c.ecosystem === 'golang' && c.namespace ? `${c.namespace}/${c.name}` : c.name;
  if (c.version !== undefined) out['version'] = c.version;
  if (c.description) out['description'] = c.description;
  if (c.scope) out['scope'] = c.scope === 'dev' ? 'excluded' : c.scope;
  const hashes = c.hashes.filter((h) => CYCLONEDX_HASH_ALGS.has(h.alg));
  if (hashes.length > 0) out['hashes'] = hashes.map((h) => ({ alg: h.alg, content: h.content }));
  const licenses = licenseChoice(c.licenses, cap);
  if (licenses) out['licenses'] = licenses;
  if (c.purl) out['purl'] = c.purl;
  if (c.cpe) out['cpe'] = c.cpe;
  const props = Object.entries(c.properties ?? {});
  if (props.length > 0) out['properties'] = props.map(([name, value]) => ({ name, value }));
  return out;
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
