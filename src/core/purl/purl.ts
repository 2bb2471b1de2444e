import { CoreError } from '../errors.js';

/** The parts of a package URL (purl spec, `pkg:type/namespace/name@version?qualifiers#subpath`). */
export interface PurlParts {
  type: string;
  namespace?: string | undefined;
  name: string;
  version?: string | undefined;
  qualifiers?: Readonly<Record<string, string>> | undefined;
  subpath?: string | undefined;
}

/**
 * Build the canonical purl string for `parts`, applying the type's normalisation rules.
 * @throws CoreError PURL_INVALID when a required part is missing.
 */
export function formatPurl(parts: PurlParts): string {
  const type = parts.type.toLowerCase();
  if (!parts.name) throw new CoreError('PURL_INVALID', `a ${type} purl needs a name`);
  let s = `pkg:${type}/`;
  if (parts.namespace) {
    s += `${parts.namespace
      .split('/')
      .filter((seg) => seg !== '')
      .map(encode)
      .join('/')}/`;
  }
  s += encode(parts.name);
  if (parts.version) s += `@${encode(parts.version)}`;
  const q = Object.entries(parts.qualifiers ?? {})
    .filter(([, v]) => v !== '')
    .map(([k, v]) => [k.toLowerCase(), v] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (q.length > 0) s += `?${q.map(([k, v]) => `${k}=${encode(v)}`).join('&')}`;
  if (parts.subpath) {
    const segs = parts.subpath
      .split('/')
      .filter((seg) => seg !== '' && seg !== '.' && seg !== '..');
    if (segs.length > 0) s += `#${segs.map(encode).join('/')}`;
  }
  return s;
}

/**
 * Parse a purl string into its decoded parts.
 * @throws CoreError PURL_INVALID
 */
export function parsePurl(purl: string): PurlParts {
  const m = /^pkg:\/*([A-Za-z.+-][A-Za-z0-9.+-]*)\/([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/.exec(purl);
  if (!m?.[1] || m[2] === undefined) {
    throw new CoreError('PURL_INVALID', `"${purl}" is not a package URL (pkg:type/name@version)`);
  }
  let path = m[2].replace(/\/+$/, '');
  let version: string | undefined;
  const at = path.lastIndexOf('@');
  if (at > path.lastIndexOf('/')) {
    version = decode(path.slice(at + 1));
    path = path.slice(0, at);
  }
  const segs = path.split('/').filter((x) => x !== '');
  const name = segs.pop();
  if (!name) throw new CoreError('PURL_INVALID', `"${purl}" has no name`);
  const qualifiers: Record<string, string> = {};
  for (const kv of (m[3] ?? '').split('&')) {
    if (!kv) continue;
    const eq = kv.indexOf('=');
    if (eq > 0) qualifiers[kv.slice(0, eq).toLowerCase()] = decode(kv.slice(eq + 1));
  }
  return {
    type: m[1].toLowerCase(),
    namespace: segs.length > 0 ? segs.map(decode).join('/') : undefined,
    name: decode(name),
    version,
    qualifiers: Object.keys(qualifiers).length > 0 ? qualifiers : undefined,
    subpath: m[4] ? m[4].split('/').filter(Boolean).map(decode).join('/') : undefined,
  };
}

function encode(s: string): string {
  return encodeURIComponent(s).replace(/%3A/gi, ':');
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new CoreError('PURL_INVALID', `"${s}" has a malformed percent-encoding`);
  }
}
