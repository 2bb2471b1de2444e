import type { BundleRef, BundleSigner, EvidenceFile, EvidenceIndex } from '../../evidence/index.js';
import { SIGNING_KEY_PATH } from '../../evidence/index.js';
import { keyHint, loadVerificationKey, type SigningIdentity } from '../../sign/index.js';
import { listArtifacts, type ReleaseRow, sbomsOfRelease } from '../../store/catalogue.js';
import type { Q } from '../../store/db.js';
import { vexDocumentsOfProduct } from '../../store/evidence.js';
import { attestationsOfRelease } from '../../store/release-evidence.js';
import { signaturesOfSbom } from '../../store/sbom-signatures.js';
import type { Services } from '../services.js';

/** Files gathered so far, by path (one file per path, the first one kept). */
export class FileSet {
  readonly files = new Map<string, Uint8Array>();
  add(path: string, data: Uint8Array | string): string {
    if (!this.files.has(path))
      this.files.set(path, typeof data === 'string' ? new TextEncoder().encode(data) : data);
    return path;
  }
  json(path: string, value: unknown): string {
    return this.add(path, `${JSON.stringify(value, null, 2)}\n`);
  }
  list(): EvidenceFile[] {
    return [...this.files].map(([path, data]) => ({ path, data }));
  }
}

export interface Collected {
  index: EvidenceIndex;
  /** Log indices the records name in Custody's log. */
  logIndices: Set<number>;
  /** Log indices bundles name, with the entry body (base64) they hold: maybe another log's. */
  bundleEntries: Map<number, string>;
  artifactDigests: string[];
  sbomIds: number[];
  vexFormats: string[];
  counts: { sboms: number; vex: number };
}

const hex = (digest: string) => digest.replace(/^sha256:/, '');

/**
 * The release's signed material into `out`: every SBOM version (bytes as stored), the bundles
 * over them, the release's attestations, and the product's published VEX documents with theirs;
 * and the index saying which bundle signs what, and who must have signed it.
 */
export async function collectSigned(
  s: Services,
  q: Q,
  release: ReleaseRow,
  identities: readonly SigningIdentity[],
  emergencyIssuer: string | null,
  out: FileSet,
): Promise<Collected> {
  const [artifacts, sboms, attestations, vexDocs] = await Promise.all([
    listArtifacts(q, release.id),
    sbomsOfRelease(q, release.id),
    attestationsOfRelease(q, release.id),
    vexDocumentsOfProduct(q, release.product_id),
  ]);
  const bundles: BundleRef[] = [];
  const logIndices = new Set<number>();
  const bundleEntries = new Map<number, string>();
  const keyPath = (hint: string | null): BundleSigner => {
    const id = identities.find(
      (i): i is Extract<SigningIdentity, { publicKey: string }> =>
        'publicKey' in i && keyHint(loadVerificationKey(i.publicKey).publicKey) === hint,
    );
    if (id === undefined) throw new Error(`no registered key with hint ${hint}`);
    const path = `trust/keys/${Buffer.from(hint ?? '', 'base64').toString('hex')}.pem`;
    out.add(path, id.publicKey);
    return { kind: 'key', keyPath: path };
  };
  const signerOf = (r: {
    signer_kind: string;
    identity: string | null;
    issuer: string | null;
    key_hint: string | null;
  }): BundleSigner =>
    r.signer_kind === 'identity'
      ? { kind: 'identity', identity: r.identity ?? '', issuer: r.issuer ?? '' }
      : keyPath(r.key_hint);
  const addBundle = (digest: string, ref: Omit<BundleRef, 'path' | 'tlogEntries'>) => {
    const path = out.add(`bundles/${hex(digest)}.json`, s.blobs.get(digest));
    const inBundle = noteLogEntries(out.files.get(path), bundleEntries);
    bundles.push({ path, ...ref, tlogEntries: inBundle });
  };

  const artifactOf = new Map(artifacts.map((a) => [a.id, a]));
  for (const sbom of sboms) {
    const a = artifactOf.get(sbom.artifact_id);
    const path = out.add(
      `sbom/${hex(a?.digest ?? 'unknown')}/v${sbom.version_no}.${extension(sbom.media_type)}`,
      s.blobs.get(sbom.digest),
    );
    for (const sig of await signaturesOfSbom(q, sbom.id)) {
      if (sig.log_index !== null) logIndices.add(sig.log_index);
      addBundle(sig.bundle_digest, {
        purpose: 'sbom-signature',
        subject:
          sig.content === 'dsse'
            ? { digest: dsseSubject(s.blobs.get(sig.bundle_digest), sbom.digest, a?.digest ?? '') }
            : { path },
        signer: signerOf(sig),
        emergency: emergencyIssuer !== null && sig.issuer === emergencyIssuer,
      });
    }
  }
  for (const at of attestations) {
    if (at.log_index !== null) logIndices.add(at.log_index);
    addBundle(at.bundle_digest, {
      purpose: 'attestation',
      subject: { digest: at.artifact_digest },
      signer: signerOf(at),
      emergency: at.emergency === 1,
      predicateType: at.predicate_type,
    });
  }
  for (const v of vexDocs) {
    const path = out.add(
      `vex/${v.format}-v${v.document_version}-${hex(v.digest).slice(0, 12)}.json`,
      s.blobs.get(v.digest),
    );
    if (v.log_index !== null) logIndices.add(v.log_index);
    if (v.bundle_log_index !== null) logIndices.add(v.bundle_log_index);
    addBundle(v.bundle_digest, {
      purpose: 'vex',
      subject: { path },
      signer:
        v.signer_identity !== null
          ? { kind: 'identity', identity: v.signer_identity, issuer: v.signer_issuer ?? '' }
          : { kind: 'key', keyPath: SIGNING_KEY_PATH },
      emergency: false,
    });
  }
  return {
    index: { bundles, logEntries: [] },
    logIndices,
    bundleEntries,
    artifactDigests: artifacts.map((a) => a.digest),
    sbomIds: sboms.map((x) => x.id),
    vexFormats: [...new Set(vexDocs.map((v) => v.format))],
    counts: { sboms: sboms.length, vex: vexDocs.length },
  };
}

