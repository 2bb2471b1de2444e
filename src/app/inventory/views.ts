import type {
  ArtifactRow,
  ProductRow,
  ReleaseRow,
  SbomRow,
  TeamRow,
} from '../../store/catalogue.js';
import type { SbomSignatureRow } from '../../store/sbom-signatures.js';
import type { ComponentHit } from '../../store/search.js';

// One definition of Page<T> for the server and the dashboard (src/api/page.ts).
export type { Page } from '../../api/index.js';

/** The API's shapes: camelCase, booleans as booleans, the quality score back to 0–10. */
export interface SbomView {
  id: number;
  digest: string;
  format: string;
  specVersion: string;
  serialNumber: string | null;
  mediaType: string;
  size: number;
  version: number;
  supersedes: number | null;
  current: boolean;
  qualityScore: number;
  componentCount: number;
  signed: boolean;
  documentCreated: string | null;
  createdAt: string;
  createdBy: string;
  product?: string;
  release?: string;
  artifact?: string;
  team?: string;
  releaseId: number;
  artifactId: number;
  /** The verified bundles over it (GET /api/v1/sboms/{id} only). */
  signatures?: SbomSignatureView[];
}

/** A verified Sigstore bundle over an SBOM: who signed it and where it is logged. */
export interface SbomSignatureView {
  id: number;
  /** `sha256:<hex>` of the bundle, as stored in the blob store. */
  bundleDigest: string;
  /** `message` (signature over the SBOM) or `dsse` (in-toto attestation). */
  content: string;
  signer:
    | { kind: 'identity'; identity: string; issuer: string }
    | { kind: 'key'; name: string | null; hint: string };
  /** Index in Custody's transparency log (null when the log is off). */
  logIndex: number | null;
  /** `bundle`: the bundle's own entry; `custody`: logged by Custody on intake. */
  loggedBy: string | null;
  createdAt: string;
  createdBy: string;
}

export function sbomSignatureView(r: SbomSignatureRow): SbomSignatureView {
  return {
    id: r.id,
    bundleDigest: r.bundle_digest,
    content: r.content,
    signer:
      r.signer_kind === 'identity'
        ? { kind: 'identity', identity: r.identity ?? '', issuer: r.issuer ?? '' }
        : { kind: 'key', name: r.key_name, hint: r.key_hint ?? '' },
    logIndex: r.log_index === null ? null : Number(r.log_index),
    loggedBy: r.logged_by,
    createdAt: r.created_at,
    createdBy: r.created_by,
  };
}

export function sbomView(
  r: SbomRow,
  where: { product?: string; release?: string; artifact?: string; team?: string } = {},
): SbomView {
  return {
    id: r.id,
    digest: r.digest,
    format: r.format,
    specVersion: r.spec_version,
    serialNumber: r.serial_number,
    mediaType: r.media_type,
    size: r.size,
    version: r.version_no,
    supersedes: r.supersedes_id,
    current: r.current === 1,
    qualityScore: r.quality_score / 10,
    componentCount: r.component_count,
    signed: r.signed === 1,
    documentCreated: r.document_created,
    createdAt: r.created_at,
    createdBy: r.created_by,
    releaseId: r.release_id,
    artifactId: r.artifact_id,
    ...where,
  };
}

export interface TeamView {
  name: string;
  createdAt: string;
  gatePolicy: unknown;
  /** Who may sign for the team (sign/signing-identities.ts). */
  signingIdentities: unknown[];
}

export function teamView(t: TeamRow): TeamView {
  return {
    name: t.name,
    createdAt: t.created_at,
    gatePolicy: t.gate_policy === null ? null : JSON.parse(t.gate_policy),
    signingIdentities: JSON.parse(t.signing_identities) as unknown[],
  };
}

export interface ProductView {
  id: number;
  name: string;
  team: string;
  createdAt: string;
  /** Third-party software taken in through supplier intake. */
  supplier: boolean;
}

export function productView(p: ProductRow): ProductView {
  return {
    id: p.id,
    name: p.name,
    team: p.team,
    createdAt: p.created_at,
    supplier: p.supplier === 1,
  };
}

export interface ReleaseView {
  id: number;
  product: string;
  productId: number;
  version: string;
  tag: string | null;
  commit: string | null;
  createdAt: string;
  rebuiltAt: string | null;
  deployed: boolean;
  /** The change ticket (SOX / SOC 2) the release was made under. */
  ticket: string | null;
}

export function releaseView(r: ReleaseRow): ReleaseView {
  return {
    id: r.id,
    product: r.product,
    productId: r.product_id,
    version: r.version,
    tag: r.tag,
    commit: r.commit_sha,
    createdAt: r.created_at,
    rebuiltAt: r.rebuilt_at,
    deployed: r.deployed === 1,
    ticket: r.ticket,
  };
}

export interface ArtifactView {
  id: number;
  digest: string;
  name: string | null;
  createdAt: string;
}

export function artifactView(a: ArtifactRow): ArtifactView {
  return { id: a.id, digest: a.digest, name: a.name, createdAt: a.created_at };
}

export interface ComponentHitView {
  purl: string | null;
  name: string;
  version: string | null;
  ecosystem: string | null;
  scope: string | null;
  direct: boolean;
  licenses: string | null;
  current: boolean;
  sbom: { id: number };
  release: { id: number; version: string; createdAt: string; deployed: boolean };
  product: { id: number; name: string; team: string };
  artifact: { id: number; digest: string; name: string | null };
}

export function hitView(h: ComponentHit): ComponentHitView {
  return {
    purl: h.purl,
    name: h.name,
    version: h.version,
    ecosystem: h.ecosystem,
    scope: h.scope,
    direct: h.direct === 1,
    licenses: h.licenses,
    current: h.current === 1,
    sbom: { id: h.sbom_id },
    release: {
      id: h.release_id,
      version: h.release_version,
      createdAt: h.release_created_at,
      deployed: h.deployed === 1,
    },
    product: { id: h.product_id, name: h.product, team: h.team },
    artifact: { id: h.artifact_id, digest: h.artifact_digest, name: h.artifact_name },
  };
}
