import { CoreError } from '../errors.js';
import { type ComponentRule, type TypeRule, typeRule } from './type-rules.js';

/**
 * Decoded purl components after the generic rules (type checked and lowercased, empty segments
 * dropped, qualifier keys valid and unique, empty values dropped), before the type's rules.
 */
export interface DecodedPurl {
  readonly type: string;
  readonly namespace: readonly string[];
  /** The name's segments: one, except for types whose name is a path (git). */
  readonly name: readonly string[];
  readonly version: string | undefined;
  /** Sorted by key. */
  readonly qualifiers: readonly (readonly [string, string])[];
  readonly subpath: readonly string[];
}

/** The same components in canonical form, each segment still decoded. */
export interface CanonicalPurl extends DecodedPurl {
  readonly rule: TypeRule;
}

// purl spec §5.6.2: letters, digits, '.', '-'; starts with a letter.
const TYPE_RE = /^[A-Za-z][A-Za-z0-9.-]*$/;
// purl spec §5.6.6: lowercase letters, digits, '.', '-', '_'; starts with a letter.
const KEY_RE = /^[a-z][a-z0-9._-]*$/;

/** Check a type and return it lowercased. @throws CoreError PURL_INVALID */
export function checkType(type: unknown): string {
  if (typeof type !== 'string' || type === '') {
    throw new CoreError('PURL_INVALID', 'a purl needs a type (pkg:<type>/<name>)');
  }
  if (!TYPE_RE.test(type)) {
    throw new CoreError(
      'PURL_INVALID',
      `the purl type "${type}" is invalid: it must start with a letter and hold only letters, digits, "." and "-"`,
    );
  }
  return type.toLowerCase();
}

/** Check a qualifier key that is already lowercase. @throws CoreError PURL_INVALID */
export function checkQualifierKey(key: string): void {
  if (!KEY_RE.test(key)) {
    throw new CoreError(
      'PURL_INVALID',
      `the qualifier key "${key}" is invalid: it must start with a letter and hold only lowercase letters, digits, ".", "-" and "_"`,
    );
  }
}

/**
 * Apply the type's rules (registered type definitions plus the spec's generic rules): case
 * folding, rewrites, permitted characters, namespace requirement, required qualifiers.
 * @throws CoreError PURL_INVALID naming the component and the rule it breaks.
 */
export function canonicalize(p: DecodedPurl): CanonicalPurl {
  const rule = typeRule(p.type);
  const t = p.type;
  const namespace = p.namespace.map((s) => component(s, rule.namespace, t, 'namespace'));
  checkNamespace(namespace, rule);
  const nameFold =
    rule.nameFoldFor?.((key) => p.qualifiers.find(([k]) => k === key)?.[1], namespace.join('/')) ===
    true;
  const name = p.name.map((s) => {
    const n = component(s, rule.name, t, 'name');
    return nameFold ? n.toLowerCase() : n;
  });
  if (name.length === 0 || name.some((s) => s === '')) {
    throw new CoreError('PURL_INVALID', `a ${t} purl needs a name`);
  }
  checkWhole(name.join('/'), rule.name, t, 'name');
  const version =
    p.version === undefined || p.version === ''
      ? undefined
      : checkWhole(component(p.version, rule.version, t, 'version'), rule.version, t, 'version');
  for (const key of rule.requiredQualifiers) {
    if (!p.qualifiers.some(([k]) => k === key)) {
      throw new CoreError('PURL_INVALID', `a ${t} purl needs the qualifier "${key}"`);
    }
  }
  const subpath = p.subpath.map((s) => component(s, rule.subpath, t, 'subpath'));
  return { rule, type: t, namespace, name, version, qualifiers: p.qualifiers, subpath };
}

/**
 * Sort qualifier pairs by key (the canonical order), reject duplicates, drop empty values.
 * `pairs` hold lowercase, checked keys. @throws CoreError PURL_INVALID on a repeated key.
 */
export function sortQualifiers(pairs: [string, string][]): readonly (readonly [string, string])[] {
  const kept = pairs.filter(([, v]) => v !== '');
  if (kept.length < 2) return kept;
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 1; i < kept.length; i++) {
    const key = (kept[i] as [string, string])[0];
    if (key === (kept[i - 1] as [string, string])[0]) {
      throw new CoreError('PURL_INVALID', `the qualifier "${key}" appears more than once`);
    }
  }
  return kept;
}

/** Fold and rewrite one segment; check the substrings its type forbids. */
export function component(s: string, r: ComponentRule, type: string, what: string): string {
  let v = r.fold === 'lower' ? s.toLowerCase() : r.fold === 'upper' ? s.toUpperCase() : s;
  if (r.rewrite !== undefined) v = r.rewrite(v);
  for (const bad of r.forbidden) {
    if (v.includes(bad)) {
      throw new CoreError('PURL_INVALID', `a ${type} ${what} must not contain "${bad}": "${v}"`);
    }
  }
  return v;
}

/** Check a whole component against the type's permitted characters. */
export function checkWhole(v: string, r: ComponentRule, type: string, what: string): string {
  if (r.permitted !== undefined && !r.permitted.re.test(v)) {
    throw new CoreError(
      'PURL_INVALID',
      `the ${type} ${what} "${v}" does not match the permitted characters ${r.permitted.source}`,
    );
  }
  return v;
}

/** Check the namespace requirement, segment count and permitted characters. */
export function checkNamespace(namespace: readonly string[], rule: TypeRule): void {
  const t = rule.type;
  if (rule.namespaceRequirement === 'required' && namespace.length === 0) {
    throw new CoreError('PURL_INVALID', `a ${t} purl needs a namespace`);
  }
  if (rule.namespaceRequirement === 'prohibited' && namespace.length > 0) {
    throw new CoreError(
      'PURL_INVALID',
      `a ${t} purl has no namespace, but "${namespace.join('/')}" was given`,
    );
  }
  const max = rule.namespaceSegments > 0 ? rule.namespaceSegments : rule.maxNamespaceSegments;
  if (namespace.length > max) {
    throw new CoreError(
      'PURL_INVALID',
      `a ${t} namespace has at most ${max} segment${max === 1 ? '' : 's'}, but "${namespace.join('/')}" has ${namespace.length}`,
    );
  }
  if (rule.namespace.permitted !== undefined) {
    for (const s of namespace) checkWhole(s, rule.namespace, t, 'namespace');
  }
}
