/**
 * What the precompiled schema validators (`*.generated.ts`, written by scripts/gen-validators.mjs)
 * call at run time: ajv's own helpers, the formats the schemas name, and a linear-time
 * `uniqueItems`. The generator compiles against these same functions, so generated code and
 * runtime always agree.
 */
import ajvUcs2length from 'ajv/dist/runtime/ucs2length.js';
import { fullFormats } from 'ajv-formats/dist/formats.js';

/**
 * Deep JSON equality, for `const`/`enum`/`uniqueItems`: what fast-deep-equal (ajv's default)
 * answers for JSON values, without its calls to a member's own `valueOf`/`toString`, which throw
 * a TypeError on untrusted JSON holding, say, `{"toString": false}` (found by fuzzing the VEX
 * readers).
 */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    return Number.isNaN(a) && Number.isNaN(b);
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equal(a[i], b[i])) return false;
    return true;
  }
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  for (const k of ka) if (!Object.hasOwn(rb, k) || !equal(ra[k], rb[k])) return false;
  return true;
}

/** String length in code points, as JSON Schema counts `minLength`/`maxLength`. */
export const ucs2length: (s: string) => number = ajvUcs2length.default;

/**
 * Formats as ajv-formats' "full" mode checks them (what CycloneDX's own validator uses), plus the
 * three it lacks: `iri` (OpenVEX's ids: an absolute IRI, see isIri), `iri-reference` (accepted as any string, exactly as @cyclonedx/cyclonedx-library
 * does) and `idn-email` (internationalised address: local part and domain, see isIdnEmail).
 */
export const formats: Record<string, unknown> = {
  ...fullFormats,
  iri: isIri,
  'iri-reference': true,
  'idn-email': isIdnEmail,
};

/**
 * Indices `[j, i]` (j < i) of the first pair of deep-equal items, or undefined when all are
 * distinct. ajv's own `uniqueItems` compares every pair of object items (O(n²): minutes for a
 * 50,000-component SBOM); here long arrays are bucketed by a hash that equal items always share
 * (order-independent over an object's scalar members), and only items in one bucket are compared.
 */
export function findDuplicate(items: readonly unknown[]): [number, number] | undefined {
  const n = items.length;
  if (n < 2) return undefined;
  if (n <= 8) {
    for (let i = 1; i < n; i++)
      for (let j = 0; j < i; j++) if (equal(items[j], items[i])) return [j, i];
    return undefined;
  }
  const buckets = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const item = items[i];
    const key = bucketHash(item);
    const bucket = buckets.get(key);
    if (bucket === undefined) {
      buckets.set(key, [i]);
      continue;
    }
    for (const j of bucket) if (equal(items[j], item)) return [j, i];
    bucket.push(i);
  }
  return undefined;
}

// Equal JSON values hash alike: scalars by type and value; objects by the sum of their scalar
// members' hashes (a sum does not depend on key order; nested values are left to `equal`).
function bucketHash(v: unknown): number {
  if (v === null || typeof v !== 'object') return scalarHash(v);
  if (Array.isArray(v)) return v.length;
  let h = 0;
  const o = v as Record<string, unknown>;
  for (const k in o) {
    const x = o[k];
    h =
      (h +
        Math.imul(stringHash(k), 31) +
        (x !== null && typeof x === 'object' ? 7 : scalarHash(x))) |
      0;
  }
  return h;
}

function scalarHash(v: unknown): number {
  return typeof v === 'string' ? stringHash(v) : stringHash(`${typeof v}:${String(v)}`);
}

// FNV-1a over UTF-16 code units.
function stringHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h;
}

// RFC 6531 address, checked structurally: a dot-atom or quoted local part (any non-ASCII letters
// allowed), `@`, and a domain of dot-separated labels or an address literal. The
// ajv-formats-draft2019 package that CycloneDX's validator uses parses the full SMTP grammar;
// this accepts the same well-formed addresses without that dependency.
const LOCAL_ATOM = /^[^\s"(),.:;<>@[\\\]\p{Cc}]+(\.[^\s"(),.:;<>@[\\\]\p{Cc}]+)*$/u;
const LOCAL_QUOTED = /^"([^"\\\p{Cc}]|\\[\u0020-\u007e])*"$/u;
const DOMAIN =
  /^[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]{0,62}[\p{L}\p{N}\p{M}])?(?:\.[\p{L}\p{N}](?:[\p{L}\p{N}\p{M}-]{0,62}[\p{L}\p{N}\p{M}])?)*$/u;
const LITERAL = /^\[[^[\]\\\s]+\]$/u;

export function isIdnEmail(s: string): boolean {
  const at = s.lastIndexOf('@');
  if (at <= 0 || at === s.length - 1 || s.length > 320) return false;
  const local = s.slice(0, at);
  const domain = s.slice(at + 1);
  return (
    (LOCAL_ATOM.test(local) || LOCAL_QUOTED.test(local)) &&
    (DOMAIN.test(domain) || LITERAL.test(domain))
  );
}

/**
 * An absolute IRI (RFC 3987): a scheme, a colon, and no whitespace or characters IRIs exclude.
 * Checked this far only (as for iri-reference, no JavaScript IRI parser is at hand): a purl, a
 * URN or a URL passes; a bare name such as "nginx" does not.
 */
export function isIri(s: string): boolean {
  return /^[A-Za-z][A-Za-z0-9+.-]*:[^\s<>"{}|\\^`]+$/u.test(s);
}
