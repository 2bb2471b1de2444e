import { createPublicKey } from 'node:crypto';
import { bundleFromJSON, bundleToJSON, type SerializedBundle } from '@sigstore/bundle';
import { CustodyError } from '../../core/index.js';
import { writeFileAtomic } from '../../fs/durable-write.js';
import { fetchLogTrustEntry } from '../../net/log-trust-entry.js';
import {
  custodyLogWitness,
  type LogWitnessOptions,
  type RetryOptions,
} from '../../net/log-witness.js';
import {
  COSIGN_ANNOTATION,
  type Descriptor,
  type ImageManifest,
  MEDIA,
  manifestBytes,
  parseImageReference,
  type RegistryClient,
  readCosignTag,
} from '../../oci/index.js';
import {
  loadVerifier,
  parseTrustedRoot,
  type TransparencyLogJson,
  type TrustedRoot,
} from '../../sign/index.js';
import { type Env, openRegistry, type RegistryOptions } from '../oci/registry.js';
import { cosignMaterialAnnotations, pushBundleReferrer } from '../oci/sign-image.js';
import { isLogOutage } from '../sign/log-later-witness.js';
import { LogLaterError } from './errors.js';
import { readSpool, removeSpoolEntry, type SpoolEntry, type SpoolTarget } from './spool.js';

export interface UploadOptions {
  spoolDir: string;
  /** Log here instead of each entry's own log URL. */
  url?: string;
  /**
   * 'log': entries never logged (`--log-later`); 'public': entries logged in the private log
   * standing in for the public one (dual-log preference).
   */
  pending?: 'log' | 'public';
  /**
   * The log's trust entries (a trusted root's `tlogs`): the returned entries must verify against
   * one of them. None: the log's own (GET /api/v1/tlog of its server, trusted on first use).
   */
  trustedLogs?: TransparencyLogJson[];
  env: Env;
  registry?: RegistryOptions;
  /** Retry tuning for the log (tests make it fast). */
  log?: Omit<LogWitnessOptions, 'url'> & Pick<RetryOptions, 'onRetry'>;
  /** Told as each entry is done or fails. */
  onProgress?: (e: UploadedEntry | FailedEntry) => void;
}

export interface UploadedEntry {
  kind: 'uploaded';
  id: string;
  path: string;
  logUrl: string;
  logIndex: string;
  target: SpoolTarget;
  /** Where the completed bundle went: the file, or the referrer pushed / the `.sig` tag. */
  completed: string;
}

export interface FailedEntry {
  kind: 'failed';
  path: string;
  id?: string;
  code: string;
  message: string;
  /** The log (or registry) could not be reached: try again later. */
  unavailable: boolean;
}

export interface UploadResult {
  uploaded: UploadedEntry[];
  failed: FailedEntry[];
}

/**
 * `custody log upload`: every spooled signature logged, its entry verified against the log's key
 * (inclusion proof and signed entry timestamp, by the same verifier as `custody verify`), the bundle
 * it belongs to completed, and only then its spool file removed. Safe to run again at any point:
 * the log answers a signature it has already with 409 and the existing entry, which is reused.
 */
