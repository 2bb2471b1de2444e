/**
 * OpenVEX 0.2 ⇄ the model. Read only after validateVex has passed the document (so shapes are
 * the schema's); written documents validate against the same schema (tested).
 *
 * What the model does not hold from OpenVEX: component hashes, statement `supplier`,
 * `last_updated` and `action_statement_timestamp`, statement `@id`.
 * What OpenVEX cannot say natively, and how Custody writes it:
 * - a version range: the product purl gets a `vers` qualifier (`pkg:npm/a?vers=vers%3Anpm%2F…`),
 *   which no scanner matches to a concrete package, so no version is claimed by accident;
 * - enumerated versions: one product per version (the purl with that version);
 * - a product without purl or IRI: `urn:custody:product:…` (see products.ts);
 * - responses (CycloneDX `response`, CSAF remediation categories; EOL is `will_not_fix`): a
 *   last line `Responses: will_not_fix, update.` of the action statement.
 */
import { isIri } from '../validators/runtime.js';
import { VexFormatError } from './errors.js';
import type { VexDocument, VexProduct, VexResponse, VexStatement } from './model.js';
import { VEX_RESPONSES } from './model.js';
import { OPENVEX_CONTEXT } from './openvex-repair.js';
import {
  compact,
  PRODUCT_URN,
  productFromUrn,
  productUrn,
  purlWithRange,
  purlWithVersion,
  rangeFromPurl,
} from './products.js';
import type { VexWriteContext } from './write-context.js';

type Json = Record<string, unknown>;
const RESPONSES_LINE = /(?:^|\n)Responses: ([a-z_]+(?:, [a-z_]+)*)\.$/;

export function openVexToModel(d: Json): VexDocument {
  const doc: VexDocument = {
    id: fromDocumentIri(d['@id'] as string),
    statements: (d['statements'] as Json[]).map(statementToModel),
  };
  return compact({
    ...doc,
    author: d['author'] as string,
    role: d['role'] as string | undefined,
    timestamp: d['timestamp'] as string,
    lastUpdated: d['last_updated'] as string | undefined,
    version: String(d['version']),
    tooling: d['tooling'] as string | undefined,
  });
}

function statementToModel(s: Json): VexStatement {
  const v = s['vulnerability'] as Json;
  let action = s['action_statement'] as string | undefined;
  let responses: VexResponse[] | undefined;
  const m = action === undefined ? null : RESPONSES_LINE.exec(action);
  if (action !== undefined && m) {
    const listed = (m[1] as string).split(', ');
    if (listed.every((r) => (VEX_RESPONSES as readonly string[]).includes(r))) {
      responses = listed as VexResponse[];
      action = action.slice(0, m.index);
      if (action === '') action = undefined;
    }
  }
  return compact({
    vulnerability: v['name'] as string,
    aliases: v['aliases'] as string[] | undefined,
    description: v['description'] as string | undefined,
    products: ((s['products'] as Json[] | undefined) ?? []).map(productToModel),
    status: s['status'] as VexStatement['status'],
    justification: s['justification'] as VexStatement['justification'],
    impactStatement: s['impact_statement'] as string | undefined,
    actionStatement: action,
    responses,
    statusNotes: s['status_notes'] as string | undefined,
    timestamp: s['timestamp'] as string | undefined,
    version: s['version'] as number | undefined,
  });
}

function productToModel(c: Json): VexProduct {
  const ids = (c['identifiers'] as Json | undefined) ?? {};
  const id = c['@id'] as string | undefined;
  const subs = (c['subcomponents'] as Json[] | undefined)?.map((s) => {
    const sid =
      ((s['identifiers'] as Json | undefined)?.['purl'] as string | undefined) ??
      (s['@id'] as string);
    return (
      (sid.startsWith(PRODUCT_URN) ? productFromUrn(sid)?.identifiers?.['name'] : undefined) ?? sid
    );
  });
  const cpe = (ids['cpe23'] ?? ids['cpe22']) as string | undefined;
  let p: VexProduct;
  const purl = (ids['purl'] as string | undefined) ?? (id?.startsWith('pkg:') ? id : undefined);
  if (purl !== undefined) {
    const ranged = rangeFromPurl(purl);
    p = ranged ? { purl: ranged.purl, versions: { range: ranged.range } } : { purl };
    if (id !== undefined && id !== purl) p.identifiers = { iri: id };
  } else if (id?.startsWith(PRODUCT_URN) && productFromUrn(id)) {
    p = productFromUrn(id) as VexProduct;
  } else if (id !== undefined) {
    p = { identifiers: { iri: id } };
  } else {
    p = {};
  }
  if (cpe !== undefined) p.identifiers = { ...p.identifiers, cpe };
  if (subs !== undefined && subs.length > 0) p.subcomponents = subs;
  return p;
}

