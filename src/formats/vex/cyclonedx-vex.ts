/**
 * CycloneDX VEX (1.4–1.7 read, 1.4–1.7 written) ⇄ the model: a BOM's `vulnerabilities[]`, each
 * with its `analysis` and `affects[].versions[]` (a version or a vers `range`, each with its
 * own status). Read only after validateVex has passed the document.
 *
 * Statuses: resolved → fixed, resolved_with_pedigree → fixed, exploitable → affected, in_triage →
 * under_investigation, false_positive → not_affected, not_affected → not_affected (the finer
 * term kept as statusDetail). Justifications: the nine onto the five (vocabulary.ts), the
 * original kept as justificationDetail. `analysis.detail` is the impact statement of a
 * not_affected, the action statement of an affected and the status notes otherwise;
 * `recommendation` the action statement (or, beside an affected's detail, the status notes).
 *
 * A vulnerability without `affects` is about the BOM's subject (`metadata.component`).
 * A version entry's own status decides which statement it lands in, so affected and fixed (or
 * unaffected) versions are never merged (seed 001, edge case 2): `affected` → affected,
 * `unknown` → under_investigation, `unaffected` → the analysis's fixed or not_affected (else
 * not_affected); an entry without status takes the analysis's.
 *
 * What the model does not hold: ratings, cwes, source, advisories, credits, tools, proof of
 * concept, workaround, rejected/published/created dates, properties, BOM components beyond the
 * identity of the products the statements name.
 */
import { canonicalize, sha256Hex, uuidV5 } from '../../core/index.js';
import { VexFormatError } from './errors.js';
import type {
  VexDocument,
  VexJustification,
  VexProduct,
  VexResponse,
  VexStatement,
  VexStatus,
} from './model.js';
import { compact, purlName, purlVersion, purlWithVersion } from './products.js';
import {
  CDX_STATE_TO_STATUS,
  CDX_TO_JUSTIFICATION,
  type CdxJustification,
  type CdxState,
  cdxJustificationOf,
  cdxStateOf,
} from './vocabulary.js';
import type { VexWriteContext } from './write-context.js';

type Json = Record<string, unknown>;
/**
 * The objects of an array member. Some CycloneDX schemas give item shapes (`required`,
 * `properties`) without `"type": "object"`, so a schema-valid document can hold an array or a
 * number where an object is meant: such items name nothing and are skipped.
 */
const objs = (v: unknown): Json[] =>
  Array.isArray(v)
    ? v.filter((x): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x))
    : [];
const STATEMENT_VERSION = 'custody:vex:statement-version';

export function cycloneDxToModel(d: Json): VexDocument {
  const components = indexComponents(d);
  const serial = d['serialNumber'] as string | undefined;
  const meta = (d['metadata'] as Json | undefined) ?? {};
  const statements = objs(d['vulnerabilities']).flatMap((v) =>
    vulnerabilityToModel(v, components, serial, meta),
  );
  return compact({
    id: serial ?? `urn:uuid:${uuidV5(sha256Hex(canonicalize(d)))}`,
    author: authorOf(meta),
    timestamp: meta['timestamp'] as string | undefined,
    version: d['version'] === undefined ? undefined : String(d['version']),
    tooling: toolingOf(meta['tools']),
    statements,
  });
}

function authorOf(meta: Json): string | undefined {
  const name = objs(meta['authors']).find((a) => typeof a['name'] === 'string')?.['name'];
  if (typeof name === 'string') return name;
  for (const k of ['supplier', 'manufacturer', 'manufacture']) {
    const n = (meta[k] as Json | undefined)?.['name'];
    if (typeof n === 'string') return n;
  }
  return undefined;
}

function toolingOf(tools: unknown): string | undefined {
  const list = Array.isArray(tools)
    ? objs(tools)
    : objs((tools as Json | undefined)?.['components']);
  const names = list
    .map((o) => [o['name'], o['version']].filter((x) => typeof x === 'string').join(' '))
    .filter((x) => x !== '');
  return names.length > 0 ? names.join(', ') : undefined;
}

