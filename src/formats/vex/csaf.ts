/**
 * CSAF 2.0 (VEX profile) ⇄ the model. Read only after validateVex has passed the document.
 *
 * Products: every product the tree defines (branches, full product names, relationships) by its
 * product id; a `product_version` branch gives the version, a `product_version_range` branch the
 * range (vers or vls, kept as written), the identification helper the purl and CPE; a
 * relationship is its `relates_to` product with the `product_reference` as a subcomponent.
 * Statuses: known_affected/first_affected/last_affected → affected, fixed/first_fixed/
 * recommended → fixed, known_not_affected → not_affected, under_investigation (the group name
 * kept as statusDetail). Flags are the justifications (same five labels); impact threats the
 * impact statements; remediations the responses (vendor_fix → update, workaround and mitigation
 * → workaround_available, no_fix_planned → will_not_fix (EOL), none_available → can_not_fix)
 * and their details the action statement. Products with the same status and the same
 * flag, impact and remediations form one statement.
 *
 * What the model does not hold: vendor and family branches and the relationship category,
 * scores, CWE, references, acknowledgments, involvements, threats other than impact,
 * remediation urls, dates and restart hints, notes other than the description and status notes,
 * the distribution (TLP), aggregate severity, and document notes and references.
 */
import { VexFormatError } from './errors.js';
import type { VexDocument, VexProduct, VexResponse, VexStatement } from './model.js';
import { compact, purlName, purlVersion, purlWithVersion } from './products.js';
import {
  CSAF_TO_RESPONSE,
  CSAF_TO_STATUS,
  type CsafRemediation,
  type CsafStatus,
  csafStatusOf,
  RESPONSE_TO_CSAF,
} from './vocabulary.js';
import type { VexWriteContext } from './write-context.js';

type Json = Record<string, unknown>;
const STATUS_NOTES = 'Status notes';
const PUBLISHER_CATEGORIES = ['coordinator', 'discoverer', 'other', 'translator', 'user', 'vendor'];

export function csafToModel(d: Json): VexDocument {
  const document = d['document'] as Json;
  const tracking = document['tracking'] as Json;
  const publisher = document['publisher'] as Json;
  const products = indexProducts((d['product_tree'] as Json | undefined) ?? {});
  const groups = new Map<string, string[]>();
  for (const g of ((d['product_tree'] as Json | undefined)?.['product_groups'] as
    | Json[]
    | undefined) ?? [])
    groups.set(g['group_id'] as string, g['product_ids'] as string[]);
  const statements = ((d['vulnerabilities'] as Json[] | undefined) ?? []).flatMap((v) =>
    vulnerabilityToModel(v, products, groups),
  );
  const engine = (tracking['generator'] as Json | undefined)?.['engine'] as Json | undefined;
  return compact({
    id: tracking['id'] as string,
    author: publisher['name'] as string,
    role: publisher['category'] as string,
    authorNamespace: publisher['namespace'] as string,
    title: document['title'] as string,
    timestamp: tracking['initial_release_date'] as string,
    lastUpdated: tracking['current_release_date'] as string,
    version: tracking['version'] as string,
    tooling:
      engine === undefined
        ? undefined
        : [engine['name'], engine['version']].filter((x) => x !== undefined).join(' '),
    revisions: (tracking['revision_history'] as Json[]).map((r) => ({
      number: r['number'] as string,
      date: r['date'] as string,
      summary: r['summary'] as string,
    })),
    statements,
  });
}

