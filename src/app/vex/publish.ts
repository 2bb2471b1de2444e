import type { SerializedBundle } from '@sigstore/bundle';
import type { Witness } from '@sigstore/sign';
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
import { loadBundleBuilder, SignError } from '../../sign/index.js';
import { BlobStore } from '../../store/blobs.js';
import { findProduct } from '../../store/catalogue.js';
import {
  insertVexDocument,
  latestVexDocument,
  type VexDocumentRow,
  vexStatementsOfProduct,
} from '../../store/vex.js';
import { type LifecycleStatement, publishableDocument } from '../../vex/index.js';
import { audit } from '../audit-trail.js';
import { nowIso, type Services } from '../services.js';
import type { EntryView, LogFace } from '../tlog/service.js';

export const VEX_PUBLISH_FORMATS = ['openvex', 'cyclonedx', 'csaf'] as const;
export type VexPublishFormat = (typeof VEX_PUBLISH_FORMATS)[number] & VexFormat;

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
  /** SPKI PEM of the service's VEX-signing key: verify the bundle with it (`custody verify --key`). */
  publicKey: string;
}

/**
 * Publish a product's VEX document in `format`: its approved, non-confidential statements
 * (vex/'s publishableDocument: confidential statements, and any statement naming a confidential
 * vulnerability, redacted; judgments awaiting approval left out), the document version moved
 * (publishVex: the previous publication in this format + 1, CSAF's revision history extended),
 * written and validated against the format's schema, signed with the service's VEX-signing key
 * into a Sigstore bundle whose signature is logged (hashedrekord, so verifiers check inclusion)
 * and recorded as a `vex` entry in Custody's log; then, in one transaction, the document and
 * bundle stored as blobs, the publication recorded and audited. Logged before stored: a
 * publication that is not in the log does not exist.
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
  const p = caller.principal;
  if (!can(p.role, 'inventory:write') && !can(p.role, 'decision:write')) {
    throw new AccessError(
      'AUTH_FORBIDDEN',
      `A ${p.role} token may not publish VEX: a publisher or approver of the team does`,
    );
  }
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
  const rows = await vexStatementsOfProduct(s.db.read, product.id, { confidential: true });
  const at = nowIso(s);
  const doc = publishableDocument({
    id: `urn:custody:vex:${encodeURIComponent(product.team)}:${encodeURIComponent(productName)}`,
    author: `Custody (team ${product.team})`,
    title: `VEX for ${productName}`,
    tooling: 'Custody',
    statements: rows.map((r) => JSON.parse(r.body) as LifecycleStatement),
  });
  if (doc.statements.length === 0) {
    throw new VexFormatError(
      'VEX_WRITE_INVALID',
      `${productName} has no statement to publish: statements must be approved where they need it, and confidential ones disclosed first`,
    );
  }
  const prevRow = await latestVexDocument(s.db.read, product.id, format);
  const previous = prevRow === undefined ? undefined : await previousDocument(s, prevRow);
  const published = publishVex(doc, { at, ...(previous ? { previous } : { number: 1 }) });
  const written = writeVex(published, format, { now: at });
  const bytes = new Uint8Array(Buffer.from(written.text, 'utf8'));
  const check = await validateVex(bytes, { what: `${productName} (${format})` });
  if (!check.valid) {
    throw new VexFormatError(
      'VEX_SCHEMA_INVALID',
      `the ${format} document Custody wrote for ${productName} fails its schema; nothing was published`,
      { details: { errors: check.errors.slice(0, 20) } },
    );
  }
  // Sign and log: the bundle's entry (hashedrekord) for Sigstore verifiers, and a `vex` entry
  // typing the publication in the log.
  let bundleEntry: EntryView | undefined;
  const { buildMessageSignatureBundle } = await loadBundleBuilder();
  const bundle = await buildMessageSignatureBundle(bytes, key, {
    witnesses: [inProcessWitness(log, (v) => (bundleEntry = v))],
  });
  const digest = BlobStore.digestOf(bytes);
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
        document_version: published.version ?? '1',
        digest,
        bundle_digest: bundleDigest,
        log_index: appended.index,
        bundle_log_index: bundleEntry?.index ?? null,
        statement_count: published.statements.length,
        published_at: at,
        published_by: p.person,
      });
      await audit(
        trx,
        caller,
        {
          action: 'vex.publish',
          target: `vex-document:${productName}:${format}`,
          team: product.team,
          details: {
            format,
            documentVersion: published.version,
            digest,
            bundle: bundleDigest,
            logIndex: appended.index,
            statements: published.statements.length,
          },
        },
        at,
      );
      return {
        product: productName,
        format,
        documentVersion: published.version ?? '1',
        digest,
        statements: published.statements.length,
        publishedAt: at,
        publishedBy: p.person,
        logIndex: appended.index,
        bundleLogIndex: bundleEntry?.index ?? null,
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
    view: {
      product: productName,
      format,
      documentVersion: row.document_version,
      digest: row.digest,
      statements: row.statement_count,
      publishedAt: row.published_at,
      publishedBy: row.published_by,
      logIndex: row.log_index,
      bundleLogIndex: row.bundle_log_index,
      publicKey: s.vexKey?.publicPem ?? '',
    },
    document: s.blobs.get(row.digest),
    bundle: s.blobs.get(row.bundle_digest),
  };
}

/** The service's VEX-signing public key (SPKI PEM), or undefined when the service signs none. */
export function vexSigningKey(s: Services): string | undefined {
  return s.vexKey?.publicPem;
}

async function visibleProduct(s: Services, caller: Caller, name: string) {
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
  return { id: product.id, team_id: product.team_id, team: team.name };
}

// The previous publication in this format, read back into the model (its version and, for
// CSAF, its revision history carry on).
async function previousDocument(s: Services, row: VexDocumentRow): Promise<VexDocument> {
  return (await readVex(s.blobs.get(row.digest), { what: `published VEX ${row.digest}` })).document;
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
