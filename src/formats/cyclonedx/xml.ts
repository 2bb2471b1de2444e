import { createRequire } from 'node:module';
import type { XMLParser } from 'fast-xml-parser';
import { SbomError } from '../../sbom/index.js';

type Json = Record<string, unknown>;
type XmlNode = Record<string, unknown>;

/**
 * Read CycloneDX XML (untrusted) into the shape of CycloneDX JSON, so that one reader and one
 * schema serve both encodings. There is no XSD validator for JavaScript, so XML documents are
 * validated by validating this JSON form against the JSON schema of the same version: structure,
 * enums, patterns and required fields are checked; XML-only rules (element order, xs:types the
 * JSON schema does not share) are not. `specVersion` is the one its namespace names. Elements this mapping does not know are converted
 * generically (attributes and child elements become properties, repeated children arrays).
 *
 * @throws SbomError SBOM_PARSE when the XML is not well formed or has no `<bom>` root
 */
export function cycloneDxXmlToJson(text: string, what: string, specVersion: string): Json {
  const checked = fastXmlParser().XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (checked !== true) {
    const { msg, line, col } = checked.err;
    throw new SbomError(
      'SBOM_PARSE',
      `${what} is not well-formed XML: ${msg} (line ${line}, column ${col})`,
      {
        details: { file: what, line, col },
      },
    );
  }
  let root: XmlNode;
  try {
    root = xmlParser().parse(text) as XmlNode;
  } catch (cause) {
    throw new SbomError(
      'SBOM_PARSE',
      `${what} could not be read as XML: ${(cause as Error).message}`,
      {
        cause,
        details: { file: what },
      },
    );
  }
  const bom = first(root['bom']);
  if (!isNode(bom)) {
    throw new SbomError('SBOM_PARSE', `${what} has no CycloneDX <bom> root element`, {
      details: { file: what },
    });
  }
  // The namespace (detectSbomFormat read it) names the version; the JSON form states it.
  const out: Json = { bomFormat: 'CycloneDX', specVersion };
  Object.assign(out, convertNode('bom', bom));
  return out;
}

// fast-xml-parser takes ~30 ms to load and only XML documents need it: it loads on first use
// (through require, as the readers are synchronous), so importing formats/ stays cheap for the
// many callers that never see XML.
const requireOnUse = createRequire(import.meta.url);
let library: typeof import('fast-xml-parser') | undefined;
let parser: XMLParser | undefined;

function fastXmlParser(): typeof import('fast-xml-parser') {
  library ??= requireOnUse('fast-xml-parser') as typeof import('fast-xml-parser');
  return library;
}

function xmlParser(): XMLParser {
  parser ??= new (fastXmlParser().XMLParser)(PARSER_OPTIONS);
  return parser;
}

const PARSER_OPTIONS: ConstructorParameters<typeof XMLParser>[0] = {
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  textNodeName: '#text',
  isArray: (_name: string, _path: unknown, _leaf: boolean, isAttribute: boolean) => !isAttribute,
  processEntities: true,
  htmlEntities: false,
};

/** Wrapper elements whose children form a JSON array: wrapper → child element name. */
const LISTS: Readonly<Record<string, string>> = {
  components: 'component',
  services: 'service',
  hashes: 'hash',
  externalReferences: 'reference',
  properties: 'property',
  authors: 'author',
  dependencies: 'dependency',
  compositions: 'composition',
  vulnerabilities: 'vulnerability',
  annotations: 'annotation',
  formulation: 'formula',
  patches: 'patch',
  commits: 'commit',
  ancestors: 'component',
  descendants: 'component',
  variants: 'component',
  endpoints: 'endpoint',
  data: 'classification',
  lifecycles: 'lifecycle',
  occurrences: 'occurrence',
  callstack: 'frames',
  frames: 'frame',
  tags: 'tag',
  omniborId: 'omniborId',
  swhid: 'swhid',
  references: 'reference',
  ratings: 'rating',
  cwes: 'cwe',
  advisories: 'advisory',
  affects: 'target',
  versions: 'version',
  credits: 'individual',
  subjects: 'subject',
  assemblies: 'assembly',
};

/** Organisational entities, whose `url` and `contact` are arrays in JSON even when single. */
const ORG_ENTITIES = new Set([
  'supplier',
  'manufacturer',
  'manufacture',
  'provider',
  'organization',
]);