function indexProducts(tree: Json): Map<string, VexProduct> {
  const out = new Map<string, VexProduct>();
  const define = (fpn: Json, versions?: VexProduct['versions']) => {
    const helper = (fpn['product_identification_helper'] as Json | undefined) ?? {};
    const identifiers: Record<string, string> = {
      csafProductId: fpn['product_id'] as string,
      name: fpn['name'] as string,
    };
    if (typeof helper['cpe'] === 'string') identifiers['cpe'] = helper['cpe'];
    let purl = helper['purl'] as string | undefined;
    // A purl of one version beside a product_version branch already says which version.
    if (
      purl !== undefined &&
      versions !== undefined &&
      'list' in versions &&
      purlVersion(purl) !== undefined
    )
      versions = undefined;
    else if (purl !== undefined && versions !== undefined) purl = purlWithVersion(purl, undefined);
    out.set(fpn['product_id'] as string, compact({ purl, identifiers, versions }));
  };
  const walk = (branches: Json[] | undefined) => {
    for (const b of branches ?? []) {
      const product = b['product'] as Json | undefined;
      if (product !== undefined) {
        const name = b['name'] as string;
        const category = b['category'];
        define(
          product,
          category === 'product_version'
            ? { list: [name] }
            : category === 'product_version_range'
              ? { range: name }
              : undefined,
        );
      }
      walk(b['branches'] as Json[] | undefined);
    }
  };
  walk(tree['branches'] as Json[] | undefined);
  for (const f of (tree['full_product_names'] as Json[] | undefined) ?? []) define(f);
  for (const r of (tree['relationships'] as Json[] | undefined) ?? []) {
    const fpn = r['full_product_name'] as Json;
    const whole = out.get(r['relates_to_product_reference'] as string);
    const part = out.get(r['product_reference'] as string);
    const sub = part?.purl ?? part?.identifiers?.['name'] ?? (r['product_reference'] as string);
    out.set(
      fpn['product_id'] as string,
      compact({
        purl: whole?.purl,
        versions: whole?.versions,
        // The product's own name, not the relationship's (which only joins the two names).
        identifiers: {
          name: fpn['name'] as string,
          ...(whole?.identifiers ?? {}),
          csafProductId: fpn['product_id'] as string,
        },
        subcomponents: [...(whole?.subcomponents ?? []), sub],
      }),
    );
  }
  return out;
}

function vulnerabilityToModel(
  v: Json,
  products: Map<string, VexProduct>,
  groups: Map<string, string[]>,
): VexStatement[] {
  const ids = ((v['ids'] as Json[] | undefined) ?? []).map((x) => x['text'] as string);
  const cve = v['cve'] as string | undefined;
  const vulnerability = cve ?? (ids[0] as string);
  const aliases = [...new Set([...(cve === undefined ? [] : [cve]), ...ids])].filter(
    (x) => x !== vulnerability,
  );
  const notes = (v['notes'] as Json[] | undefined) ?? [];
  const description = notes.find((n) => n['category'] === 'description')?.['text'] as
    | string
    | undefined;
  const statusNotes = notes
    .filter((n) => n['title'] === STATUS_NOTES)
    .map((n) => n['text'] as string);
  const expand = (x: Json) => [
    ...((x['product_ids'] as string[] | undefined) ?? []),
    ...((x['group_ids'] as string[] | undefined) ?? []).flatMap((g) => groups.get(g) ?? []),
  ];
  const about = (member: string, pid: string, ok: (x: Json) => boolean = () => true) =>
    ((v[member] as Json[] | undefined) ?? []).filter((x) => ok(x) && expand(x).includes(pid));
  const grouped = new Map<string, VexStatement>();
  const ps = (v['product_status'] as Json | undefined) ?? {};
  for (const [key, pids] of Object.entries(ps)) {
    const status = CSAF_TO_STATUS[key as CsafStatus];
    for (const pid of pids as string[]) {
      const flag = about('flags', pid)[0]?.['label'] as VexStatement['justification'];
      const impact = unique(
        about('threats', pid, (t) => t['category'] === 'impact').map((t) => t['details'] as string),
      );
      const rems = about('remediations', pid);
      const responses = unique(
        rems.map((r) => CSAF_TO_RESPONSE[r['category'] as CsafRemediation]),
      ) as VexResponse[];
      const action = unique(rems.map((r) => r['details'] as string));
      const st: VexStatement = compact({
        vulnerability,
        aliases: aliases.length > 0 ? aliases : undefined,
        description,
        products: [],
        status,
        statusDetail: key === csafStatusOf(status, undefined) ? undefined : key,
        justification: status === 'not_affected' ? flag : undefined,
        impactStatement: impact.length > 0 ? impact.join('\n') : undefined,
        actionStatement: action.length > 0 ? action.join('\n') : undefined,
        responses: responses.length > 0 ? responses : undefined,
        statusNotes: statusNotes.length > 0 ? unique(statusNotes).join('\n') : undefined,
      });
      const sig = JSON.stringify({ ...st, products: undefined });
      const hit = grouped.get(sig) ?? st;
      grouped.set(sig, hit);
      const product = products.get(pid);
      if (product !== undefined) (hit.products as VexProduct[]).push(product);
    }
  }
  return [...grouped.values()];
}

