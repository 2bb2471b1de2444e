import { parsePurl } from '../../core/index.js';
import type { Component, ComponentType, Hash, SbomDocument } from '../../sbom/index.js';

import { SPDX_TO_MODEL_ALG as ALGORITHMS } from './checksum.js';

type Json = Record<string, unknown>;

const PURPOSES: Readonly<Record<string, ComponentType>> = {
  LIBRARY: 'library',
  APPLICATION: 'application',
  FRAMEWORK: 'framework',
  'OPERATING-SYSTEM': 'operating-system',
  CONTAINER: 'container',
  FILE: 'file',
};

/** `X DEPENDS_ON Y`: X depends on Y. */
const DEPENDS_ON = new Set(['DEPENDS_ON']);
/** `X <kind>_OF Y`: Y depends on X; the value is the scope it implies for X, if any. */
const DEPENDENCY_OF: Readonly<Record<string, Component['scope'] | undefined>> = {
  DEPENDENCY_OF: undefined,
  RUNTIME_DEPENDENCY_OF: 'required',
  BUILD_DEPENDENCY_OF: 'dev',
  DEV_DEPENDENCY_OF: 'dev',
  TEST_DEPENDENCY_OF: 'dev',
  OPTIONAL_DEPENDENCY_OF: 'optional',
  PROVIDED_DEPENDENCY_OF: undefined,
};

/** Top-level SPDX members the neutral model does not hold. */
const UNMAPPED_TOP = [
  'files',
  'snippets',
  'annotations',
  'hasExtractedLicensingInfos',
  'externalDocumentRefs',
  'revieweds',
  'comment',
];

/** Package members the model holds (others are listed in `unmapped`). */
const MAPPED = new Set([
  'SPDXID',
  'name',
  'versionInfo',
  'checksums',
  'licenseConcluded',
  'licenseDeclared',
  'supplier',
  'originator',
  'description',
  'summary',
  'primaryPackagePurpose',
]);

/**
 * SPDX 2.2/2.3 in its JSON shape (JSON, YAML, or tag-value read by parseSpdxTagValue) → the
 * neutral model. Packages become components; the package the document DESCRIBES becomes the
 * subject (and leaves the component list, as CycloneDX keeps metadata.component apart);
 * dependency relationships become `dependsOn`. Licences keep NOASSERTION/NONE verbatim so
 * quality checks can flag them. Members are read defensively: the input need not be valid.
 */
export function spdxToModel(spdx: Json, specVersion: string): SbomDocument {
  const unmapped: string[] = [];
  const byId = new Map<string, Component>();
  const order: Component[] = [];
  arr(spdx['packages']).forEach((raw, i) => {
    const p = obj(raw);
    if (!p) return;
    const comp = packageToComponent(p, i, unmapped);
    if (!byId.has(comp.ref)) byId.set(comp.ref, comp);
    order.push(comp);
  });
  const { subjectId, hasDependencyGraph } = applyRelationships(spdx, byId, unmapped);
  const subject = subjectId === undefined ? undefined : byId.get(subjectId);
  const info = obj(spdx['creationInfo']) ?? {};
  const doc: SbomDocument = {
    format: 'spdx',
    specVersion,
    tools: [],
    authors: [],
    components: order.filter((c) => c !== subject),
    hasDependencyGraph,
    properties: {},
    unmapped,
  };
  for (const creator of arr(info['creators'])) {
    if (typeof creator !== 'string') continue;
    const m = /^\s*(Tool|Person|Organization)\s*:\s*(.*)$/.exec(creator);
    if (m?.[1] === 'Tool') doc.tools.push(splitTool(m[2] ?? ''));
    else doc.authors.push(agentName(m?.[2] ?? creator));
  }
  const namespace = str(spdx['documentNamespace']);
  if (namespace !== undefined) doc.serialNumber = namespace;
  const name = str(spdx['name']);
  if (name !== undefined) doc.name = name;
  const created = str(info['created']);
  if (created !== undefined) doc.timestamp = created;
  const listVersion = str(info['licenseListVersion']);
  if (listVersion !== undefined) doc.properties['custody:spdx:licenseListVersion'] = listVersion;
  const dataLicense = str(spdx['dataLicense']);
  if (dataLicense !== undefined) doc.properties['custody:spdx:dataLicense'] = dataLicense;
  if (subject) doc.subject = subject;
  for (const key of UNMAPPED_TOP) if (spdx[key] !== undefined) unmapped.push(`/${key}`);
  return doc;
}