/** Attributes CycloneDX's JSON form holds as numbers or booleans. */
const NUMBERS = new Set(['version']);
const BOOLEANS = new Set(['authenticated', 'x-trust-boundary', 'isExternal']);

// One element → its JSON value, using the CycloneDX-specific shapes first, then the generic rule.
function convertNode(name: string, node: XmlNode): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith('@')) {
      const attr = key.slice(1);
      if (attr === 'xmlns' || attr.startsWith('xmlns:') || attr === 'schemaLocation') continue;
      out[attr] = scalar(attr, String(value));
      continue;
    }
    if (key === '#text') continue;
    const children = Array.isArray(value) ? (value as unknown[]) : [value];
    out[key] = convertChild(name, key, children);
  }
  return out;
}

function convertChild(parent: string, key: string, children: unknown[]): unknown {
  if (key === 'licenses') return licenses(children);
  if (key === 'tools' && parent === 'metadata') return tools(children);
  if (key === 'dependencies' && parent === 'bom') return dependencies(children);
  const item = LISTS[key];
  if (item !== undefined && children.every((c) => isNode(c) && !hasText(c))) {
    return children.flatMap((c) => asArray((c as XmlNode)[item]).map((x) => element(item, x)));
  }
  const values = children.map((c) => element(key, c));
  const repeated = ORG_ENTITIES.has(parent) && (key === 'url' || key === 'contact');
  return repeated || children.length > 1 ? values : values[0];
}

// An element: text-only → string; hash/property/expression keep their text under a JSON name.
function element(name: string, x: unknown): unknown {
  if (!isNode(x)) return x === undefined ? '' : String(x);
  const attrs = Object.keys(x).some((k) => k.startsWith('@'));
  const elems = Object.keys(x).some((k) => !k.startsWith('@') && k !== '#text');
  const text = hasText(x) ? String(first(x['#text'])) : undefined;
  if (!attrs && !elems) return text ?? '';
  const out = convertNode(name, x);
  if (text !== undefined) {
    if (name === 'hash') out['content'] = text;
    else if (name === 'property') out['value'] = text;
    else out['content'] = text;
  }
  return out;
}

// <licenses><license>…</license><expression>…</expression></licenses> → [{license}|{expression}]
function licenses(children: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const c of children) {
    if (!isNode(c)) continue;
    for (const l of asArray(c['license'])) out.push({ license: element('license', l) });
    for (const e of asArray(c['expression'])) {
      if (!isNode(e)) {
        out.push({ expression: String(e ?? '') });
        continue;
      }
      const converted = element('expression', e) as Json | string;
      if (typeof converted === 'string') out.push({ expression: converted });
      else {
        const { content, ...rest } = converted;
        out.push({ ...rest, expression: content ?? '' });
      }
    }
  }
  return out;
}

// Legacy <tools><tool/></tools> → array; 1.5+ <tools><components/><services/></tools> → object.
function tools(children: unknown[]): unknown {
  const node = children.find(isNode);
  if (node === undefined) return [];
  if ('tool' in node) return asArray(node['tool']).map((t) => element('tool', t));
  return convertNode('tools', node);
}

// <dependency ref="a"><dependency ref="b"/></dependency> → { ref: 'a', dependsOn: ['b'] }
function dependencies(children: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const c of children) {
    if (!isNode(c)) continue;
    for (const d of asArray(c['dependency'])) {
      if (!isNode(d)) continue;
      const entry: Json = { ref: String(d['@ref'] ?? '') };
      const inner = asArray(d['dependency']).filter(isNode);
      if (inner.length > 0) entry['dependsOn'] = inner.map((x) => String(x['@ref'] ?? ''));
      const provides = asArray(d['provides']).filter(isNode);
      if (provides.length > 0) entry['provides'] = provides.map((x) => String(x['@ref'] ?? ''));
      out.push(entry);
    }
  }
  return out;
}

function scalar(attr: string, v: string): unknown {
  if (NUMBERS.has(attr) && /^-?\d+$/.test(v)) return Number(v);
  if (BOOLEANS.has(attr) && (v === 'true' || v === 'false')) return v === 'true';
  return v;
}

function isNode(x: unknown): x is XmlNode {
  return x !== null && typeof x === 'object' && !Array.isArray(x);
}

function hasText(x: XmlNode): boolean {
  return x['#text'] !== undefined;
}

function asArray(x: unknown): unknown[] {
  return x === undefined ? [] : Array.isArray(x) ? x : [x];
}

function first(x: unknown): unknown {
  return Array.isArray(x) ? x[0] : x;
}