/** CSAF strings are never empty; an empty one is as good as none. */
function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

function unique<T>(xs: readonly T[]): T[] {
  return [...new Set(xs)];
}

// ---- writing ----

/** The model as a CSAF 2.0 document of category csaf_vex (JSON value). */
export function modelToCsaf(doc: VexDocument, ctx: VexWriteContext): Json {
  const tree = new ProductTree();
  const vulnerabilities: Json[] = [];
  const byVuln = new Map<string, VexStatement[]>();
  for (const s of doc.statements)
    byVuln.set(s.vulnerability, [...(byVuln.get(s.vulnerability) ?? []), s]);
  for (const [id, statements] of byVuln) {
    const v = vulnerabilityToCsaf(id, statements, tree, ctx);
    if (Object.keys(v['product_status'] as Json).length > 0) vulnerabilities.push(v);
    else
      ctx.lossy(
        `${id}: no statement names a product, and CSAF states status per product: left out`,
      );
  }
  if (vulnerabilities.length === 0) {
    throw new VexFormatError(
      'VEX_WRITE_INVALID',
      'no statement names a product; a CSAF VEX document states status per product',
    );
  }
  const current = ctx.time(doc.lastUpdated ?? doc.timestamp, 'current release date');
  const version =
    /^(0|[1-9]\d*)$/.test(doc.version ?? '') || /^\d+\.\d+\.\d+/.test(doc.version ?? '')
      ? (doc.version as string)
      : String(ctx.integerVersion(doc));
  const revisions = [...(doc.revisions ?? [])];
  if (revisions[revisions.length - 1]?.number !== version) {
    if (revisions.length > 0)
      ctx.lossy(
        `revision history: ends at ${revisions[revisions.length - 1]?.number}, version ${version} appended`,
      );
    revisions.push({
      number: version,
      date: current,
      summary: revisions.length === 0 ? 'Initial version.' : 'Current version.',
    });
  }
  const role =
    doc.role !== undefined && PUBLISHER_CATEGORIES.includes(doc.role) ? doc.role : undefined;
  if (doc.role !== undefined && role === undefined)
    ctx.lossy(
      `author role ${JSON.stringify(doc.role)}: not a CSAF publisher category, written as "other"`,
    );
  return {
    document: compact({
      category: 'csaf_vex',
      csaf_version: '2.0',
      publisher: {
        category:
          role ?? (doc.role === undefined ? ctx.defaulted('publisher category', 'other') : 'other'),
        name: doc.author ?? ctx.defaulted('publisher name', 'Unknown Author'),
        namespace: doc.authorNamespace ?? ctx.defaulted('publisher namespace', namespaceOf(doc.id)),
      },
      title: doc.title ?? ctx.defaulted('title', `VEX ${doc.id}`),
      tracking: compact({
        current_release_date: current,
        generator: doc.tooling === undefined ? undefined : { engine: { name: doc.tooling } },
        id: doc.id,
        initial_release_date: doc.timestamp ?? current,
        revision_history: revisions.map((r) => ({
          date: r.date,
          number: r.number,
          summary: r.summary,
        })),
        status: 'final',
        version,
      }),
    }),
    product_tree: tree.toJson(),
    vulnerabilities,
  };
}

/** The publisher's namespace when none is known: the document id's origin when it is a URL. */
function namespaceOf(id: string): string {
  try {
    const u = new URL(id);
    if (u.protocol === 'https:' || u.protocol === 'http:') return u.origin;
  } catch {}
  return 'urn:custody:publisher:unknown';
}

