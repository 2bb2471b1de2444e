import { AccessError, type Caller, samePerson } from '../../access/index.js';
import { parseJson } from '../../core/index.js';
import { VexFormatError } from '../../formats/index.js';
import { SignError, type SigningIdentity } from '../../sign/index.js';
import { BlobStore } from '../../store/blobs.js';
import { findTeam } from '../../store/catalogue.js';
import {
  deleteExpiredVexPublications,
  insertVexDocument,
  insertVexPublication,
  markVexPublicationPublished,
  type VexPublicationRow,
} from '../../store/vex.js';
import { audit } from '../audit-trail.js';
import { nowIso, type Services } from '../services.js';
import {
  type BundleRefusals,
  type BundleSigner,
  type CheckedSignedBundle,
  checkSignedBundle,
  logEntryFor,
  stillAdmitted,
} from '../sign/check-signed-bundle.js';
import { meetVexActionsByPublication, type PublishedStatement } from '../triggers/vex-actions.js';
import { serviceTrust } from '../trust/served-trusted-root.js';
import { VexPublicationError } from './errors.js';
import { publicationOf, publishedOf, type VexPublicationView, viewOf } from './publication-view.js';
import {
  type PublishingProduct,
  renderBasis,
  renderVexDocument,
  requirePublisher,
  type VexPublishFormat,
  visibleProduct,
} from './render-document.js';

/** How long a prepared publication waits for its bundle. */
export const PUBLICATION_TTL_MS = 15 * 60_000;
/** Expired publications are kept this long (their refusals say "expired"), then forgotten. */
const EXPIRED_KEPT_MS = 24 * 3600_000;

export interface CompletePublicationInput {
  /** The Sigstore bundle as received (untrusted JSON bytes). */
  bytes: Uint8Array;
  /** The trusted root the service serves (its CA and log); Custody's own log is trusted anyway. */
  trustedRoot?: () => unknown;
}

const REFUSALS: BundleRefusals = {
  unverified: (message, o) => new VexPublicationError('VEX_BUNDLE_UNVERIFIED', message, o),
  notAdmitted: (message, details) =>
    new VexPublicationError('VEX_SIGNER_NOT_ADMITTED', message, { details }),
};

/**
 * Prepare a publication a person signs: the document rendered exactly as keyed publishing would
 * publish it now (renderVexDocument: nothing confidential, the next document version), kept
 * pending for PUBLICATION_TTL_MS with its text, which the caller signs keylessly and completes
 * with completePublication. The document version moves only when a publication completes.
 * @throws AccessError AUTH_FORBIDDEN; InventoryError INVENTORY_NOT_FOUND; VexFormatError
 *   VEX_WRITE_INVALID (nothing publishable), VEX_SCHEMA_INVALID
 */
export async function preparePublication(
  s: Services,
  caller: Caller,
  productName: string,
  format: VexPublishFormat,
): Promise<VexPublicationView> {
  requirePublisher(caller);
  const product = await visibleProduct(s, caller, productName);
  const now = s.clock();
  const at = now.toISOString();
  const rendered = await renderVexDocument(s, s.db.read, product, format, at);
  const expiresAt = new Date(now.getTime() + PUBLICATION_TTL_MS).toISOString();
  const person = caller.principal.person;
  return s.db.kysely.transaction().execute(async (trx) => {
    await deleteExpiredVexPublications(
      trx,
      new Date(now.getTime() - EXPIRED_KEPT_MS).toISOString(),
    );
    const id = await insertVexPublication(trx, {
      team_id: product.team_id,
      product_id: product.id,
      format,
      document_version: rendered.version,
      digest: rendered.digest,
      document: rendered.text,
      statement_count: rendered.statements,
      rendered_at: at,
      prepared_by: person,
      expires_at: expiresAt,
      state: 'pending',
    });
    await audit(
      trx,
      caller,
      {
        action: 'vex.publication.prepare',
        target: `vex-publication:${id}`,
        team: product.team,
        details: {
          product: productName,
          format,
          documentVersion: rendered.version,
          digest: rendered.digest,
          statements: rendered.statements,
          expiresAt,
        },
      },
      at,
    );
    return {
      id,
      product: productName,
      format,
      signing: 'keyless' as const,
      state: 'pending' as const,
      documentVersion: rendered.version,
      digest: rendered.digest,
      statements: rendered.statements,
      preparedBy: person,
      expiresAt,
      document: rendered.text,
    };
  });
}

