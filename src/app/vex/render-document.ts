import { AccessError, type Caller, can, inScope } from '../../access/index.js';
import {
  publishVex,
  readVex,
  type VexDocument,
  type VexFormat,
  VexFormatError,
  validateVex,
  writeVex,
} from '../../formats/index.js';
import { InventoryError } from '../../inventory/index.js';
import { BlobStore } from '../../store/blobs.js';
import { findProduct } from '../../store/catalogue.js';
import type { Q } from '../../store/db.js';
import { latestVexDocument, type VexDocumentRow, vexStatementsOfProduct } from '../../store/vex.js';
import { type LifecycleStatement, publishableDocument } from '../../vex/index.js';
import type { Services } from '../services.js';
import type { PublishedStatement } from '../triggers/vex-actions.js';

export const VEX_PUBLISH_FORMATS = ['openvex', 'cyclonedx', 'csaf'] as const;
export type VexPublishFormat = (typeof VEX_PUBLISH_FORMATS)[number] & VexFormat;

/** A product as publishing sees it: its ids and its team's name. */
export interface PublishingProduct {
  id: number;
  team_id: number;
  team: string;
  name: string;
}

/** A document as publishing would publish it now: exact bytes, not yet signed or stored. */
export interface RenderedVex {
  text: string;
  bytes: Uint8Array;
  /** `sha256:<hex>` of `bytes`. */
  digest: string;
  version: string;
  statements: number;
  /** The statements it states, for the trigger actions a publication meets. */
  stated: PublishedStatement[];
}

/**
 * Publishers and approvers of the team publish (and prepare publications).
 * @throws AccessError AUTH_FORBIDDEN
 */
export function requirePublisher(caller: Caller): void {
  const p = caller.principal;
  if (!can(p.role, 'inventory:write') && !can(p.role, 'decision:write')) {
    throw new AccessError(
      'AUTH_FORBIDDEN',
      `A ${p.role} token may not publish VEX: a publisher or approver of the team does`,
    );
  }
}

/**
 * The product, when the caller's teams include its team.
 * @throws InventoryError INVENTORY_NOT_FOUND (also for another team's product: not said whose)
 */
export async function visibleProduct(
  s: Services,
  caller: Caller,
  name: string,
): Promise<PublishingProduct> {
  const product = await findProduct(s.db.read, name);
  const team =
    product &&
    (await s.db.read
      .selectFrom('teams')
      .select('name')
      .where('id', '=', product.team_id)
      .executeTakeFirst());
  if (!product || !team || !inScope(caller.principal, team.name)) {
    throw new InventoryError('INVENTORY_NOT_FOUND', `product ${name.slice(0, 200)} does not exist`);
  }
  return { id: product.id, team_id: product.team_id, team: team.name, name };
}

/**
 * The product's VEX document in `format` as publishing would publish it at `at`: its approved,
 * non-confidential statements (vex/'s publishableDocument: confidential statements, and any
 * statement naming a confidential vulnerability, redacted; judgments awaiting approval left out),
 * the document version moved past the format's previous publication (publishVex; CSAF's revision
 * history extended), written and validated against the format's schema. Deterministic for the
 * same statements, previous publication and `at`: that is how a prepared publication is checked
 * to be still current. `q` is the handle to read with (a transaction, to read what it will write
 * beside).
 * @throws VexFormatError VEX_WRITE_INVALID (nothing publishable), VEX_SCHEMA_INVALID
 */
export async function renderVexDocument(
  s: Services,
  q: Q,
  product: PublishingProduct,
  format: VexPublishFormat,
  at: string,
): Promise<RenderedVex> {
  const rows = await vexStatementsOfProduct(q, product.id, { confidential: true });
  const doc = publishableDocument({
    id: `urn:custody:vex:${encodeURIComponent(product.team)}:${encodeURIComponent(product.name)}`,
    author: `Custody (team ${product.team})`,
    title: `VEX for ${product.name}`,
    tooling: 'Custody',
    statements: rows.map((r) => JSON.parse(r.body) as LifecycleStatement),
  });
  if (doc.statements.length === 0) {
    throw new VexFormatError(
      'VEX_WRITE_INVALID',
      `${product.name} has no statement to publish: statements must be approved where they need it, and confidential ones disclosed first`,
    );
  }
  const prevRow = await latestVexDocument(q, product.id, format);
  const previous = prevRow === undefined ? undefined : await previousDocument(s, prevRow);
  const published = publishVex(doc, { at, ...(previous ? { previous } : { number: 1 }) });
  const written = writeVex(published, format, { now: at });
  const bytes = new Uint8Array(Buffer.from(written.text, 'utf8'));
  const check = await validateVex(bytes, { what: `${product.name} (${format})` });
  if (!check.valid) {
    throw new VexFormatError(
      'VEX_SCHEMA_INVALID',
      `the ${format} document Custody wrote for ${product.name} fails its schema; nothing was published`,
      { details: { errors: check.errors.slice(0, 20) } },
    );
  }
  return {
    text: written.text,
    bytes,
    digest: BlobStore.digestOf(bytes),
    version: published.version ?? '1',
    statements: published.statements.length,
    stated: published.statements.map((st) => ({
      names: [st.vulnerability, ...(st.aliases ?? [])],
      updatedAt: st.timestamp ?? '',
    })),
  };
}

/**
 * What a rendering depends on, as one digest: every statement of the product (confidential ones
 * too: disclosing one changes the document) and the format's previous publication. Equal bases
 * render equal documents at the same time, so a transaction that finds the basis unchanged since
 * a rendering was checked need not render again.
 */
export async function renderBasis(q: Q, productId: number, format: string): Promise<string> {
  const rows = await vexStatementsOfProduct(q, productId, { confidential: true });
  const previous = await latestVexDocument(q, productId, format);
  const basis = JSON.stringify({
    statements: rows.map((r) => [r.id, r.version, r.updated_at, r.confidential, r.body]),
    previous: previous?.id ?? null,
  });
  return BlobStore.digestOf(new Uint8Array(Buffer.from(basis, 'utf8')));
}

// The previous publication in this format, read back into the model (its version and, for
// CSAF, its revision history carry on).
async function previousDocument(s: Services, row: VexDocumentRow): Promise<VexDocument> {
  return (await readVex(s.blobs.get(row.digest), { what: `published VEX ${row.digest}` })).document;
}
