import { formatPurl } from '../../../core/index.js';
import type { Hash, Scope } from '../../model.js';
import type { ComponentDraft } from '../lockfile-support.js';

/** purl-spec pypi rule: lower-case, `_` → `-` (formatPurl applies no per-type rules itself). */
export function normalizePypiName(name: string): string {
  return name.trim().toLowerCase().replace(/_/g, '-');
}

/** PEP 503 comparison key (`-`, `_`, `.` runs are one), for resolving edges by name. */
export function pep503Key(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[-_.]+/g, '-');
}

export function pypiDraft(
  name: string,
  version: string | undefined,
  extra: {
    hashes?: Hash[];
    scope?: Scope | undefined;
    description?: string | undefined;
    licenses?: string[];
    author?: string | undefined;
    properties?: Record<string, string>;
  } = {},
): ComponentDraft {
  const norm = normalizePypiName(name);
  const d: ComponentDraft = {
    ecosystem: 'pypi',
    name: norm,
    version: version || undefined,
    purl: formatPurl({ type: 'pypi', name: norm, version: version || undefined }),
    scope: extra.scope,
    description: extra.description,
    author: extra.author,
  };
  if (extra.hashes) d.hashes = extra.hashes;
  if (extra.licenses) d.licenses = extra.licenses;
  if (extra.properties) d.properties = extra.properties;
  return d;
}

/** A PEP 508 requirement split into its parts (no validation of the specifier grammar). */
export interface Pep508 {
  name: string;
  extras: string[];
  /** Version specifier text, e.g. `==1.2`, `>=1,<2`; empty when none. */
  specifier: string;
  /** `name @ url` direct reference. */
  url?: string;
  marker?: string;
}

const NAME = /^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)\s*/;

/**
 * Parse `name[extras] (spec) ; marker` or `name @ url ; marker`. Returns undefined when the text
 * is not a PEP 508 requirement (prose, a path, an option line).
 */
export function parsePep508(text: string): Pep508 | undefined {
  const m = NAME.exec(text);
  if (!m?.[1]) return undefined;
  const name = m[1];
  let rest = text.slice(m[0].length);
  let extras: string[] = [];
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close === -1) return undefined;
    extras = rest
      .slice(1, close)
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
    rest = rest.slice(close + 1).trimStart();
  }
  let marker: string | undefined;
  if (rest.startsWith('@')) {
    const semi = rest.search(/\s;/);
    const url = (semi === -1 ? rest.slice(1) : rest.slice(1, semi)).trim();
    if (semi !== -1) marker = rest.slice(semi + 2).trim();
    return { name, extras, specifier: '', url, ...(marker ? { marker } : {}) };
  }
  const semi = rest.indexOf(';');
  let spec = (semi === -1 ? rest : rest.slice(0, semi)).trim();
  if (semi !== -1) marker = rest.slice(semi + 1).trim();
  if (spec.startsWith('(') && spec.endsWith(')')) spec = spec.slice(1, -1).trim();
  if (spec !== '' && !/^[<>=!~]/.test(spec)) return undefined;
  return { name, extras, specifier: spec, ...(marker ? { marker } : {}) };
}

/** The exact version a specifier pins (`==1.2.3`, `===1.2.3`), or undefined for ranges/wildcards. */
export function pinnedVersion(specifier: string): string | undefined {
  const m = /^===?\s*([^\s,;*]+)$/.exec(specifier.trim());
  return m?.[1];
}
