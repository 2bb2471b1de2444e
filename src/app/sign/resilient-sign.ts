import { basename } from 'node:path';
import type { SerializedBundle } from '@sigstore/bundle';
import { CoreError } from '../../core/index.js';
import { readInput } from '../../fs/bundle-files.js';
import {
  appendCosignLayer,
  COSIGN_ANNOTATION,
  type ImageReference,
  MEDIA,
} from '../../oci/index.js';
import {
  buildStatement,
  loadBundleBuilder,
  parsePredicate,
  type Statement,
  subjectFromBytes,
  subjectFromDigest,
} from '../../sign/index.js';
import { signatureId, writeSpoolEntry } from '../log-later/spool.js';
import { SIGN_PREDICATE_TYPE } from '../oci/constants.js';
import { type Env, openRegistry, type RegistryOptions } from '../oci/registry.js';
import {
  cosignMaterialAnnotations,
  type ImageSignOutcome,
  pushBundleReferrer,
  storeAttestation,
} from '../oci/sign-image.js';
import {
  type FallbackMark,
  markedSimpleSigningPayload,
  markStatement,
  openSignerWithFallback,
} from './fallback-signer.js';
import type { DeferredEntry, LogLaterSink } from './log-later-witness.js';
import type { KeyedSigningOptions } from './open-signer.js';
import { type AttestOptions, type SignOutcome, witnessesFor } from './sign-artifact.js';

/**
 * Signing that keeps going through outages (issue [9], "Outages"): `--fallback-key` signs with an
 * HSM key when keyless signing is down (and marks the signature as a fallback, inside what is
 * signed), `--log-later` signs when the log is down (and spools the entry for `custody log
 * upload`). Without either, `custody sign` and `custody attest` take their usual path.
 */
export interface Resilience {
  /** A PKCS#11 URI: the HSM key that stands in for keyless signing. */
  fallbackKey?: string;
  /** Spool what the log could not take into this folder. */
  logLater?: { spoolDir: string };
  /**
   * Dual-log preference: this public (Rekor-compatible) log first, the --url Custody log standing
   * in when it is down; what it stood in for is spooled ('public' pending) in `spoolDir`.
   */
  publicLog?: { url: string; spoolDir: string };
  now?: () => Date;
}

export interface ResilientOutcome {
  /** Set when the fallback key signed. */
  fallback?: FallbackMark;
  /** Spool files written (signatures not logged yet). */
  spooled: string[];
  /** Spool files of signatures the private log stood in for (the public entry still to make). */
  publicPending: string[];
}

/**
 * `custody sign <file> [--fallback-key] [--log-later]`. A fallback signature over a file is a DSSE
 * in-toto statement about it (cosign's sign predicate) whose subject carries FALLBACK_MARK: a bare
 * message signature signs only the file's digest, so it has no signed place for a mark.
 * @param bundlePath where the caller writes the bundle (required with logLater: upload rewrites it)
 */
export async function signFileResilient(
  file: string,
  o: KeyedSigningOptions,
  r: Resilience,
  bundlePath: string | undefined,
): Promise<SignOutcome & ResilientOutcome> {
  requireBundlePath(r, bundlePath);
  const data = readInput(file, 'file');
  const subject = subjectFromBytes(basename(file), data);
  const { opts, sink } = withSink(o, r);
  const who = await openSignerWithFallback(opts, r.fallbackKey, r.now);
  let bundle: SerializedBundle;
  try {
    const { buildMessageSignatureBundle, buildAttestationBundle } = await loadBundleBuilder();
    const witnesses = witnessesFor(opts);
    bundle =
      who.fallback === undefined
        ? await buildMessageSignatureBundle(data, who.signer, { witnesses })
        : await buildAttestationBundle(
            markStatement(
              buildStatement({
                subjects: [subject],
                predicateType: SIGN_PREDICATE_TYPE,
                predicate: {},
              }),
              who.fallback,
            ),
            who.signer,
            { witnesses },
          );
  } finally {
    await who.close();
  }
  const spool = spoolAll(r, opts, sink, [
    { bundle, target: { kind: 'file', bundlePath: bundlePath as string } },
  ]);
  return {
    ...outcomeOf(bundle, `sha256:${subject.digest['sha256']}`),
    ...(who.fallback !== undefined ? { fallback: who.fallback } : {}),
    ...spool,
  };
}