function vulnerabilityToCsaf(
  id: string,
  statements: VexStatement[],
  tree: ProductTree,
  ctx: VexWriteContext,
): Json {
  const aliases = unique(statements.flatMap((s) => s.aliases ?? [])).filter((a) => a !== id);
  const isCve = (x: string) => /^CVE-[0-9]{4}-[0-9]{4,}$/.test(x);
  const ids = [...(isCve(id) ? [] : [id]), ...aliases].map((text) => ({
    system_name: /^([A-Za-z]+)-/.exec(text)?.[1] ?? 'other',
    text,
  }));
  const description = statements.find((s) => s.description !== undefined)?.description;
  const notes: Json[] = [
    description === undefined
      ? ctx.defaulted(`${id}: vulnerability note`, {
          category: 'general',
          text: id,
          title: 'Vulnerability',
        })
      : { category: 'description', text: description, title: 'Vulnerability description' },
    ...unique(
      statements.flatMap((s) =>
        nonEmpty(s.statusNotes) === undefined ? [] : [s.statusNotes as string],
      ),
    ).map((text) => ({
      category: 'details',
      text,
      title: STATUS_NOTES,
    })),
  ];
  const status: Record<string, string[]> = {};
  const flags: Json[] = [];
  const threats: Json[] = [];
  const remediations: Json[] = [];
  // Product id → what its flags, threats and remediations say, within this vulnerability.
  const taken = new Map<string, string>();
  statements.forEach((s, i) => {
    const at = `${id} statement ${i + 1}`;
    const says = JSON.stringify([
      s.justification,
      s.impactStatement,
      s.actionStatement,
      s.responses,
      s.statusNotes,
    ]);
    const avoid = new Set([...taken].filter(([, v]) => v !== says).map(([k]) => k));
    const pids = unique(s.products.flatMap((p) => tree.add(p, at, avoid)));
    for (const pid of pids) taken.set(pid, says);
    if (pids.length === 0) {
      ctx.lossy(`${at}: names no product; CSAF lists statuses by product, so it is left out`);
      return;
    }
    const key = csafStatusOf(s.status, s.statusDetail);
    status[key] = unique([...(status[key] ?? []), ...pids]);
    if (s.justification !== undefined) flags.push({ label: s.justification, product_ids: pids });
    let impact = nonEmpty(s.impactStatement);
    if (s.status === 'not_affected' && s.justification === undefined && impact === undefined)
      impact =
        nonEmpty(s.statusNotes) ??
        ctx.defaulted(`${at}: impact statement`, 'Not affected; no justification was given.');
    if (impact !== undefined)
      threats.push({ category: 'impact', details: impact, product_ids: pids });
    let categories = unique((s.responses ?? []).map((r) => RESPONSE_TO_CSAF[r]));
    if ((s.responses ?? []).includes('rollback'))
      ctx.lossy(`${at}: response rollback written as vendor_fix`);
    if (categories.length === 0 && s.status === 'affected')
      categories = [ctx.defaulted(`${at}: remediation category`, 'none_available')];
    const details =
      nonEmpty(s.actionStatement) ??
      (categories.length > 0
        ? ctx.defaulted(
            `${at}: remediation details`,
            'No action statement was given; contact the supplier.',
          )
        : '');
    for (const category of categories) remediations.push({ category, details, product_ids: pids });
    if (s.timestamp !== undefined || s.version !== undefined)
      ctx.lossy(`${at}: statement timestamp and version (CSAF dates the document, not statements)`);
  });
  return compact({
    cve: isCve(id) ? id : undefined,
    flags: merged(flags),
    ids: ids.length > 0 ? ids : undefined,
    notes,
    product_status: status,
    remediations: merged(remediations),
    threats: merged(threats),
  });
}

/** Entries that differ only in their products made one (the schema's uniqueItems, and shorter). */
function merged(entries: Json[]): Json[] | undefined {
  const byKey = new Map<string, Json>();
  for (const e of entries) {
    const key = JSON.stringify({ ...e, product_ids: undefined });
    const hit = byKey.get(key);
    if (hit === undefined) byKey.set(key, { ...e });
    else
      hit['product_ids'] = unique([
        ...(hit['product_ids'] as string[]),
        ...(e['product_ids'] as string[]),
      ]);
  }
  return byKey.size > 0 ? [...byKey.values()] : undefined;
}

/** The product tree being written: one product id per product version, relationships for subcomponents. */
class ProductTree {
  private readonly names = new Map<string, Json[]>();
  private readonly full: Json[] = [];
  private readonly relationships: Json[] = [];
  private readonly ids = new Map<string, string>();
  private readonly used = new Set<string>();
  private n = 0;

