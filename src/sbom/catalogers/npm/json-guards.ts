/** Small guards for untrusted JSON/YAML values: lockfiles may hold any type in any field. */

export type Json = Record<string, unknown>;

export function asRecord(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Scalars YAML may have typed (versions like `1.0` parse as numbers) read back as text. */
export function asText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** The keys of a `{ name: range }` map, or none. */
export function keysOf(v: unknown): string[] {
  const r = asRecord(v);
  return r ? Object.keys(r) : [];
}

/** The posix directory of a path relative to the scan root ('' for the root). */
export function dirOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '' : path.slice(0, i);
}

/** Join posix path parts relative to the scan root, resolving `.` and `..` segments. */
export function joinPath(...parts: string[]): string {
  const out: string[] = [];
  for (const part of parts) {
    for (const seg of part.split('/')) {
      if (seg === '' || seg === '.') continue;
      if (seg === '..') out.pop();
      else out.push(seg);
    }
  }
  return out.join('/');
}