/** `custody attest <file|sha256:…> [--fallback-key] [--log-later]`: the mark in the subjects. */
export async function attestResilient(
  o: AttestOptions,
  r: Resilience,
  bundlePath: string | undefined,
): Promise<SignOutcome & ResilientOutcome & { statement: Statement }> {
  requireBundlePath(r, bundlePath);
  const subject = o.subject.startsWith('sha256:')
    ? subjectFromDigest(o.subject, o.subjectName)
    : subjectFromBytes(o.subjectName ?? basename(o.subject), readInput(o.subject, 'subject file'));
  const plain = buildStatement({
    subjects: [subject],
    predicateType: o.predicateType,
    predicate: parsePredicate(readInput(o.predicateFile, 'predicate file'), o.predicateFile),
  });
  const { opts, sink } = withSink(o, r);
  const who = await openSignerWithFallback(opts, r.fallbackKey, r.now);
  const statement = markStatement(plain, who.fallback);
  let bundle: SerializedBundle;
  try {
    const { buildAttestationBundle } = await loadBundleBuilder();
    bundle = await buildAttestationBundle(statement, who.signer, {
      witnesses: witnessesFor(opts),
    });
  } finally {
    await who.close();
  }
  const spool = spoolAll(r, opts, sink, [
    { bundle, target: { kind: 'file', bundlePath: bundlePath as string } },
  ]);
  return {
    ...outcomeOf(bundle, `sha256:${subject.digest['sha256']}`),
    statement,
    ...(who.fallback !== undefined ? { fallback: who.fallback } : {}),
    ...spool,
  };
}

/**
 * `custody sign <image> [--fallback-key] [--log-later]`: as signImage (cosign's `.sig` layer and
 * a Sigstore-bundle referrer), with the fallback mark in the simple-signing payload's `optional`
 * and in the referrer statement's subject, and both signatures spooled when the log is down (the
 * `.sig` layer then has no cosign bundle annotation, the referrer's bundle no log entry, until
 * `custody log upload`).
 */
export async function signImageResilient(
  ref: ImageReference,
  o: KeyedSigningOptions,
  env: Env,
  r: Resilience,
  ro: RegistryOptions = {},
  bundlePath?: string,
): Promise<ImageSignOutcome & ResilientOutcome> {
  const { client } = openRegistry(env, ro);
  client.assertAllowed(ref.registry);
  const image = await client.resolve(ref);
  const repo = { registry: ref.registry, repository: ref.repository };
  const name = `${ref.registry}/${ref.repository}`;
  const { opts, sink } = withSink(o, r);
  const who = await openSignerWithFallback(opts, r.fallbackKey, r.now);
  const payload = markedSimpleSigningPayload(name, image.digest, who.fallback);
  const statement = markStatement(
    buildStatement({
      subjects: [subjectFromDigest(image.digest, name)],
      predicateType: SIGN_PREDICATE_TYPE,
      predicate: {},
    }),
    who.fallback,
  );
  let sig: SerializedBundle;
  let att: SerializedBundle;
  try {
    const { buildMessageSignatureBundle, buildAttestationBundle } = await loadBundleBuilder();
    const witnesses = witnessesFor(opts);
    sig = await buildMessageSignatureBundle(payload, who.signer, { witnesses });
    att = await buildAttestationBundle(statement, who.signer, { witnesses });
  } finally {
    await who.close();
  }
  const sigLayer = await appendCosignLayer(client, repo, image.digest, 'sig', {
    bytes: payload,
    mediaType: MEDIA.cosignSimpleSigning,
    annotations: {
      [COSIGN_ANNOTATION.signature]: sig.messageSignature?.signature ?? '',
      ...cosignMaterialAnnotations(sig),
    },
  });
  const referrer = await pushBundleReferrer(client, repo, image, att, SIGN_PREDICATE_TYPE);
  const at = `${name}@${image.digest}`;
  const spool = spoolAll(r, opts, sink, [
    { bundle: sig, target: { kind: 'image', image: at, role: 'sig' } },
    {
      bundle: att,
      target: {
        kind: 'image',
        image: at,
        role: 'referrer',
        predicateType: SIGN_PREDICATE_TYPE,
        referrer: referrer.digest,
        ...(bundlePath !== undefined ? { bundlePath } : {}),
      },
    },
  ]);
  return {
    ...outcomeOf(att, image.digest),
    image: at,
    stored: { cosignTag: sigLayer.tag, referrer: referrer.digest },
    ...(who.fallback !== undefined ? { fallback: who.fallback } : {}),
    ...spool,
  };
}

/**
 * `custody attest <image> [--fallback-key] [--log-later]`: as attestImage (cosign's `.att` and a
 * referrer), the mark in the statement's subject. With the log down, the referrer's bundle is
 * spooled (the `.att` layer keeps no cosign bundle annotation: upload completes the referrer).
 */