/** The model as an OpenVEX 0.2 document (JSON value). */
export function modelToOpenVex(doc: VexDocument, ctx: VexWriteContext): Json {
  const statements = dedupe(
    doc.statements.map((s, i) => statementToOpenVex(s, i, ctx)),
    ctx,
  );
  return compact({
    '@context': OPENVEX_CONTEXT,
    '@id': toDocumentIri(doc.id),
    author: doc.author ?? ctx.defaulted('author', 'Unknown Author'),
    role: doc.role,
    timestamp: ctx.time(doc.timestamp ?? doc.lastUpdated, 'timestamp'),
    last_updated:
      doc.lastUpdated !== undefined && doc.lastUpdated !== doc.timestamp
        ? doc.lastUpdated
        : undefined,
    version: ctx.integerVersion(doc),
    tooling: doc.tooling,
    statements,
  });
}

function statementToOpenVex(s: VexStatement, i: number, ctx: VexWriteContext): Json {
  const at = `statement ${i + 1} (${s.vulnerability})`;
  let action = s.actionStatement;
  if (s.responses !== undefined && s.responses.length > 0) {
    const line = `Responses: ${s.responses.join(', ')}.`;
    action = action === undefined ? line : `${action}\n${line}`;
  }
  if (s.status === 'affected' && action === undefined) {
    action = ctx.defaulted(
      `${at}: action statement`,
      'No action statement was given; contact the supplier.',
    );
  }
  let impact = s.impactStatement;
  if (s.status === 'not_affected' && s.justification === undefined && impact === undefined) {
    impact =
      s.statusNotes ??
      ctx.defaulted(`${at}: impact statement`, 'Not affected; no justification was given.');
  }
  const vulnerability = compact({
    name: s.vulnerability,
    description: s.description,
    aliases: s.aliases !== undefined && s.aliases.length > 0 ? [...new Set(s.aliases)] : undefined,
  });
  const products = dedupe(s.products.flatMap((p) => productToOpenVex(p, at, ctx)));
  return compact({
    vulnerability,
    version: s.version,
    timestamp: s.timestamp,
    products: products.length > 0 ? products : undefined,
    status: s.status,
    status_notes: s.statusNotes,
    justification: s.justification,
    impact_statement: impact,
    action_statement: action,
  });
}

function productToOpenVex(p: VexProduct, at: string, ctx: VexWriteContext): Json[] {
  const cpe = p.identifiers?.['cpe'];
  const identifiers = (purl?: string): Json | undefined => {
    const out: Json = {};
    if (purl !== undefined) out['purl'] = purl;
    if (cpe !== undefined) out[cpe.startsWith('cpe:2.3:') ? 'cpe23' : 'cpe22'] = cpe;
    return Object.keys(out).length > 0 ? out : undefined;
  };
  const subcomponents =
    p.subcomponents !== undefined && p.subcomponents.length > 0
      ? [...new Set(p.subcomponents)].map((s) => ({
          '@id': isIri(s) ? s : (productUrn({ identifiers: { name: s } }) as string),
        }))
      : undefined;
  const one = (id: string | undefined, purl?: string): Json =>
    compact({ '@id': id, identifiers: identifiers(purl), subcomponents });
  const versions = p.versions;
  if (p.purl !== undefined) {
    if (versions === undefined) return [one(p.purl)];
    if ('list' in versions)
      return versions.list.map((v) => one(purlWithVersion(p.purl as string, v)));
    ctx.lossy(
      `${at}: the range ${versions.range} of ${p.purl} is written as a vers qualifier (Custody's convention; other OpenVEX readers will not match it)`,
    );
    return [one(purlWithRange(p.purl, versions.range))];
  }
  const iri = p.identifiers?.['iri'];
  if (versions === undefined && iri !== undefined) return [one(iri)];
  const urn = (v?: string, r?: string) => productUrn(p, v, r);
  if (versions === undefined) {
    const u = urn();
    if (u !== undefined) return [one(u)];
  } else if ('list' in versions) {
    const all = versions.list.map((v) => urn(v));
    if (all.every((u) => u !== undefined)) return all.map((u) => one(u));
  } else {
    const u = urn(undefined, versions.range);
    if (u !== undefined) return [one(u)];
  }
  if (cpe !== undefined) return [one(undefined)];
  throw new VexFormatError(
    'VEX_WRITE_INVALID',
    `${at}: a product has no purl, CPE or other identifier`,
  );
}

/** Items once each (the schema's uniqueItems): two statements can become one when a finer term is dropped. */
function dedupe(items: Json[], ctx?: VexWriteContext): Json[] {
  const seen = new Set<string>();
  return items.filter((p) => {
    const k = JSON.stringify(p);
    if (seen.has(k)) {
      ctx?.lossy(
        `a statement identical to an earlier one once written (${(p['vulnerability'] as Json)['name']}) is written once`,
      );
      return false;
    }
    seen.add(k);
    return true;
  });
}

/** OpenVEX's @id must be an IRI; another format's id that is not one is wrapped, reversibly. */
const ID_URN = 'urn:custody:vex-id:';

export function toDocumentIri(id: string): string {
  return isIri(id) ? id : `${ID_URN}${encodeURIComponent(id)}`;
}

function fromDocumentIri(iri: string): string {
  if (!iri.startsWith(ID_URN)) return iri;
  try {
    return decodeURIComponent(iri.slice(ID_URN.length));
  } catch {
    return iri;
  }
}
