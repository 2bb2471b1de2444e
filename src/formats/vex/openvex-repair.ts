/**
 * Lenient OpenVEX reading: what real documents commonly get wrong, repaired before the 0.2
 * schema is applied, each repair reported with its pointer. OpenVEX 0.0.1 (a context without
 * version) is upgraded the way its successor changed it: `vulnerability` became an object,
 * products and subcomponents became component objects, and the document version an integer.
 * Nothing that decides meaning is repaired: statuses, justifications and ids stay as they are
 * and fail validation if they are wrong.
 */
import type { SchemaError } from '../validate.js';
import { isIri } from '../validators/runtime.js';
import { PRODUCT_URN } from './products.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export const OPENVEX_CONTEXT = 'https://openvex.dev/ns/v0.2.0';
const DOC_MEMBERS = new Set([
  '@context',
  '@id',
  'author',
  'role',
  'timestamp',
  'last_updated',
  'version',
  'tooling',
  'statements',
]);
const STATEMENT_MEMBERS = new Set([
  '@id',
  'version',
  'vulnerability',
  'timestamp',
  'last_updated',
  'products',
  'status',
  'supplier',
  'status_notes',
  'justification',
  'impact_statement',
  'action_statement',
  'action_statement_timestamp',
]);

export function repairOpenVex(input: Json): { data: Json; warnings: SchemaError[] } {
  const warnings: SchemaError[] = [];
  const warn = (pointer: string, message: string) =>
    warnings.push({ pointer, keyword: 'lenient', message });
  const doc = structuredClone(input);
  if (doc['@context'] !== OPENVEX_CONTEXT) {
    warn(
      '/@context',
      `${JSON.stringify(doc['@context'])} read as OpenVEX 0.2 (${OPENVEX_CONTEXT})`,
    );
    doc['@context'] = OPENVEX_CONTEXT;
  }
  for (const k of Object.keys(doc)) {
    if (!DOC_MEMBERS.has(k)) {
      warn(`/${pointerSegment(k)}`, `member ${k} is not OpenVEX 0.2: dropped`);
      delete doc[k];
    }
  }
  if (typeof doc['@id'] === 'string' && !isIri(doc['@id'])) {
    const wrapped = `urn:custody:vex-id:${encodeURIComponent(doc['@id'])}`;
    warn('/@id', `${JSON.stringify(doc['@id'])} is not an IRI: read as ${wrapped}`);
    doc['@id'] = wrapped;
  }
  if (typeof doc['version'] === 'string' && /^[1-9]\d{0,8}$/.test(doc['version'])) {
    warn('/version', 'version given as a string: read as an integer');
    doc['version'] = Number(doc['version']);
  } else if (doc['version'] === undefined) {
    warn('/version', 'no document version: read as 1');
    doc['version'] = 1;
  }
  const statements = Array.isArray(doc['statements']) ? doc['statements'] : [];
  statements.forEach((s, i) => {
    if (isObj(s)) repairStatement(s, `/statements/${i}`, warn);
  });
  if (doc['timestamp'] === undefined) {
    const times = statements
      .map((s) => (isObj(s) ? s['timestamp'] : undefined))
      .filter((t): t is string => typeof t === 'string')
      .sort();
    const newest = times[times.length - 1];
    if (newest !== undefined) {
      warn('/timestamp', `no document timestamp: read as the newest statement's, ${newest}`);
      doc['timestamp'] = newest;
    }
  }
  return { data: doc, warnings };
}

function repairStatement(s: Json, at: string, warn: (p: string, m: string) => void): void {
  const legacySubcomponents = s['subcomponents'];
  for (const k of Object.keys(s)) {
    if (!STATEMENT_MEMBERS.has(k)) {
      if (k !== 'subcomponents')
        warn(`${at}/${pointerSegment(k)}`, `member ${k} is not OpenVEX 0.2: dropped`);
      delete s[k];
    }
  }
  if (typeof s['vulnerability'] === 'string') {
    warn(`${at}/vulnerability`, 'OpenVEX 0.0.1 vulnerability string: read as {"name": …}');
    s['vulnerability'] = { name: s['vulnerability'] };
  }
  const subs = Array.isArray(legacySubcomponents)
    ? legacySubcomponents
        .filter((x): x is string => typeof x === 'string')
        .map((id) => ({ '@id': id }))
    : [];
  if (subs.length > 0)
    warn(`${at}/subcomponents`, 'OpenVEX 0.0.1 statement subcomponents: moved into each product');
  if (Array.isArray(s['products'])) {
    s['products'] = s['products'].map((p, j) => {
      if (typeof p !== 'string') return p;
      // A string that is no IRI ("nginx", an image reference) names the product.
      const id = isIri(p) ? p : `${PRODUCT_URN}name:${encodeURIComponent(p)}`;
      warn(
        `${at}/products/${j}`,
        `OpenVEX 0.0.1 product string: read as {"@id": ${JSON.stringify(id)}}`,
      );
      return subs.length > 0 ? { '@id': id, subcomponents: subs } : { '@id': id };
    });
  }
}

// A JSON pointer segment (RFC 6901).
function pointerSegment(k: string): string {
  return k.replace(/~/g, '~0').replace(/\//g, '~1');
}
