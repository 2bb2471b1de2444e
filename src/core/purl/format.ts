import { CoreError } from '../errors.js';
import {
  type CanonicalPurl,
  canonicalize,
  checkNamespace,
  checkQualifierKey,
  checkType,
  checkWhole,
  component,
  sortQualifiers,
} from './canonical.js';
import { percentEncode } from './encoding.js';
import type { PurlParts } from './parts.js';
import { type TypeRule, typeRule } from './type-rules.js';

/**
 * Build the canonical purl string for `parts` (purl spec "how to build"): the type lowercased,
 * the type definition's normalisation applied (case folding, pypi `_`→`-`, …), empty and `.`/`..`
 * segments dropped, qualifier keys lowercased and sorted, empty qualifier values dropped, every
 * component percent-encoded as the spec requires.
 *
 * @throws CoreError PURL_INVALID when a part breaks the spec or the type's definition (no name, a
 *   namespace the type requires or prohibits, a required qualifier missing, a bad qualifier key…).
 * @example formatPurl({ type: 'npm', namespace: '@babel', name: 'core', version: '7.0.0' })
 *   // 'pkg:npm/%40babel/core@7.0.0'
 */
export function formatPurl(parts: PurlParts): string {
  // One pass, no intermediate CanonicalPurl: this runs once per component of every SBOM. It
  // applies the same rules as canonicalPartsOf + serializePurl (a property test holds them equal).
  const { type, rule, prefix } = typeEntry(parts.type);
  const qualifiers = qualifierPairs(parts.qualifiers);
  let out = prefix;
  let host = '';
  const ns = optionalString(parts.namespace, 'namespace');
  if (ns !== undefined && ns !== '') {
    const segs = ns.indexOf('/') < 0 ? [ns] : ns.split('/').filter((x) => x !== '');
    for (let i = 0; i < segs.length; i++) {
      segs[i] = component(segs[i] as string, rule.namespace, type, 'namespace');
    }
    checkNamespace(segs, rule);
    host = segs.join('/');
    for (const seg of segs) out += `${percentEncode(seg)}/`;
  } else {
    checkNamespace(NONE, rule);
  }
  out += encodedName(parts.name, rule, qualifiers, host);
  const version = optionalString(parts.version, 'version');
  if (version !== undefined && version !== '') {
    const v = checkWhole(
      component(version, rule.version, type, 'version'),
      rule.version,
      type,
      'version',
    );
    out += `@${percentEncode(v)}`;
  }
  for (const key of rule.requiredQualifiers) {
    if (!qualifiers.some(([k]) => k === key)) {
      throw new CoreError('PURL_INVALID', `a ${type} purl needs the qualifier "${key}"`);
    }
  }
  let sep = '?';
  for (const [k, v] of qualifiers) {
    out += `${sep}${k}=${percentEncode(v)}`;
    sep = '&';
  }
  const subpath = segments(parts.subpath, 'subpath', true);
  if (subpath.length > 0) {
    sep = '#';
    for (const seg of subpath) {
      out += `${sep}${percentEncode(component(seg, rule.subpath, type, 'subpath'))}`;
      sep = '/';
    }
  }
  return out;
}

/**
 * Canonical components of built parts, through the same canonicalize() as the parser. The
 * reference for formatPurl's single pass (formatPurl(p) === serializePurl(canonicalPartsOf(p))).
 */
export function canonicalPartsOf(parts: PurlParts): CanonicalPurl {
  const type = checkType(parts.type);
  return canonicalize({
    type,
    namespace: segments(parts.namespace, 'namespace'),
    name: nameSegments(parts.name, type),
    version: optionalString(parts.version, 'version'),
    qualifiers: qualifierPairs(parts.qualifiers),
    subpath: segments(parts.subpath, 'subpath', true),
  });
}

