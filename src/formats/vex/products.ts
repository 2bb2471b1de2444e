/**
 * Product identity helpers shared by the VEX formats: a purl's version split off and put back
 * (as text, so a round trip keeps the purl byte for byte), and Custody's encodings of what
 * OpenVEX cannot say natively (a version range, a product known by no purl or IRI).
 */
import type { VexProduct } from './model.js';

/** A purl split at its version: `base` (pkg:type/ns/name), `version` (decoded), `tail` (?qualifiers#subpath). */
export interface PurlSplit {
  base: string;
  version?: string;
  tail: string;
}

export function splitPurl(purl: string): PurlSplit {
  const cut = purl.search(/[?#]/);
  const head = cut < 0 ? purl : purl.slice(0, cut);
  const tail = cut < 0 ? '' : purl.slice(cut);
  const at = head.lastIndexOf('@');
  // An '@' before the last '/' belongs to the namespace (an npm scope written unencoded).
  if (at < 0 || at < head.lastIndexOf('/')) return { base: head, tail };
  return { base: head.slice(0, at), version: safeDecode(head.slice(at + 1)), tail };
}

export function purlWithVersion(purl: string, version: string | undefined): string {
  const s = splitPurl(purl);
  return version === undefined ? s.base + s.tail : `${s.base}@${encodeVersion(version)}${s.tail}`;
}

export function purlVersion(purl: string): string | undefined {
  return splitPurl(purl).version;
}

/** Version text in a purl: percent-encoded except the characters versions commonly hold. */
function encodeVersion(v: string): string {
  return encodeURIComponent(v).replace(/%3A/gi, ':').replace(/%2B/gi, '+');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** A purl's name (the last path segment, decoded): what a product is called when nothing else names it. */
export function purlName(purl: string): string {
  const base = splitPurl(purl).base;
  return safeDecode(base.slice(base.lastIndexOf('/') + 1)) || purl;
}

/** The `vers` qualifier: Custody's way to put a version range on an OpenVEX product purl. */
export const VERS_QUALIFIER = 'vers';

export function purlWithRange(purl: string, range: string): string {
  const s = splitPurl(purl);
  const [query = '', subpath] = s.tail.replace(/^\?/, '').split('#', 2) as [string?, string?];
  const pairs = query === '' ? [] : query.split('&');
  pairs.push(`${VERS_QUALIFIER}=${encodeURIComponent(range)}`);
  pairs.sort();
  return `${s.base}?${pairs.join('&')}${subpath === undefined ? '' : `#${subpath}`}`;
}

/** A purl's `vers` qualifier removed, with the range it held. */
export function rangeFromPurl(purl: string): { purl: string; range: string } | undefined {
  const s = splitPurl(purl);
  if (!s.tail.startsWith('?')) return undefined;
  const [query = '', subpath] = s.tail.slice(1).split('#', 2) as [string?, string?];
  const pairs = query.split('&');
  const hit = pairs.findIndex((p) => p.startsWith(`${VERS_QUALIFIER}=`));
  if (hit < 0) return undefined;
  const range = safeDecode((pairs[hit] as string).slice(VERS_QUALIFIER.length + 1));
  pairs.splice(hit, 1);
  const rest = pairs.length > 0 ? `?${pairs.join('&')}` : '';
  const base = s.version === undefined ? s.base : `${s.base}@${encodeVersion(s.version)}`;
  return { purl: `${base}${rest}${subpath === undefined ? '' : `#${subpath}`}`, range };
}

/**
 * A product with no purl, as an OpenVEX @id: `urn:custody:product:<kind>:<value>` with
 * `:version:<v>` or `:vers:<range>` (kinds: ref = CycloneDX bom-ref, csaf = CSAF product id,
 * name, iri), every part percent-encoded. productFromUrn reads it back.
 */
export const PRODUCT_URN = 'urn:custody:product:';
// Order of preference: a name survives every format; ids are each one format's own.
const KINDS = { name: 'name', bomRef: 'ref', csafProductId: 'csaf', iri: 'iri' } as const;

export function productUrn(p: VexProduct, version?: string, range?: string): string | undefined {
  for (const [key, kind] of Object.entries(KINDS)) {
    const v = p.identifiers?.[key];
    if (v === undefined) continue;
    let urn = `${PRODUCT_URN}${kind}:${encodeURIComponent(v)}`;
    if (version !== undefined) urn += `:version:${encodeURIComponent(version)}`;
    if (range !== undefined) urn += `:vers:${encodeURIComponent(range)}`;
    return urn;
  }
  return undefined;
}

export function productFromUrn(urn: string): VexProduct | undefined {
  const m = /^urn:custody:product:(ref|csaf|name|iri):([^:]+)(?::(version|vers):([^:]+))?$/.exec(
    urn,
  );
  if (!m) return undefined;
  const key = (Object.entries(KINDS).find(([, k]) => k === m[1]) as [string, string])[0];
  const p: VexProduct = { identifiers: { [key]: safeDecode(m[2] as string) } };
  if (m[3] === 'version') p.versions = { list: [safeDecode(m[4] as string)] };
  if (m[3] === 'vers') p.versions = { range: safeDecode(m[4] as string) };
  return p;
}

/** A key that says which product (and versions) this is, for grouping and comparing. */
export function productKey(p: VexProduct): string {
  return JSON.stringify([
    p.purl ?? null,
    p.identifiers ?? null,
    p.versions ?? null,
    p.subcomponents ?? null,
  ]);
}

/** `T` with members that may be undefined made optional and never undefined. */
export type Compacted<T> = { [K in keyof T as undefined extends T[K] ? never : K]: T[K] } & {
  [K in keyof T as undefined extends T[K] ? K : never]?: Exclude<T[K], undefined>;
};

/** Drop undefined members (exactOptionalPropertyTypes: absent, never undefined). */
export function compact<T extends object>(o: T): Compacted<T> {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o as Compacted<T>;
}