/**
 * Complete a prepared publication with a Sigstore bundle over its document's exact bytes: the
 * bundle must verify under the service's trusted root (a certificate from its CA, valid at the
 * time its log entry or timestamp proves), its certificate identity must be one of the owning
 * team's signing identities, and, where both are email addresses, the person completing it
 * (people, not tokens: the one who prepared it). The document must still be what publishing would
 * publish. Then it is logged (a `vex` entry with the certificate; the bundle's own entry in
 * Custody's log, when it carries one, is its bundle log index) and, in one transaction, checked
 * again, stored (document and bundle as blobs), recorded, marked published and audited. Every
 * refusal before the log writes nothing; the same bundle again answers the publication
 * (`created: false`).
 * @throws AccessError AUTH_FORBIDDEN; InventoryError INVENTORY_NOT_FOUND; VexPublicationError
 *   VEX_PUBLICATION_NOT_FOUND, VEX_PUBLICATION_EXPIRED, VEX_PUBLICATION_COMPLETED,
 *   VEX_PUBLICATION_STALE, VEX_BUNDLE_UNVERIFIED, VEX_SIGNER_NOT_ADMITTED, VEX_SIGNER_NOT_CALLER;
 *   SignError SIGN_BUNDLE_MALFORMED, SIGN_SERVICE_FAILED (no log); CoreError JSON_PARSE,
 *   INPUT_TOO_LARGE
 */
export async function completePublication(
  s: Services,
  caller: Caller,
  productName: string,
  id: number,
  input: CompletePublicationInput,
): Promise<{ created: boolean; publication: VexPublicationView }> {
  requirePublisher(caller);
  const product = await visibleProduct(s, caller, productName);
  const row = await publicationOf(s.db.read, product, id);
  assertPreparer(caller, row);
  const bundleDigest = BlobStore.digestOf(input.bytes);
  if (row.state === 'published') {
    const published = await publishedOf(s, s.db.read, product, row);
    if (published?.bundleDigest === bundleDigest)
      return { created: false, publication: viewOf(s, product, row, published) };
    throw new VexPublicationError(
      'VEX_PUBLICATION_COMPLETED',
      `Publication ${id} was completed already, with another bundle; prepare a new one to publish again`,
      { details: { id } },
    );
  }
  const at = nowIso(s);
  assertNotExpired(row, at);
  const log = s.tlog;
  if (log === undefined) {
    throw new SignError(
      'SIGN_SERVICE_FAILED',
      'VEX documents are logged before they are published, and this service runs without its transparency log',
      { details: { service: 'log' } },
    );
  }
  const bundle = parseJson(input.bytes, 'bundle', { maxDepth: 64 });
  const document = new Uint8Array(Buffer.from(row.document, 'utf8'));
  const team = await findTeam(s.db.read, product.team);
  const checked = await checkSignedBundle({
    bundle,
    bytes: document,
    what: `the document of publication ${id} (${row.digest})`,
    team: product.team,
    identities: JSON.parse(team?.signing_identities ?? '[]') as SigningIdentity[],
    trust: serviceTrust(s, input.trustedRoot),
    custodyLogId: log.logId,
    keys: false,
    dsse: false,
    refuse: REFUSALS,
  });
  const signer = checked.signer as Extract<BundleSigner, { kind: 'identity' }>;
  assertSignerIsCaller(signer, caller);
  const { basis, stated } = await assertCurrent(s, product, row);
  // Logged before stored, as keyed publications are: the `vex` entry types the publication, with
  // the certificate that signed it.
  const { appended } = await log.append(logEntryFor(bundle, 'vex', row.digest, checked));
  return storePublication(
    s,
    caller,
    { product, row, checked, signer, basis, stated, at },
    input.bytes,
    {
      index: appended.index,
      bundleDigest,
    },
  );
}

interface Completion {
  product: PublishingProduct;
  row: VexPublicationRow;
  checked: CheckedSignedBundle;
  signer: Extract<BundleSigner, { kind: 'identity' }>;
  basis: string;
  /** What the document states, for the trigger actions it meets. */
  stated: PublishedStatement[];
  at: string;
}