function indexComponents(d: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  const add = (c: Json | undefined) => {
    if (c === undefined) return;
    if (typeof c['bom-ref'] === 'string' && !out.has(c['bom-ref'])) out.set(c['bom-ref'], c);
    for (const sub of objs(c['components'])) add(sub);
  };
  add((d['metadata'] as Json | undefined)?.['component'] as Json | undefined);
  for (const c of objs(d['components'])) add(c);
  return out;
}

function resolveRef(
  ref: string,
  components: Map<string, Json>,
  serial: string | undefined,
): Json | undefined {
  const local = components.get(ref);
  if (local !== undefined) return local;
  const m = /^urn:cdx:([^/]+)\/\d+#(.+)$/.exec(ref);
  if (m && serial === `urn:uuid:${m[1]}`) return components.get(decode(m[2] as string));
  return undefined;
}

function vulnerabilityToModel(
  v: Json,
  components: Map<string, Json>,
  serial: string | undefined,
  meta: Json,
): VexStatement[] {
  const a = (v['analysis'] as Json | undefined) ?? {};
  const state = a['state'] as CdxState | undefined;
  const status: VexStatus =
    state === undefined ? 'under_investigation' : CDX_STATE_TO_STATUS[state];
  const byStatus = new Map<VexStatus, VexProduct[]>();
  const push = (s: VexStatus, p: VexProduct) => byStatus.set(s, [...(byStatus.get(s) ?? []), p]);
  // A vulnerability that names no product is about the BOM's subject, when it has one.
  const subject = (meta['component'] as Json | undefined)?.['bom-ref'];
  const affects =
    v['affects'] === undefined
      ? typeof subject === 'string'
        ? [{ ref: subject }]
        : []
      : objs(v['affects']);
  for (const af of affects) {
    const ref = af['ref'];
    if (typeof ref !== 'string') continue;
    const base = productBase(ref, resolveRef(ref, components, serial));
    const versions = objs(af['versions']);
    if (versions.length === 0) {
      push(status, exact(base));
      continue;
    }
    const lists = new Map<VexStatus, string[]>();
    for (const e of versions) {
      const s = versionStatus(e['status'] as string | undefined, status);
      if (typeof e['version'] === 'string') lists.set(s, [...(lists.get(s) ?? []), e['version']]);
      else if (typeof e['range'] === 'string') push(s, withVersions(base, { range: e['range'] }));
    }
    for (const [s, list] of lists) push(s, withVersions(base, { list: [...new Set(list)] }));
  }
  if (byStatus.size === 0) byStatus.set(status, []);
  const aliases = objs(v['references']).flatMap((r) =>
    typeof r['id'] === 'string' ? [r['id']] : [],
  );
  const common = compact({
    vulnerability:
      (v['id'] as string | undefined) ?? (v['bom-ref'] as string | undefined) ?? 'unknown',
    aliases: aliases.length > 0 ? aliases : undefined,
    description: v['description'] as string | undefined,
    timestamp: (a['lastUpdated'] ??
      a['firstIssued'] ??
      v['updated'] ??
      v['published'] ??
      v['created']) as string | undefined,
    version: statementVersion(v),
  });
  const out: VexStatement[] = [];
  for (const [s, products] of byStatus) {
    out.push(
      s === status
        ? { ...common, ...analysisToModel(v, a, status), products }
        : { ...common, status: s, products },
    );
  }
  return out;
}

function statementVersion(v: Json): number | undefined {
  const p = objs(v['properties']).find((x) => x['name'] === STATEMENT_VERSION);
  const n = Number(p?.['value']);
  return Number.isInteger(n) && n >= 1 ? n : undefined;
}

function analysisToModel(
  v: Json,
  a: Json,
  status: VexStatus,
): Omit<VexStatement, 'vulnerability' | 'products'> {
  const state = a['state'] as string | undefined;
  const cdxJ = a['justification'] as CdxJustification | undefined;
  const detail = a['detail'] as string | undefined;
  const rec = v['recommendation'] as string | undefined;
  const responses = a['response'] as VexResponse[] | undefined;
  const texts: {
    impactStatement?: string | undefined;
    actionStatement?: string | undefined;
    statusNotes?: string | undefined;
  } =
    status === 'not_affected'
      ? { impactStatement: detail, actionStatement: rec }
      : status === 'affected'
        ? detail !== undefined
          ? { actionStatement: detail, statusNotes: rec }
          : { actionStatement: rec }
        : { statusNotes: detail, actionStatement: rec };
  return compact({
    status,
    statusDetail:
      state !== undefined && state !== cdxStateOf(status, undefined) ? state : undefined,
    justification:
      cdxJ === undefined ? undefined : (CDX_TO_JUSTIFICATION[cdxJ] as VexJustification),
    justificationDetail: cdxJ,
    responses: responses !== undefined && responses.length > 0 ? [...responses] : undefined,
    ...compact(texts),
  });
}