export async function uploadSpooled(o: UploadOptions): Promise<UploadResult> {
  const pending = o.pending ?? 'log';
  const result: UploadResult = { uploaded: [], failed: [] };
  const roots = new Map<string, TrustedRoot>();
  const fail = (f: Omit<FailedEntry, 'kind'>) => {
    const e: FailedEntry = { kind: 'failed', ...f };
    result.failed.push(e);
    o.onProgress?.(e);
  };
  for (const file of readSpool(o.spoolDir)) {
    if (file.entry === undefined) {
      const err = file.error as LogLaterError;
      fail({ path: file.path, code: err.code, message: err.message, unavailable: false });
      continue;
    }
    const entry = file.entry;
    if (entry.pending !== pending) continue;
    const logUrl = (o.url ?? entry.logUrl).replace(/\/+$/, '');
    try {
      const logged = await logOne(entry, logUrl, o);
      // A public entry goes into a sidecar bundle that carries it alone (see completeTarget).
      const completed = entry.pending === 'public' ? onlyLastEntry(logged) : logged;
      let root = roots.get(logUrl);
      if (root === undefined) {
        root = trustedRootFor(o.trustedLogs ?? [await fetchLogTrustEntry(logUrl)]);
        roots.set(logUrl, root);
      }
      await verifyCompleted(completed, entry, root);
      const where = await completeTarget(entry.target, completed, o, entry.pending);
      removeSpoolEntry(file.path);
      const done: UploadedEntry = {
        kind: 'uploaded',
        id: entry.id,
        path: file.path,
        logUrl,
        logIndex: lastEntry(completed)?.logIndex ?? '0',
        target: entry.target,
        completed: where,
      };
      result.uploaded.push(done);
      o.onProgress?.(done);
    } catch (e) {
      const c = e as CustodyError;
      fail({
        path: file.path,
        id: entry.id,
        code: e instanceof CustodyError ? c.code : 'INTERNAL',
        message: (e as Error).message,
        unavailable:
          isLogOutage(e) || c.code === 'USAGE' || /^(NET_|OCI_.*UNAVAILABLE)/.test(c.code ?? ''),
      });
    }
  }
  return result;
}

/** The entry logged (or found, when already there), added to the bundle's entries. */
async function logOne(
  entry: SpoolEntry,
  logUrl: string,
  o: UploadOptions,
): Promise<SerializedBundle> {
  const bundle = bundleFromJSON(entry.bundle);
  const witness = custodyLogWitness({ ...o.log, url: logUrl });
  const vm = await witness.testify(bundle.content, entry.publicKey);
  const tlogEntries = [...bundle.verificationMaterial.tlogEntries, ...(vm.tlogEntries ?? [])];
  return bundleToJSON({
    ...bundle,
    verificationMaterial: { ...bundle.verificationMaterial, tlogEntries },
  });
}

function trustedRootFor(tlogs: TransparencyLogJson[]): TrustedRoot {
  return parseTrustedRoot({
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs,
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  });
}

/**
 * The completed bundle verifies under its key with the new entry: the entry's inclusion proof
 * and signed entry timestamp against the log's key, and the entry's body against the signature.
 * @throws LogLaterError LOG_LATER_ENTRY_UNVERIFIED
 */
async function verifyCompleted(
  completed: SerializedBundle,
  entry: SpoolEntry,
  root: TrustedRoot,
): Promise<void> {
  const { verifyBundle } = await loadVerifier();
  const only = {
    ...completed,
    verificationMaterial: {
      ...completed.verificationMaterial,
      tlogEntries: [lastEntry(completed)].filter((x) => x !== undefined),
    },
  } as SerializedBundle;
  const md = completed.messageSignature?.messageDigest;
  const artifact =
    md !== undefined
      ? {
          digest: {
            algorithm: 'sha256' as const,
            hex: Buffer.from(md.digest, 'base64').toString('hex'),
          },
        }
      : undefined;
  try {
    verifyBundle(only, artifact, { key: createPublicKey(entry.publicKey) }, root, {
      tlogThreshold: 1,
      timestampThreshold: 1,
    });
  } catch (e) {
    throw new LogLaterError(
      'LOG_LATER_ENTRY_UNVERIFIED',
      `The log's entry for ${entry.id} does not verify: ${(e as Error).message}`,
      { cause: e, details: { id: entry.id } },
    );
  }
}

function onlyLastEntry(b: SerializedBundle): SerializedBundle {
  const last = lastEntry(b);
  return {
    ...b,
    verificationMaterial: {
      ...b.verificationMaterial,
      tlogEntries: last === undefined ? [] : [last],
    },
  } as SerializedBundle;
}

