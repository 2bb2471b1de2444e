import type { Caller } from '../../access/index.js';
import type { Q } from '../../store/db.js';
import { findVexDocument, findVexPublication, type VexPublicationRow } from '../../store/vex.js';
import { nowIso, type Services } from '../services.js';
import { VexPublicationError } from './errors.js';
import { type PublishedVexView, publishedView } from './publish.js';
import {
  type PublishingProduct,
  requirePublisher,
  type VexPublishFormat,
  visibleProduct,
} from './render-document.js';

export interface VexPublicationView {
  id: number;
  product: string;
  format: VexPublishFormat;
  /** Who signs: a person, with a certificate from the service's CA. */
  signing: 'keyless';
  /** `expired`: still pending when `expiresAt` passed; prepare again. */
  state: 'pending' | 'expired' | 'published';
  documentVersion: string;
  /** `sha256:<hex>` of the document's UTF-8 bytes: what the bundle must be over. */
  digest: string;
  statements: number;
  preparedBy: string;
  expiresAt: string;
  /** The document's exact text (sign its UTF-8 bytes), while it waits for its bundle. */
  document?: string;
  /** The publication it became. */
  published?: PublishedVexView;
}

/**
 * A publication of the product, as preparePublication answered it (with the document while it
 * is pending, with the publication it became once published).
 * @throws AccessError AUTH_FORBIDDEN; InventoryError INVENTORY_NOT_FOUND; VexPublicationError
 *   VEX_PUBLICATION_NOT_FOUND
 */
export async function getPublication(
  s: Services,
  caller: Caller,
  productName: string,
  id: number,
): Promise<VexPublicationView> {
  requirePublisher(caller);
  const product = await visibleProduct(s, caller, productName);
  const row = await publicationOf(s.db.read, product, id);
  return viewOf(s, product, row, await publishedOf(s, s.db.read, product, row));
}

/**
 * The publication `id` of the product.
 * @throws VexPublicationError VEX_PUBLICATION_NOT_FOUND (none, or another product's)
 */
export async function publicationOf(
  q: Q,
  product: PublishingProduct,
  id: number,
): Promise<VexPublicationRow> {
  const row = await findVexPublication(q, id);
  if (!row || row.product_id !== product.id) {
    throw new VexPublicationError(
      'VEX_PUBLICATION_NOT_FOUND',
      `${product.name} has no publication ${id}; POST /api/v1/vex/${product.name}/publications prepares one`,
      { details: { id } },
    );
  }
  return row;
}

/** The publication a completed one became, with its bundle's digest. */
export async function publishedOf(
  s: Services,
  q: Q,
  product: PublishingProduct,
  row: VexPublicationRow,
): Promise<{ view: PublishedVexView; bundleDigest: string } | undefined> {
  if (row.vex_document_id === null) return undefined;
  const doc = await findVexDocument(q, row.vex_document_id);
  return (
    doc && {
      view: publishedView(s, product.name, row.format as VexPublishFormat, doc),
      bundleDigest: doc.bundle_digest,
    }
  );
}

/** What a publication looks like to its team: its document only while it can be completed. */
export function viewOf(
  s: Services,
  product: PublishingProduct,
  row: VexPublicationRow,
  published: { view: PublishedVexView } | undefined,
): VexPublicationView {
  const state =
    row.state === 'published' ? 'published' : row.expires_at <= nowIso(s) ? 'expired' : 'pending';
  return {
    id: row.id,
    product: product.name,
    format: row.format as VexPublishFormat,
    signing: 'keyless',
    state,
    documentVersion: row.document_version,
    digest: row.digest,
    statements: row.statement_count,
    preparedBy: row.prepared_by,
    expiresAt: row.expires_at,
    ...(state === 'pending' ? { document: row.document } : {}),
    ...(published ? { published: published.view } : {}),
  };
}
