import type { SerializedBundle } from '@sigstore/bundle';
import type { Witness } from '@sigstore/sign';
import type { Caller } from '../../access/index.js';
import { InventoryError } from '../../inventory/index.js';
import { loadBundleBuilder, SignError } from '../../sign/index.js';
import { BlobStore } from '../../store/blobs.js';
import { insertVexDocument, latestVexDocument, type VexDocumentRow } from '../../store/vex.js';
import { audit } from '../audit-trail.js';
import { nowIso, type Services } from '../services.js';
import type { EntryView, LogFace } from '../tlog/service.js';
import { meetVexActionsByPublication } from '../triggers/vex-actions.js';
import {
  renderVexDocument,
  requirePublisher,
  type VexPublishFormat,
  visibleProduct,
} from './render-document.js';

export { VEX_PUBLISH_FORMATS, type VexPublishFormat } from './render-document.js';

/**
 * Who signed a publication: the service's VEX-signing key (verify with `custody verify --key`),
 * or a person's certificate identity from the service's CA (verify with
 * `--certificate-identity` and `--certificate-oidc-issuer`).
 */
export type VexSigner =
  | { kind: 'key'; publicKey: string }
  | { kind: 'identity'; identity: string; issuer: string };

export interface PublishedVexView {
  product: string;
  format: VexPublishFormat;
  documentVersion: string;
  /** `sha256:<hex>` of the document bytes. */
  digest: string;
  statements: number;
  publishedAt: string;
  publishedBy: string;
  /** The `vex` entry recording this publication in Custody's log. */
  logIndex: number | null;
  /** The bundle's own hashedrekord entry (what Sigstore verifiers check). */
  bundleLogIndex: number | null;
  /** How it was signed, and so how to verify its bundle. */
  signer: VexSigner;
  /**
   * SPKI PEM of the service's VEX-signing key when it signed (`custody verify --key`); null when
   * a person signed keylessly (`signer` names the identity).
   */
  publicKey: string | null;
}

/**
 * Publish a product's VEX document in `format`, signed by the service: the document as
 * renderVexDocument writes it (approved, non-confidential statements; the version moved;
 * schema-valid), signed with the service's VEX-signing key into a Sigstore bundle whose signature
 * is logged (hashedrekord, so verifiers check inclusion) and recorded as a `vex` entry in
 * Custody's log; then, in one transaction, the document and bundle stored as blobs, the
 * publication recorded and audited. Logged before stored: a publication that is not in the log
 * does not exist. (A person signs instead through preparePublication/completePublication.)
 * @throws AccessError AUTH_FORBIDDEN; InventoryError INVENTORY_NOT_FOUND; VexFormatError
 *   VEX_WRITE_INVALID (nothing publishable), VEX_SCHEMA_INVALID; SignError SIGN_SERVICE_FAILED
 *   (no log or no key)
 */
export async function publishVexDocument(
  s: Services,
  caller: Caller,
  productName: string,
  format: VexPublishFormat,
): Promise<PublishedVexView> {
  requirePublisher(caller);
  const p = caller.principal;
  const log = s.tlog;
  const key = s.vexKey;
  if (log === undefined || key === undefined) {
    throw new SignError(
      'SIGN_SERVICE_FAILED',
      'VEX documents are signed and logged before they are published, and this service runs without its transparency log',
      { details: { service: 'log' } },
    );
  }
  const product = await visibleProduct(s, caller, productName);
  const at = nowIso(s);
  const rendered = await renderVexDocument(s, s.db.read, product, format, at);
  const { bytes, digest } = rendered;
  // Sign and log: the bundle's entry (hashedrekord) for Sigstore verifiers, and a `vex` entry
  // typing the publication in the log.
  let bundleEntry: EntryView | undefined;
  const { buildMessageSignatureBundle } = await loadBundleBuilder();
  const bundle = await buildMessageSignatureBundle(bytes, key, {
    witnesses: [inProcessWitness(log, (v) => (bundleEntry = v))],
  });
  const sig = signatureOf(bundle);
  const { appended } = await log.append({
    kind: 'vex',
    digest,
    signature: sig,
    publicKey: key.publicPem,
  });
  const bundleBytes = new Uint8Array(Buffer.from(`${JSON.stringify(bundle)}\n`, 'utf8'));
  const bundleDigest = BlobStore.digestOf(bundleBytes);
  const created: string[] = [];
  try {
    return await s.db.kysely.transaction().execute(async (trx) => {
      if (s.blobs.put(bytes).created) created.push(digest);
      if (s.blobs.put(bundleBytes).created) created.push(bundleDigest);
      await insertVexDocument(trx, {
        team_id: product.team_id,
        product_id: product.id,
        format,
        document_version: rendered.version,
        digest,
        bundle_digest: bundleDigest,
        log_index: appended.index,
        bundle_log_index: bundleEntry?.index ?? null,
        statement_count: rendered.statements,
        published_at: at,
        published_by: p.person,
      });
      await meetVexActionsByPublication(trx, caller, product, rendered.stated, at);
      await audit(
        trx,
        caller,
        {
          action: 'vex.publish',
          target: `vex-document:${productName}:${format}`,
          team: product.team,
          details: {
            format,
            documentVersion: rendered.version,
            digest,
            bundle: bundleDigest,
            logIndex: appended.index,
            statements: rendered.statements,
          },
        },
        at,
      );
      return {
        product: productName,
        format,
        documentVersion: rendered.version,
        digest,
        statements: rendered.statements,
        publishedAt: at,
        publishedBy: p.person,
        logIndex: appended.index,
        bundleLogIndex: bundleEntry?.index ?? null,
        signer: { kind: 'key', publicKey: key.publicPem },
        publicKey: key.publicPem,
      };
    });
  } catch (e) {
    for (const d of created) s.blobs.discard(d);
    throw e;
  }
}