/**
 * Where a public entry's bundle goes: beside the bundle file, `<name>.public.sigstore.json`. The
 * bundle file keeps its private entry and is not touched: it may already be attached or handed
 * out, and a Sigstore verifier refuses an entry from a log its trusted root does not know, so a
 * bundle carrying both entries would fail for everyone who trusts only one of the two logs. Each
 * file verifies against the root that knows its log.
 */
export function publicSidecarPath(bundlePath: string): string {
  return `${bundlePath.replace(/(\.sigstore)?\.json$/, '')}.public.sigstore.json`;
}

function lastEntry(b: SerializedBundle) {
  const all = b.verificationMaterial.tlogEntries ?? [];
  return all[all.length - 1];
}

/**
 * The bundle file rewritten; for an image, the `.sig` layer's annotations completed in place
 * (same payload, same signature: cosign's `bundle` annotation added), and the complete bundle
 * pushed as a new referrer. Referrers are content-addressed manifests and the registry client
 * has no delete: the unlogged referrer stays beside the complete one, and a verifier that
 * requires a log entry simply does not count it.
 */
async function completeTarget(
  target: SpoolTarget,
  completed: SerializedBundle,
  o: UploadOptions,
  pending: SpoolEntry['pending'],
): Promise<string> {
  const fileFor = (p: string) => (pending === 'public' ? publicSidecarPath(p) : p);
  if (target.kind === 'file') {
    writeFileAtomic(fileFor(target.bundlePath), `${JSON.stringify(completed)}\n`);
    return fileFor(target.bundlePath);
  }
  const ref = parseImageReference(target.image);
  const { client } = openRegistry(o.env, o.registry ?? {});
  client.assertAllowed(ref.registry);
  const repo = { registry: ref.registry, repository: ref.repository };
  const image = await client.resolve(ref);
  if (target.role === 'referrer') {
    const d = await pushBundleReferrer(client, repo, image, completed, target.predicateType);
    if (target.bundlePath !== undefined)
      writeFileAtomic(fileFor(target.bundlePath), `${JSON.stringify(completed)}\n`);
    return `${ref.registry}/${ref.repository}@${d.digest}`;
  }
  return replaceSigAnnotations(client, repo, image.digest, completed);
}

async function replaceSigAnnotations(
  client: RegistryClient,
  repo: { registry: string; repository: string },
  digest: string,
  completed: SerializedBundle,
): Promise<string> {
  const existing = await readCosignTag(client, repo, digest, 'sig');
  const signature = completed.messageSignature?.signature ?? '';
  const layers = existing?.parsed.kind === 'manifest' ? existing.parsed.manifest.layers : [];
  const annotations = {
    [COSIGN_ANNOTATION.signature]: signature,
    ...cosignMaterialAnnotations(completed),
  };
  let found = false;
  const next: Descriptor[] = layers.map((l) => {
    if (l.annotations?.[COSIGN_ANNOTATION.signature] !== signature) return l;
    found = true;
    return { ...l, annotations };
  });
  if (!found)
    throw new LogLaterError(
      'LOG_LATER_SPOOL_INVALID',
      `The signature spooled for ${repo.registry}/${repo.repository}@${digest} is no longer under its .sig tag.`,
    );
  const config = new TextEncoder().encode(
    JSON.stringify({
      architecture: '',
      created: '0001-01-01T00:00:00Z',
      history: [{ created: '0001-01-01T00:00:00Z' }],
      os: '',
      rootfs: { type: 'layers', diff_ids: next.map((l) => l.digest) },
      config: {},
    }),
  );
  const configDesc = await client.pushBlob(repo, config, MEDIA.ociConfig);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA.ociManifest,
    config: configDesc,
    layers: next,
  };
  const tag = `${digest.replace(':', '-')}.sig`;
  await client.putManifest(repo, tag, manifestBytes(manifest), MEDIA.ociManifest);
  return `${repo.registry}/${repo.repository}:${tag}`;
}