function versionStatus(s: string | undefined, analysis: VexStatus): VexStatus {
  switch (s) {
    case undefined:
      return analysis;
    case 'affected':
      return 'affected';
    case 'unknown':
      return 'under_investigation';
    default:
      return analysis === 'fixed' || analysis === 'not_affected' ? analysis : 'not_affected';
  }
}

/** What a ref names: its component's purl, name, CPE and version; a BOM-Link's purl fragment. */
interface Base {
  purl?: string;
  version?: string;
  identifiers: Record<string, string>;
}

function productBase(ref: string, c: Json | undefined): Base {
  const identifiers: Record<string, string> = { bomRef: ref };
  let purl = c?.['purl'] as string | undefined;
  if (purl === undefined && c === undefined) {
    const frag = ref.startsWith('urn:cdx:') ? decode(ref.slice(ref.indexOf('#') + 1)) : ref;
    if (frag.startsWith('pkg:')) purl = frag;
  }
  if (typeof c?.['name'] === 'string') identifiers['name'] = c['name'];
  if (typeof c?.['cpe'] === 'string') identifiers['cpe'] = c['cpe'];
  return compact({ purl, version: c?.['version'] as string | undefined, identifiers });
}

function exact(b: Base): VexProduct {
  if (b.purl !== undefined) return { purl: b.purl, identifiers: b.identifiers };
  if (b.version !== undefined)
    return { identifiers: b.identifiers, versions: { list: [b.version] } };
  return { identifiers: b.identifiers };
}