  /** The product ids a model product stands for (one per enumerated version). */
  add(p: VexProduct, at: string, avoid: ReadonlySet<string> = new Set()): string[] {
    const ids = p.identifiers ?? {};
    const label =
      ids['name'] ??
      (p.purl === undefined ? undefined : purlName(p.purl)) ??
      ids['iri'] ??
      ids['bomRef'] ??
      ids['cpe'];
    if (label === undefined)
      throw new VexFormatError(
        'VEX_WRITE_INVALID',
        `${at}: a product has no purl, name or other identifier`,
      );
    const versions: (undefined | { version: string } | { range: string })[] =
      p.versions === undefined
        ? [undefined]
        : 'list' in p.versions
          ? p.versions.list.map((version) => ({ version }))
          : [{ range: p.versions.range }];
    const own = versions.length === 1 ? ids['csafProductId'] : undefined;
    const parts = p.subcomponents ?? [];
    return versions.map((v) => {
      // Another statement about the same vulnerability already holds this product: its flags,
      // threats and remediations would apply to both, so this statement gets its own id.
      for (let slot = 0; ; slot++) {
        // With subcomponents the product id is the relationship's (as read), the whole gets a new one.
        const pid = this.define(
          p,
          label,
          v,
          parts.length === 0 && slot === 0 ? own : undefined,
          slot,
        );
        const out =
          parts.length === 0 ? pid : this.relate(pid, label, parts, slot === 0 ? own : undefined);
        if (!avoid.has(out)) return out;
      }
    });
  }

  private define(
    p: VexProduct,
    label: string,
    v: undefined | { version: string } | { range: string },
    own: string | undefined,
    slot: number,
  ): string {
    const key = JSON.stringify([p.purl ?? null, p.identifiers ?? null, v ?? null, slot]);
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    const pid = this.fresh(own);
    this.ids.set(key, pid);
    let purl = p.purl;
    if (purl !== undefined && v !== undefined && 'version' in v)
      purl = purlWithVersion(purl, v.version);
    const cpe = p.identifiers?.['cpe'];
    const helper = compact({ cpe, purl });
    const product = compact({
      // The product's name; its version is the branch's (a CSAF reader sees both).
      name: label,
      product_id: pid,
      product_identification_helper: Object.keys(helper).length > 0 ? helper : undefined,
    });
    if (v === undefined) {
      this.full.push(product);
    } else {
      const branch =
        'version' in v
          ? { category: 'product_version', name: v.version, product }
          : { category: 'product_version_range', name: v.range, product };
      this.names.set(label, [...(this.names.get(label) ?? []), branch]);
    }
    return pid;
  }

  private relate(
    pid: string,
    label: string,
    subcomponents: readonly string[],
    own: string | undefined,
  ): string {
    // One relationship product per (product, subcomponent list): the first subcomponent is the
    // one the relationship names; CSAF relationships join exactly two products.
    const key = JSON.stringify(['rel', pid, subcomponents]);
    const known = this.ids.get(key);
    if (known !== undefined) return known;
    let whole = pid;
    for (const [i, sub] of subcomponents.entries()) {
      const subKey = JSON.stringify(['sub', sub]);
      let subPid = this.ids.get(subKey);
      if (subPid === undefined) {
        subPid = this.fresh(undefined);
        this.ids.set(subKey, subPid);
        const helper = sub.startsWith('pkg:')
          ? { product_identification_helper: { purl: sub } }
          : {};
        this.full.push({ name: sub, product_id: subPid, ...helper });
      }
      const relPid = this.fresh(i === subcomponents.length - 1 ? own : undefined);
      this.relationships.push({
        category: 'default_component_of',
        full_product_name: { name: `${sub} in ${label}`, product_id: relPid },
        product_reference: subPid,
        relates_to_product_reference: whole,
      });
      whole = relPid;
    }
    this.ids.set(key, whole);
    return whole;
  }

  private fresh(own: string | undefined): string {
    if (own !== undefined && !this.used.has(own)) {
      this.used.add(own);
      return own;
    }
    let id: string;
    do id = `CSAFPID-${String(++this.n).padStart(4, '0')}`;
    while (this.used.has(id));
    this.used.add(id);
    return id;
  }

  toJson(): Json {
    const branches = [...this.names].map(([name, children]) => ({
      category: 'product_name',
      name,
      branches: children,
    }));
    return compact({
      branches: branches.length > 0 ? branches : undefined,
      full_product_names: this.full.length > 0 ? this.full : undefined,
      relationships: this.relationships.length > 0 ? this.relationships : undefined,
    });
  }
}
