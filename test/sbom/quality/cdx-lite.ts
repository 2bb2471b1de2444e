import type { Component, ComponentType, Hash, SbomDocument } from '../../../src/sbom/model.js';

type J = Record<string, unknown>;

/**
 * A minimal CycloneDX JSON → SbomDocument reader for tests over the real samples, until the formats
 * layer's parseSbom is available. Reads only what quality, align and diff look at.
 */
export function readCycloneDxLite(json: unknown): SbomDocument {
  const bom = json as J;
  const meta = obj(bom, 'metadata');
  const components: Component[] = [];
  const walk = (list: J[]) => {
    for (const c of list) {
      components.push(toComponent(c));
      walk(arr(c, 'components'));
    }
  };
  walk(arr(bom, 'components'));
  const byRef = new Map(components.map((c) => [c.ref, c]));
  const subject = get(meta, 'component') ? toComponent(obj(meta, 'component')) : undefined;
  for (const d of arr(bom, 'dependencies')) {
    const ref = str(d, 'ref');
    const target = ref === subject?.ref ? subject : byRef.get(ref ?? '');
    if (target) target.dependsOn = (get(d, 'dependsOn') as string[] | undefined) ?? [];
  }
  const tools = Array.isArray(get(meta, 'tools'))
    ? arr(meta, 'tools')
    : arr(obj(meta, 'tools'), 'components');
  const out: SbomDocument = {
    format: 'cyclonedx',
    specVersion: str(bom, 'specVersion') ?? '',
    tools: tools.map((t) => {
      const version = str(t, 'version');
      return version ? { name: str(t, 'name') ?? '', version } : { name: str(t, 'name') ?? '' };
    }),
    authors: arr(meta, 'authors').map((a) => str(a, 'name') ?? str(a, 'email') ?? ''),
    components,
    hasDependencyGraph: Array.isArray(get(bom, 'dependencies')),
    properties: {},
    unmapped: [],
  };
  const ts = str(meta, 'timestamp');
  if (ts) out.timestamp = ts;
  if (subject) out.subject = subject;
  return out;
}

function toComponent(c: J): Component {
  const purl = str(c, 'purl');
  const out: Component = {
    ref: str(c, 'bom-ref') ?? purl ?? str(c, 'name') ?? '',
    type: (str(c, 'type') ?? 'library') as ComponentType,
    ecosystem: /^pkg:([^/]+)/.exec(purl ?? '')?.[1] ?? 'generic',
    name: str(c, 'name') ?? '',
    hashes: arr(c, 'hashes').map(
      (h): Hash => ({ alg: str(h, 'alg') ?? '', content: (str(h, 'content') ?? '').toLowerCase() }),
    ),
    licenses: arr(c, 'licenses').map((l) => {
      const lic = obj(l, 'license');
      return str(l, 'expression') ?? str(lic, 'id') ?? str(lic, 'name') ?? '';
    }),
    dependsOn: [],
  };
  const set = (
    k: 'namespace' | 'version' | 'purl' | 'cpe' | 'author' | 'supplier',
    v: string | undefined,
  ) => {
    if (v) out[k] = v;
  };
  set('namespace', str(c, 'group'));
  set('version', str(c, 'version'));
  set('purl', purl);
  set('cpe', str(c, 'cpe'));
  set('supplier', str(obj(c, 'supplier'), 'name'));
  set('author', str(c, 'author') ?? str(c, 'publisher'));
  return out;
}

function get(o: J, k: string): unknown {
  return o[k];
}

function obj(o: J, k: string): J {
  const v = o[k];
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as J) : {};
}

function arr(o: J, k: string): J[] {
  const v = o[k];
  return Array.isArray(v) ? (v as J[]) : [];
}

function str(o: J, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' ? v : undefined;
}