/** The transaction of a completion: everything checked again where it is written. */
async function storePublication(
  s: Services,
  caller: Caller,
  c: Completion,
  bundleBytes: Uint8Array,
  logged: { index: number; bundleDigest: string },
): Promise<{ created: boolean; publication: VexPublicationView }> {
  const { product, row, signer, at } = c;
  const document = new Uint8Array(Buffer.from(row.document, 'utf8'));
  const created: string[] = [];
  try {
    return await s.db.kysely.transaction().execute(async (trx) => {
      if ((await renderBasis(trx, product.id, row.format)) !== c.basis) throw stale(row);
      const team = await findTeam(trx, product.team);
      const list = JSON.parse(team?.signing_identities ?? '[]') as SigningIdentity[];
      if (!stillAdmitted(list, signer)) {
        throw new VexPublicationError(
          'VEX_SIGNER_NOT_ADMITTED',
          `${signer.identity} was removed from team ${product.team}'s signing identities meanwhile; ask an organisation admin`,
          { details: { identity: signer.identity, issuer: signer.issuer } },
        );
      }
      if (s.blobs.put(document).created) created.push(row.digest);
      if (s.blobs.put(bundleBytes).created) created.push(logged.bundleDigest);
      const documentId = await insertVexDocument(trx, {
        team_id: product.team_id,
        product_id: product.id,
        format: row.format,
        document_version: row.document_version,
        digest: row.digest,
        bundle_digest: logged.bundleDigest,
        log_index: logged.index,
        bundle_log_index: c.checked.custodyLogIndex ?? null,
        statement_count: row.statement_count,
        published_at: at,
        published_by: caller.principal.person,
        signer_identity: signer.identity,
        signer_issuer: signer.issuer,
      });
      if (!(await markVexPublicationPublished(trx, row.id, documentId))) {
        throw new VexPublicationError(
          'VEX_PUBLICATION_COMPLETED',
          `Publication ${row.id} was completed meanwhile; prepare a new one to publish again`,
          { details: { id: row.id } },
        );
      }
      await meetVexActionsByPublication(trx, caller, product, c.stated, at);
      await audit(
        trx,
        caller,
        {
          action: 'vex.publish',
          target: `vex-document:${product.name}:${row.format}`,
          team: product.team,
          details: {
            format: row.format,
            documentVersion: row.document_version,
            digest: row.digest,
            bundle: logged.bundleDigest,
            logIndex: logged.index,
            statements: row.statement_count,
            publication: row.id,
            signer: { identity: signer.identity, issuer: signer.issuer },
          },
        },
        at,
      );
      const done = { ...row, state: 'published', vex_document_id: documentId };
      const published = await publishedOf(s, trx, product, done);
      return { created: true, publication: viewOf(s, product, done, published) };
    });
  } catch (e) {
    for (const d of created) s.blobs.discard(d);
    throw e;
  }
}

/** A publication is one person's act: who prepared it completes it (any of their tokens). */
function assertPreparer(caller: Caller, row: VexPublicationRow): void {
  if (!samePerson(caller.principal, row.prepared_by)) {
    throw new AccessError(
      'AUTH_FORBIDDEN',
      `Publication ${row.id} was prepared by ${row.prepared_by}, who completes it; prepare your own`,
    );
  }
}

function assertNotExpired(row: VexPublicationRow, at: string): void {
  if (row.expires_at <= at) {
    throw new VexPublicationError(
      'VEX_PUBLICATION_EXPIRED',
      `Publication ${row.id} expired at ${row.expires_at} without its bundle; prepare it again`,
      { details: { id: row.id, expiresAt: row.expires_at } },
    );
  }
}

const EMAIL = /^[^@\s]+@[^@\s]+$/;

/**
 * The certificate must name the person publishing where that can be told: when both the
 * certificate identity and the caller's person are email addresses. (A CI workflow's URI or a
 * person recorded by name cannot be compared; the audit trail records both.)
 */
function assertSignerIsCaller(
  signer: Extract<BundleSigner, { kind: 'identity' }>,
  caller: Caller,
): void {
  const person = caller.principal.person.trim();
  if (!EMAIL.test(signer.identity) || !EMAIL.test(person)) return;
  if (samePerson(caller.principal, signer.identity)) return;
  throw new VexPublicationError(
    'VEX_SIGNER_NOT_CALLER',
    `The bundle is signed by ${signer.identity}, and ${person} is publishing: sign with your own identity`,
    { details: { identity: signer.identity, person } },
  );
}

/**
 * The document must still be what publishing would publish: rendered again at its time from the
 * statements and previous publication as they are now. Answers the basis that was checked, for
 * the transaction to compare.
 */
async function assertCurrent(
  s: Services,
  product: PublishingProduct,
  row: VexPublicationRow,
): Promise<{ basis: string; stated: PublishedStatement[] }> {
  const basis = await renderBasis(s.db.read, product.id, row.format);
  let digest: string | undefined;
  let stated: PublishedStatement[] = [];
  try {
    const rendered = await renderVexDocument(
      s,
      s.db.read,
      product,
      row.format as VexPublishFormat,
      row.rendered_at,
    );
    digest = rendered.digest;
    stated = rendered.stated;
  } catch (e) {
    // Nothing publishable any more (a statement withdrawn from approval) is a change too.
    if (!(e instanceof VexFormatError)) throw e;
  }
  if (digest !== row.digest) throw stale(row);
  return { basis, stated };
}

function stale(row: VexPublicationRow): VexPublicationError {
  return new VexPublicationError(
    'VEX_PUBLICATION_STALE',
    `The product's statements or its last ${row.format} publication changed since publication ${row.id} was prepared; prepare it again and sign the new document`,
    { details: { id: row.id } },
  );
}