export interface PublishedVex {
  view: PublishedVexView;
  document: Uint8Array;
  bundle: Uint8Array;
}

/**
 * The product's current published document in `format`, with its bundle. Same token rules as
 * the inventory's reads (inventory:read, team scope): what it serves was published, so it holds
 * no confidential statement.
 * @throws InventoryError INVENTORY_NOT_FOUND (no product in scope, or nothing published)
 */
export async function getPublishedVex(
  s: Services,
  caller: Caller,
  productName: string,
  format: VexPublishFormat,
): Promise<PublishedVex> {
  const product = await visibleProduct(s, caller, productName);
  const row = await latestVexDocument(s.db.read, product.id, format);
  if (!row) {
    throw new InventoryError(
      'INVENTORY_NOT_FOUND',
      `no ${format} VEX document of ${productName} was published: POST /api/v1/vex/${productName}/publish?format=${format} publishes one`,
    );
  }
  return {
    view: publishedView(s, productName, format, row),
    document: s.blobs.get(row.digest),
    bundle: s.blobs.get(row.bundle_digest),
  };
}

/** The service's VEX-signing public key (SPKI PEM), or undefined when the service signs none. */
export function vexSigningKey(s: Services): string | undefined {
  return s.vexKey?.publicPem;
}

/** The view of a stored publication (keyed or keyless: its signer columns say which). */
export function publishedView(
  s: Pick<Services, 'vexKey'>,
  product: string,
  format: VexPublishFormat,
  row: VexDocumentRow,
): PublishedVexView {
  const keyless = row.signer_identity !== null;
  const publicKey = keyless ? null : (s.vexKey?.publicPem ?? '');
  return {
    product,
    format,
    documentVersion: row.document_version,
    digest: row.digest,
    statements: row.statement_count,
    publishedAt: row.published_at,
    publishedBy: row.published_by,
    logIndex: row.log_index,
    bundleLogIndex: row.bundle_log_index,
    signer: keyless
      ? {
          kind: 'identity',
          identity: row.signer_identity as string,
          issuer: row.signer_issuer ?? '',
        }
      : { kind: 'key', publicKey: publicKey ?? '' },
    publicKey,
  };
}

function signatureOf(bundle: SerializedBundle): string {
  const sig = bundle.messageSignature?.signature;
  if (sig === undefined) throw new Error('a message-signature bundle without its signature');
  return sig;
}

/**
 * A @sigstore/sign witness that logs the signature in this service's own log, in process: the
 * Rekor hashedrekord entry sigstore-js would send over HTTP, appended and turned into the
 * bundle's transparency-log entry (inclusion proof, checkpoint, signed entry timestamp).
 */
function inProcessWitness(log: LogFace, seen: (v: EntryView) => void): Witness {
  return {
    async testify(content, publicKey) {
      if (content.$case !== 'messageSignature') {
        throw new Error('the VEX witness logs message signatures only');
      }
      const m = content.messageSignature;
      const { view } = await log.append({
        apiVersion: '0.0.1',
        kind: 'hashedrekord',
        spec: {
          data: {
            hash: {
              algorithm: 'sha256',
              value: Buffer.from(m.messageDigest?.digest ?? []).toString('hex'),
            },
          },
          signature: {
            content: Buffer.from(m.signature).toString('base64'),
            publicKey: { content: Buffer.from(publicKey, 'utf8').toString('base64') },
          },
        },
      });
      seen(view);
      const body = Buffer.from(view.body, 'base64');
      const parsed = JSON.parse(body.toString('utf8')) as { kind: string; apiVersion: string };
      const p = view.inclusionProof;
      return {
        tlogEntries: [
          {
            logIndex: String(view.index),
            logId: { keyId: Buffer.from(view.logId, 'hex') },
            kindVersion: { kind: parsed.kind, version: parsed.apiVersion },
            integratedTime: String(view.integratedTime),
            inclusionPromise: {
              signedEntryTimestamp: Buffer.from(view.signedEntryTimestamp, 'base64'),
            },
            inclusionProof: {
              logIndex: String(p.logIndex),
              rootHash: Buffer.from(p.rootHash, 'hex'),
              treeSize: String(p.treeSize),
              hashes: p.hashes.map((h) => Buffer.from(h, 'hex')),
              checkpoint: { envelope: p.checkpoint },
            },
            canonicalizedBody: body,
          },
        ],
      };
    },
  };
}