function packageToComponent(p: Json, index: number, unmapped: string[]): Component {
  const pointer = `/packages/${index}`;
  let purl: string | undefined;
  let cpe: string | undefined;
  arr(p['externalRefs']).forEach((raw, j) => {
    const ref = obj(raw);
    const category = str(ref?.['referenceCategory'])?.replace('_', '-');
    const type = str(ref?.['referenceType']);
    const locator = str(ref?.['referenceLocator']);
    if (category === 'PACKAGE-MANAGER' && type === 'purl' && purl === undefined) purl = locator;
    else if (category === 'SECURITY' && /^cpe2[23]Type$/.test(type ?? '') && cpe === undefined) {
      cpe = locator;
    } else unmapped.push(`${pointer}/externalRefs/${j}`);
  });
  const parts = purl === undefined ? undefined : safePurl(purl);
  const purpose = str(p['primaryPackagePurpose']);
  const comp: Component = {
    ref: str(p['SPDXID']) ?? `custody:spdx-package-${index}`,
    type: (purpose !== undefined ? PURPOSES[purpose] : undefined) ?? 'library',
    ecosystem: parts?.type ?? 'generic',
    name: str(p['name']) ?? '',
    hashes: readChecksums(p['checksums']),
    licenses: [],
    dependsOn: [],
  };
  if (parts?.namespace) comp.namespace = parts.namespace;
  const version = str(p['versionInfo']);
  if (version !== undefined) comp.version = version;
  if (purl !== undefined) comp.purl = purl;
  if (cpe !== undefined) comp.cpe = cpe;
  const declared = str(p['licenseDeclared']);
  const concluded = str(p['licenseConcluded']);
  const properties: Record<string, string> = {};
  comp.licenses = licences(declared, concluded);
  if (declared !== undefined) properties['custody:spdx:licenseDeclared'] = declared;
  if (concluded !== undefined) properties['custody:spdx:licenseConcluded'] = concluded;
  const supplier = agent(p['supplier']);
  if (supplier !== undefined) comp.supplier = supplier;
  const originator = agent(p['originator']);
  if (originator !== undefined) comp.author = originator;
  const description = str(p['description']) ?? str(p['summary']);
  if (description !== undefined) comp.description = description;
  if (purpose !== undefined && PURPOSES[purpose] === undefined) {
    properties['custody:spdx:primaryPackagePurpose'] = purpose;
  }
  if (Object.keys(properties).length > 0) comp.properties = properties;
  for (const key of Object.keys(p)) {
    if (!MAPPED.has(key) && key !== 'externalRefs') unmapped.push(`${pointer}/${key}`);
  }
  return comp;
}

// Dependency edges, dev/optional scopes, and the described package (relationships, or the
// deprecated documentDescribes).
function applyRelationships(
  spdx: Json,
  byId: Map<string, Component>,
  unmapped: string[],
): { subjectId: string | undefined; hasDependencyGraph: boolean } {
  const docId = str(spdx['SPDXID']) ?? 'SPDXRef-DOCUMENT';
  let subjectId = arr(spdx['documentDescribes']).find((x): x is string => typeof x === 'string');
  let hasDependencyGraph = false;
  const edge = (from: string, to: string) => {
    const c = byId.get(from);
    if (c && byId.has(to) && !c.dependsOn.includes(to)) c.dependsOn.push(to);
  };
  arr(spdx['relationships']).forEach((raw, i) => {
    const r = obj(raw);
    const a = str(r?.['spdxElementId']);
    const b = str(r?.['relatedSpdxElement']);
    const type = str(r?.['relationshipType']);
    if (a === undefined || b === undefined || type === undefined) return;
    if (type === 'DESCRIBES' && a === docId) subjectId ??= b;
    else if (type === 'DESCRIBED_BY' && b === docId) subjectId ??= a;
    else if (DEPENDS_ON.has(type) || type === 'CONTAINS') {
      if (byId.has(a) && byId.has(b)) hasDependencyGraph = true;
      edge(a, b);
    } else if (type in DEPENDENCY_OF) {
      if (byId.has(a) && byId.has(b)) hasDependencyGraph = true;
      edge(b, a);
      const scope = DEPENDENCY_OF[type];
      const dep = byId.get(a);
      if (dep && scope !== undefined && dep.scope === undefined) dep.scope = scope;
    } else unmapped.push(`/relationships/${i}`);
  });
  return { subjectId, hasDependencyGraph };
}

// Real expressions from declared then concluded; NOASSERTION/NONE only when nothing else is
// known (kept verbatim so quality checks can flag them). Both stay verbatim in properties.
function licences(declared: string | undefined, concluded: string | undefined): string[] {
  const given = [declared, concluded].filter((l): l is string => l !== undefined && l !== '');
  const real = given.filter((l) => l !== 'NOASSERTION' && l !== 'NONE');
  const chosen = real.length > 0 ? real : given.slice(0, 1);
  return [...new Set(chosen)];
}

function readChecksums(v: unknown): Hash[] {
  const out: Hash[] = [];
  for (const raw of arr(v)) {
    const alg = str(obj(raw)?.['algorithm']);
    const value = str(obj(raw)?.['checksumValue']);
    if (alg !== undefined && value !== undefined) {
      out.push({ alg: ALGORITHMS[alg] ?? alg, content: value.toLowerCase() });
    }
  }
  return out;
}

/** `Organization: Acme (ops@acme.test)` → `Acme`; NOASSERTION → undefined. */
function agent(v: unknown): string | undefined {
  const s = str(v);
  if (s === undefined || s === 'NOASSERTION' || s === 'NONE') return undefined;
  const m = /^\s*(?:Person|Organization|Tool)\s*:\s*(.*)$/.exec(s);
  return agentName(m?.[1] ?? s);
}

function agentName(s: string): string {
  return s.replace(/\s*\([^()]*\)\s*$/, '').trim();
}

/** `Tool: syft-1.2.3` / `Tool: npm/cli-11.19.1` → name and version split at the last `-<digit>`. */
function splitTool(s: string): { name: string; version?: string } {
  const m = /^(.*?)-(v?\d[\w.+-]*)$/.exec(s.trim());
  return m?.[1] && m[2] ? { name: m[1], version: m[2] } : { name: s.trim() };
}

function safePurl(purl: string): { type: string; namespace?: string } | undefined {
  try {
    const p = parsePurl(purl);
    return p.namespace === undefined ? { type: p.type } : { type: p.type, namespace: p.namespace };
  } catch {
    return undefined; // kept verbatim; quality checks report invalid purls
  }
}

function obj(v: unknown): Json | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined;
}

function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