// A bundle's own log entries (those in Custody's log are proven from it; others are the bundle's
// own business and verify through its inclusion proof).
function noteLogEntries(bundle: Uint8Array | undefined, into: Map<number, string>): number {
  if (bundle === undefined) return 0;
  try {
    const b = JSON.parse(new TextDecoder().decode(bundle)) as {
      verificationMaterial?: {
        tlogEntries?: { logIndex?: string | number; canonicalizedBody?: string }[];
      };
    };
    for (const e of b.verificationMaterial?.tlogEntries ?? []) {
      const i = Number(e.logIndex);
      if (Number.isSafeInteger(i) && i >= 0 && e.canonicalizedBody)
        into.set(i, e.canonicalizedBody);
    }
    return b.verificationMaterial?.tlogEntries?.length ?? 0;
  } catch {
    // A stored bundle was verified on intake; one that does not parse now has nothing to add.
    return 0;
  }
}

/**
 * Which digest an SBOM's in-toto attestation names: the SBOM itself, or its artifact (with the
 * SBOM as the predicate) — intake accepted either (inventory/sbom-bundle-check.ts).
 */
function dsseSubject(bundle: Uint8Array, sbomDigest: string, artifactDigest: string): string {
  try {
    const b = JSON.parse(new TextDecoder().decode(bundle)) as {
      dsseEnvelope?: { payload?: string };
    };
    const statement = JSON.parse(
      Buffer.from(b.dsseEnvelope?.payload ?? '', 'base64').toString('utf8'),
    ) as { subject?: { digest?: { sha256?: string } }[] };
    const named = (d: string) =>
      (statement.subject ?? []).some((x) => `sha256:${x.digest?.sha256}` === d);
    return named(sbomDigest) ? sbomDigest : artifactDigest;
  } catch {
    return artifactDigest;
  }
}

function extension(mediaType: string): string {
  if (mediaType.includes('xml')) return 'xml';
  if (mediaType.includes('json')) return 'json';
  return 'txt';
}