function withVersions(b: Base, versions: VexProduct['versions'] & object): VexProduct {
  return compact({
    purl: b.purl === undefined ? undefined : purlWithVersion(b.purl, undefined),
    identifiers: b.identifiers,
    versions,
  });
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

// ---- writing ----

export const CYCLONEDX_VEX_WRITE_VERSIONS = ['1.4', '1.5', '1.6', '1.7'] as const;
export type CycloneDxVexVersion = (typeof CYCLONEDX_VEX_WRITE_VERSIONS)[number];

/** The model as a CycloneDX VEX BOM (JSON value) of `specVersion`. */
export function modelToCycloneDx(
  doc: VexDocument,
  ctx: VexWriteContext,
  specVersion: CycloneDxVexVersion,
): Json {
  const legacy = specVersion === '1.4';
  const components = new Map<string, Json>();
  const seen = new Set<string>();
  const vulnerabilities = doc.statements
    .map((s, i) => statementToCdx(s, i, components, ctx, legacy))
    .filter((v) => {
      // Two statements can become one when a finer term is dropped (the schema's uniqueItems).
      const k = JSON.stringify(v);
      if (seen.has(k))
        ctx.lossy(
          `${v['id']}: a statement identical to an earlier one once written is written once`,
        );
      return !seen.has(k) && seen.add(k) !== undefined;
    });
  const time = doc.lastUpdated ?? doc.timestamp;
  if (
    doc.lastUpdated !== undefined &&
    doc.timestamp !== undefined &&
    doc.lastUpdated !== doc.timestamp
  )
    ctx.lossy(
      `first publication time ${doc.timestamp}: CycloneDX keeps one timestamp, the last update's`,
    );
  const metadata = compact({
    timestamp: time,
    authors: doc.author === undefined ? undefined : [{ name: doc.author }],
    tools:
      doc.tooling === undefined
        ? undefined
        : legacy
          ? [{ name: doc.tooling }]
          : { components: [{ type: 'application', name: doc.tooling }] },
  });
  const serial =
    /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(
      doc.id,
    )
      ? doc.id
      : `urn:uuid:${uuidV5(doc.id)}`;
  if (serial !== doc.id)
    ctx.lossy(
      `document id ${doc.id}: CycloneDX needs a urn:uuid serial number, written as ${serial}`,
    );
  return compact({
    bomFormat: 'CycloneDX',
    specVersion,
    serialNumber: serial,
    version: ctx.integerVersion(doc),
    metadata: Object.keys(metadata).length > 0 ? metadata : undefined,
    components: components.size > 0 ? [...components.values()] : undefined,
    vulnerabilities,
  });
}

function statementToCdx(
  s: VexStatement,
  i: number,
  components: Map<string, Json>,
  ctx: VexWriteContext,
  legacy: boolean,
): Json {
  const at = `statement ${i + 1} (${s.vulnerability})`;
  const versionStatus =
    s.status === 'affected'
      ? 'affected'
      : s.status === 'under_investigation'
        ? 'unknown'
        : 'unaffected';
  const affects = new Map<string, Json[]>();
  for (const p of s.products) {
    const ref = componentFor(p, components, at);
    const versions = affects.get(ref) ?? [];
    affects.set(ref, versions);
    if (p.versions === undefined) continue;
    if ('list' in p.versions)
      for (const v of p.versions.list) versions.push({ version: v, status: versionStatus });
    else versions.push({ range: p.versions.range, status: versionStatus });
    if (p.subcomponents !== undefined && p.subcomponents.length > 0)
      ctx.lossy(
        `${at}: subcomponents of ${ref} (CycloneDX affects name components, not components within them)`,
      );
  }
  const detail =
    s.status === 'not_affected'
      ? (s.impactStatement ?? s.statusNotes)
      : s.status === 'affected'
        ? s.actionStatement
        : s.statusNotes;
  const recommendation = s.status === 'affected' ? s.statusNotes : s.actionStatement;
  if (s.status === 'not_affected' && s.impactStatement !== undefined && s.statusNotes !== undefined)
    ctx.lossy(`${at}: status notes (CycloneDX's one detail holds the impact statement)`);
  const analysis = compact({
    state: cdxStateOf(s.status, s.statusDetail),
    justification:
      s.justification === undefined
        ? undefined
        : cdxJustificationOf(s.justification, s.justificationDetail),
    response:
      s.responses !== undefined && s.responses.length > 0 ? [...new Set(s.responses)] : undefined,
    detail,
    lastUpdated: legacy ? undefined : s.timestamp,
  });
  return compact({
    id: s.vulnerability,
    references: s.aliases?.map((id) => ({ id, source: compact({ name: sourceOf(id) }) })),
    description: s.description,
    recommendation,
    updated: legacy ? s.timestamp : undefined,
    analysis,
    affects: [...affects].map(([ref, versions]) =>
      compact({ ref, versions: versions.length > 0 ? versions : undefined }),
    ),
    properties:
      s.version === undefined ? undefined : [{ name: STATEMENT_VERSION, value: String(s.version) }],
  });
}

/** The bom-ref a product is written under, adding its component unless the ref is a BOM-Link. */
function componentFor(p: VexProduct, components: Map<string, Json>, at: string): string {
  const ids = p.identifiers ?? {};
  const purl =
    p.purl === undefined
      ? undefined
      : p.versions === undefined
        ? p.purl
        : purlWithVersion(p.purl, undefined);
  const ref =
    ids['bomRef'] ?? purl ?? ids['csafProductId'] ?? ids['iri'] ?? ids['name'] ?? ids['cpe'];
  if (ref === undefined)
    throw new VexFormatError(
      'VEX_WRITE_INVALID',
      `${at}: a product has no purl or other identifier`,
    );
  if (ref.startsWith('urn:cdx:') || components.has(ref)) return ref;
  const name = ids['name'] ?? (purl === undefined ? ref : purlName(purl));
  components.set(
    ref,
    compact({
      type: purl === undefined ? 'application' : 'library',
      'bom-ref': ref,
      name,
      version: purl === undefined ? undefined : purlVersion(purl),
      cpe: ids['cpe'],
      purl,
    }),
  );
  return ref;
}

/** The database an alias id comes from, by its prefix (CycloneDX references name a source). */
function sourceOf(id: string): string | undefined {
  const prefix = /^([A-Z]+)-/.exec(id)?.[1];
  return { CVE: 'NVD', GHSA: 'GitHub Advisories', OSV: 'OSV' }[prefix ?? ''] ?? prefix;
}
