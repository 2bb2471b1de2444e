/**
 * JSON Canonicalization Scheme (RFC 8785): keys sorted by UTF-16 code units, no whitespace,
 * numbers in ECMAScript shortest form (which JSON.stringify already produces). Used before hashing
 * or signing a document, and for reproducible output.
 */
export function canonicalize(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) {
      throw new TypeError('canonical JSON cannot hold NaN or Infinity');
    }
    // undefined at top level has no JSON form; callers pass documents, never undefined.
    return JSON.stringify(value) ?? 'null';
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (v === undefined ? 'null' : canonicalize(v))).join(',')}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalize(obj[k])}`).join(',')}}`;
}