/** Encode canonical components as the purl string. */
export function serializePurl(c: CanonicalPurl): string {
  let out = `pkg:${c.type}/`;
  for (const s of c.namespace) out += `${percentEncode(s)}/`;
  out +=
    c.name.length === 1 ? percentEncode(c.name[0] as string) : c.name.map(percentEncode).join('/');
  if (c.version !== undefined) out += `@${percentEncode(c.version)}`;
  if (c.qualifiers.length > 0) {
    let sep = '?';
    for (const [k, v] of c.qualifiers) {
      out += `${sep}${k}=${percentEncode(v)}`;
      sep = '&';
    }
  }
  if (c.subpath.length > 0) out += `#${c.subpath.map(percentEncode).join('/')}`;
  return out;
}

const NONE: readonly string[] = [];

interface TypeEntry {
  readonly type: string;
  readonly rule: TypeRule;
  /** `pkg:<type>/` */
  readonly prefix: string;
}
// Checked types by the spelling callers use; bounded so odd input cannot grow it forever.
const typeEntries = new Map<unknown, TypeEntry>();

function typeEntry(raw: unknown): TypeEntry {
  let e = typeEntries.get(raw);
  if (e === undefined) {
    const type = checkType(raw);
    e = { type, rule: typeRule(type), prefix: `pkg:${type}/` };
    if (typeEntries.size < 1024) typeEntries.set(raw, e);
  }
  return e;
}

// The encoded name: stripped of leading and trailing '/', folded, checked. Types whose name is a
// path (git) keep its segments; for the others a '/' inside the name is data and gets encoded.
function encodedName(
  value: unknown,
  rule: TypeRule,
  qualifiers: readonly (readonly [string, string])[],
  namespace: string,
): string {
  const t = rule.type;
  const segs = nameSegments(value, t);
  if (segs.length === 0) throw new CoreError('PURL_INVALID', `a ${t} purl needs a name`);
  const fold =
    rule.nameFoldFor?.((key) => qualifiers.find(([k]) => k === key)?.[1], namespace) === true;
  let whole = '';
  let out = '';
  for (let i = 0; i < segs.length; i++) {
    let n = component(segs[i] as string, rule.name, t, 'name');
    if (fold) n = n.toLowerCase();
    if (n === '') throw new CoreError('PURL_INVALID', `a ${t} purl needs a name`);
    whole = i === 0 ? n : `${whole}/${n}`;
    out = i === 0 ? percentEncode(n) : `${out}/${percentEncode(n)}`;
  }
  checkWhole(whole, rule.name, t, 'name');
  return out;
}
const NO_PAIRS: readonly (readonly [string, string])[] = [];

// Split on '/', dropping empty segments (and '.'/'..' in a subpath, which has no parent).
function segments(value: unknown, what: string, dots = false): readonly string[] {
  const s = optionalString(value, what);
  if (s === undefined || s === '') return NONE;
  if (s.indexOf('/') < 0) return dots && (s === '.' || s === '..') ? NONE : [s];
  return s.split('/').filter((x) => x !== '' && !(dots && (x === '.' || x === '..')));
}

// The name, stripped of leading and trailing '/'. Types whose name is a path (git) keep its
// segments; for the others a '/' inside the name is data and gets encoded.
function nameSegments(value: unknown, type: string): readonly string[] {
  if (typeof value !== 'string' || value === '') {
    throw new CoreError('PURL_INVALID', `a ${type} purl needs a name`);
  }
  if (typeRule(type).namespaceSegments > 0) return segments(value, 'name');
  let name = value;
  if (name.startsWith('/') || name.endsWith('/')) name = name.replace(/^\/+|\/+$/g, '');
  return name === '' ? NONE : [name];
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new CoreError('PURL_INVALID', `a purl ${what} must be a string`);
  return value;
}

function qualifierPairs(
  q: Readonly<Record<string, string>> | undefined,
): readonly (readonly [string, string])[] {
  if (q === undefined || q === null) return NO_PAIRS;
  const pairs: [string, string][] = [];
  for (const key of Object.keys(q)) {
    const value: unknown = q[key];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') {
      throw new CoreError('PURL_INVALID', `the qualifier "${key}" must have a string value`);
    }
    const k = key.toLowerCase();
    checkQualifierKey(k);
    pairs.push([k, value]);
  }
  return sortQualifiers(pairs);
}
