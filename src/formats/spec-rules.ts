import { isCustodyError, parsePurl } from '../core/index.js';
import type { SbomFormat } from './detect.js';
import type { SchemaError } from './validate.js';

/**
 * What the standards' prose requires beyond their JSON schemas, checked on the document's JSON
 * form (untrusted input):
 *
 * - errors: a CycloneDX `bom-ref` used by two components or services, or an SPDX `SPDXID` used
 *   twice (both specs say MUST be unique: a dependency on it would be ambiguous; checked where
 *   Custody reads them, since CycloneDX's own 1.5 test data repeats one inside `formulation` and
 *   calls it valid); a control or bidirectional-formatting character in a
 *   name, version, group, identifier or supplier (a name shown to people must read as it sorts
 *   and compares: U+202E turns `gpl.js` into what looks like another name, NUL cuts it short).
 * - warnings: a purl that breaks the purl spec. The document is still valid, but the component
 *   cannot be found by purl; the index stores it without one.
 */
export function checkSpecRules(
  format: SbomFormat,
  data: unknown,
): { errors: SchemaError[]; warnings: SchemaError[] } {
  const out: Out = { errors: [], warnings: [], bomRefs: new Map() };
  if (isObject(data)) {
    if (format === 'cyclonedx') checkCycloneDx(data, out);
    else checkSpdx(data, out);
  }
  return { errors: out.errors, warnings: out.warnings };
}

type Json = Record<string, unknown>;
type Out = { errors: SchemaError[]; warnings: SchemaError[]; bomRefs: Map<string, string> };

/**
 * C0 and C1 controls (NUL, ESC, newline, …), DEL, and the Unicode bidirectional formatting
 * characters (LRM/RLM/ALM, LRE…RLO, LRI…PDI): nothing a package name, version or identifier needs.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

/** Fields of a CycloneDX component or service that name or identify it. */
const CDX_NAME_FIELDS = [
  'bom-ref',
  'name',
  'version',
  'group',
  'purl',
  'cpe',
  'publisher',
  'author',
];
/** Fields of an SPDX package that name or identify it. */
const SPDX_NAME_FIELDS = ['SPDXID', 'name', 'versionInfo', 'supplier', 'originator'];

function checkCycloneDx(bom: Json, out: Out): void {
  const metadata = isObject(bom['metadata']) ? bom['metadata'] : undefined;
  if (metadata && isObject(metadata['component'])) {
    const subject = metadata['component'];
    cdxComponent(subject, '/metadata/component', out);
    cdxList(subject['components'], '/metadata/component/components', 'components', out);
  }
  cdxList(bom['components'], '/components', 'components', out);
  cdxList(bom['services'], '/services', 'services', out);
}

// Components nest (`components`), services too (`services`); each is checked the same way.
function cdxList(v: unknown, pointer: string, key: 'components' | 'services', out: Out): void {
  if (!Array.isArray(v)) return;
  for (const [i, c] of v.entries()) {
    if (!isObject(c)) continue;
    cdxComponent(c, `${pointer}/${i}`, out);
    cdxList(c[key], `${pointer}/${i}/${key}`, key, out);
  }
}

function cdxComponent(c: Json, pointer: string, out: Out): void {
  uniqueBomRef(c, pointer, out);
  for (const field of CDX_NAME_FIELDS)
    controlChars(c[field], `${pointer}/${pointerToken(field)}`, out);
  if (isObject(c['supplier'])) controlChars(c['supplier']['name'], `${pointer}/supplier/name`, out);
  const purl = c['purl'];
  if (typeof purl === 'string' && purl !== '') checkPurl(purl, `${pointer}/purl`, out);
}

// A bom-ref names one component or service (what dependencies and compositions point at).
function uniqueBomRef(c: Json, pointer: string, out: Out): void {
  const ref = c['bom-ref'];
  if (typeof ref !== 'string') return;
  const first = out.bomRefs.get(ref);
  if (first === undefined) out.bomRefs.set(ref, pointer);
  else {
    out.errors.push({
      pointer: `${pointer}/bom-ref`,
      keyword: 'uniqueBomRef',
      message: `bom-ref ${JSON.stringify(ref.slice(0, 200))} is already used by ${first}; bom-refs must be unique within a BOM`,
    });
  }
}

function checkSpdx(doc: Json, out: Out): void {
  const seen = new Map<string, string>();
  const id = (v: unknown, pointer: string) => {
    if (typeof v !== 'string') return;
    const first = seen.get(v);
    if (first === undefined) seen.set(v, pointer);
    else {
      out.errors.push({
        pointer,
        keyword: 'uniqueSpdxId',
        message: `SPDXID ${JSON.stringify(v.slice(0, 200))} is already used at ${first}; SPDX identifiers must be unique within a document`,
      });
    }
  };
  id(doc['SPDXID'], '/SPDXID');
  for (const key of ['packages', 'files', 'snippets'] as const) {
    const list = doc[key];
    if (!Array.isArray(list)) continue;
    for (const [i, p] of list.entries()) {
      if (!isObject(p)) continue;
      const pointer = `/${key}/${i}`;
      id(p['SPDXID'], `${pointer}/SPDXID`);
      if (key !== 'packages') continue;
      for (const field of SPDX_NAME_FIELDS) controlChars(p[field], `${pointer}/${field}`, out);
      const refs = Array.isArray(p['externalRefs']) ? p['externalRefs'] : [];
      for (const [j, r] of refs.entries()) {
        if (!isObject(r) || r['referenceType'] !== 'purl') continue;
        const locator = r['referenceLocator'];
        if (typeof locator === 'string') {
          controlChars(locator, `${pointer}/externalRefs/${j}/referenceLocator`, out);
          checkPurl(locator, `${pointer}/externalRefs/${j}/referenceLocator`, out);
        }
      }
    }
  }
}

function controlChars(v: unknown, pointer: string, out: Out): void {
  if (typeof v !== 'string') return;
  const m = CONTROL.exec(v);
  if (!m) return;
  const code = (m[0].codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0');
  out.errors.push({
    pointer,
    keyword: 'controlCharacter',
    message: `contains the control or bidirectional-formatting character U+${code} at position ${m.index}; names and identifiers must be plain text`,
  });
}

function checkPurl(purl: string, pointer: string, out: Out): void {
  try {
    parsePurl(purl);
  } catch (e) {
    if (!isCustodyError(e)) throw e;
    out.warnings.push({
      pointer,
      keyword: 'purl',
      message: `${JSON.stringify(purl.slice(0, 200))} is not a valid package URL (${e.message}); the component cannot be found by purl`,
    });
  }
}

// JSON pointer escaping (RFC 6901).
function pointerToken(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