export async function attestImageResilient(
  ref: ImageReference,
  o: KeyedSigningOptions & { predicateFile: string; predicateType: string },
  env: Env,
  r: Resilience,
  ro: RegistryOptions = {},
  bundlePath?: string,
): Promise<ImageSignOutcome & ResilientOutcome & { statement: Statement }> {
  const { client } = openRegistry(env, ro);
  client.assertAllowed(ref.registry);
  const predicate = parsePredicate(readInput(o.predicateFile, 'predicate file'), o.predicateFile);
  const image = await client.resolve(ref);
  const repo = { registry: ref.registry, repository: ref.repository };
  const name = `${ref.registry}/${ref.repository}`;
  const { opts, sink } = withSink(o, r);
  const who = await openSignerWithFallback(opts, r.fallbackKey, r.now);
  const statement = markStatement(
    buildStatement({
      subjects: [subjectFromDigest(image.digest, name)],
      predicateType: o.predicateType,
      predicate,
    }),
    who.fallback,
  );
  let bundle: SerializedBundle;
  try {
    const { buildAttestationBundle } = await loadBundleBuilder();
    bundle = await buildAttestationBundle(statement, who.signer, {
      witnesses: witnessesFor(opts),
    });
  } finally {
    await who.close();
  }
  const stored = await storeAttestation(client, repo, image, bundle, statement.predicateType);
  const at = `${name}@${image.digest}`;
  const spool = spoolAll(r, opts, sink, [
    {
      bundle,
      target: {
        kind: 'image',
        image: at,
        role: 'referrer',
        predicateType: statement.predicateType,
        referrer: stored.referrer,
        ...(bundlePath !== undefined ? { bundlePath } : {}),
      },
    },
  ]);
  return {
    ...outcomeOf(bundle, image.digest),
    image: at,
    stored,
    statement,
    ...(who.fallback !== undefined ? { fallback: who.fallback } : {}),
    ...spool,
  };
}

function requireBundlePath(r: Resilience, bundlePath: string | undefined): void {
  if (r.logLater !== undefined && bundlePath === undefined)
    throw new CoreError(
      'USAGE',
      '--log-later needs -o <bundle file>: `custody log upload` completes that file once the log takes the signature.',
    );
  if (r.publicLog !== undefined && bundlePath === undefined)
    throw new CoreError(
      'USAGE',
      '--public-log needs -o <bundle file>: `custody log upload --public` writes the public entry beside it.',
    );
}

interface Sinks {
  log?: LogLaterSink;
  public?: LogLaterSink;
}

function withSink(
  o: KeyedSigningOptions,
  r: Resilience,
): { opts: KeyedSigningOptions; sink: Sinks } {
  const sink: Sinks = {};
  let opts = o;
  if (r.logLater !== undefined) {
    sink.log = { deferred: [] };
    opts = { ...opts, logLater: sink.log };
  }
  if (r.publicLog !== undefined) {
    sink.public = { deferred: [] };
    opts = { ...opts, publicLog: { url: r.publicLog.url, sink: sink.public } };
  }
  return { opts, sink };
}

type Spoolable = {
  bundle: SerializedBundle;
  target: Parameters<typeof writeSpoolEntry>[1]['target'];
};

// The witness defers in signing order, message signatures as 'messageSignature' and statements
// as 'dsseEnvelope': each bundle is matched to its deferral by that.
function spoolAll(
  r: Resilience,
  o: KeyedSigningOptions,
  sink: Sinks,
  items: Spoolable[],
): { spooled: string[]; publicPending: string[] } {
  const spooled: string[] = [];
  const publicPending: string[] = [];
  if (sink.log !== undefined && r.logLater !== undefined && o.url !== undefined)
    spooled.push(...spoolFor(sink.log, 'log', o.url, r.logLater.spoolDir, r, items));
  if (sink.public !== undefined && r.publicLog !== undefined)
    publicPending.push(
      ...spoolFor(
        sink.public,
        'public',
        r.publicLog.url,
        r.publicLog.spoolDir,
        r,
        // cosign's `.sig` layer has room for one log entry (its bundle annotation): the public
        // entry goes to the referrer and the bundle file.
        items.filter((i) => !(i.target.kind === 'image' && i.target.role === 'sig')),
      ),
    );
  return { spooled, publicPending };
}

function spoolFor(
  sink: LogLaterSink,
  pending: 'log' | 'public',
  logUrl: string,
  dir: string,
  r: Resilience,
  items: Spoolable[],
): string[] {
  const left: DeferredEntry[] = [...sink.deferred];
  const out: string[] = [];
  for (const item of items) {
    const logged = (item.bundle.verificationMaterial.tlogEntries ?? []).length > 0;
    if (pending === 'log' ? logged : !logged) continue;
    const kind = item.bundle.dsseEnvelope !== undefined ? 'dsseEnvelope' : 'messageSignature';
    const i = left.findIndex((d) => d.content === kind);
    if (i < 0) continue;
    const d = left.splice(i, 1)[0] as DeferredEntry;
    out.push(
      writeSpoolEntry(dir, {
        version: 1,
        id: signatureId(item.bundle),
        pending,
        createdAt: (r.now ?? (() => new Date()))().toISOString(),
        logUrl,
        publicKey: d.publicKey,
        bundle: item.bundle,
        target: item.target,
        reason: d.reason,
      }),
    );
  }
  return out;
}

function outcomeOf(bundle: SerializedBundle, digest: string): SignOutcome {
  const entry = (bundle.verificationMaterial.tlogEntries ?? [])[0];
  return { bundle, digest, ...(entry !== undefined ? { logIndex: entry.logIndex ?? '0' } : {}) };
}
