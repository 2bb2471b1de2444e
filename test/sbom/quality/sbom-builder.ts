import type { Component, SbomDocument } from '../../../src/sbom/model.js';

/** A SHA-512 digest that looks real (128 hex digits). */
export const SHA512 = 'ab'.repeat(64);

/**
 * An npm component with everything a complete lockfile gives (purl, version, SHA-512, MIT);
 * `over` replaces any field (pass `version: undefined` through `omit` instead).
 */
export function comp(
  name: string,
  version: string | undefined,
  over: Partial<Component> = {},
): Component {
  const purl = version === undefined ? `pkg:npm/${name}` : `pkg:npm/${name}@${version}`;
  const c: Component = {
    ref: purl,
    type: 'library',
    ecosystem: 'npm',
    name,
    purl,
    hashes: [{ alg: 'SHA-512', content: SHA512 }],
    licenses: ['MIT'],
    dependsOn: [],
    ...over,
  };
  if (version !== undefined) c.version = version;
  return c;
}

/** A component without the named optional fields (exactOptionalPropertyTypes forbids `undefined`). */
export function omit<K extends keyof Component>(c: Component, ...keys: K[]): Component {
  const out = { ...c };
  for (const k of keys) delete out[k];
  return out;
}

/** A document around `components`, shaped like what Custody generates from a lockfile. */
export function doc(components: Component[], over: Partial<SbomDocument> = {}): SbomDocument {
  const subject: Component = {
    ref: 'pkg:npm/app@1.0.0',
    type: 'application',
    ecosystem: 'npm',
    name: 'app',
    version: '1.0.0',
    purl: 'pkg:npm/app@1.0.0',
    hashes: [],
    licenses: [],
    dependsOn: components.slice(0, 1).map((c) => c.ref),
  };
  return {
    format: 'cyclonedx',
    specVersion: '1.6',
    version: 1,
    name: 'app',
    timestamp: '2025-01-10T00:00:00Z',
    tools: [{ vendor: 'Custody', name: 'custody', version: '0.1.0' }],
    authors: [],
    subject,
    components,
    hasDependencyGraph: true,
    properties: {},
    unmapped: [],
    ...over,
  };
}

/** The `now` tests measure freshness against: 9 days after `doc()`'s timestamp. */
export const NOW = new Date('2025-01-19T00:00:00Z');

/** A small, complete document: three packages in a chain. */
export function goodDoc(): SbomDocument {
  const c = comp('c', '3.0.0');
  const b = comp('b', '2.0.0', { dependsOn: [c.ref] });
  const a = comp('a', '1.0.0', { dependsOn: [b.ref] });
  return doc([a, b, c]);
}
