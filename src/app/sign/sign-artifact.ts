import { basename } from 'node:path';
import type { SerializedBundle } from '@sigstore/bundle';
import type { Witness } from '@sigstore/sign';
import { readInput, writeOutput } from '../../fs/bundle-files.js';
import { custodyLogWitness } from '../../net/log-witness.js';
import {
  buildStatement,
  loadBundleBuilder,
  parsePredicate,
  type Statement,
  type Subject,
  subjectFromBytes,
  subjectFromDigest,
} from '../../sign/index.js';
import { deferringWitness, preferringWitness } from './log-later-witness.js';
import { type KeyedSigningOptions, openSigner } from './open-signer.js';

export interface SignOutcome {
  bundle: SerializedBundle;
  /** `sha256:<hex>` of what was signed (the artifact, or the attestation's first subject). */
  digest: string;
  /** The log index, when logged. */
  logIndex?: string;
}

/**
 * `custody sign`: a v0.3 bundle with a message signature over a file, logged when a URL is given.
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE; SignError SIGN_KEY_INVALID, SIGN_SERVICE_FAILED
 */
export async function signFile(file: string, o: KeyedSigningOptions): Promise<SignOutcome> {
  return signBytes(readInput(file, 'file'), o, basename(file));
}

/**
 * A v0.3 bundle with a message signature over exactly `data` (a document a service handed out
 * to be signed), logged when a URL is given.
 * @throws SignError SIGN_KEY_INVALID, SIGN_SERVICE_FAILED
 */
export async function signBytes(
  data: Uint8Array,
  o: KeyedSigningOptions,
  name = 'data',
): Promise<SignOutcome> {
  const who = await openSigner(o);
  try {
    const { buildMessageSignatureBundle } = await loadBundleBuilder();
    const bundle = await buildMessageSignatureBundle(data, who.signer, {
      witnesses: witnessesFor(o),
    });
    const subject = subjectFromBytes(name, data);
    return outcome(bundle, `sha256:${subject.digest['sha256']}`);
  } finally {
    await who.close();
  }
}

export interface AttestOptions extends KeyedSigningOptions {
  /** A file path, or `sha256:<hex>`. */
  subject: string;
  /** Overrides the subject's name (a file's base name; none for a digest). */
  subjectName?: string;
  predicateFile: string;
  /** An alias (slsaprovenance1, cyclonedx, spdx, openvex) or a URI. */
  predicateType: string;
}

/**
 * `custody attest`: an in-toto Statement v1 about the subject, in a DSSE envelope, in a v0.3 bundle.
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE; SignError SIGN_STATEMENT_INVALID,
 *   SIGN_KEY_INVALID, SIGN_SERVICE_FAILED
 */
export async function attestSubject(
  o: AttestOptions,
): Promise<SignOutcome & { statement: Statement }> {
  const statement = buildStatement({
    subjects: [subjectOf(o.subject, o.subjectName)],
    predicateType: o.predicateType,
    predicate: parsePredicate(readInput(o.predicateFile, 'predicate file'), o.predicateFile),
  });
  const who = await openSigner(o);
  try {
    const { buildAttestationBundle } = await loadBundleBuilder();
    const bundle = await buildAttestationBundle(statement, who.signer, {
      witnesses: witnessesFor(o),
    });
    return { ...outcome(bundle, `sha256:${statement.subject[0]?.digest['sha256']}`), statement };
  } finally {
    await who.close();
  }
}

function subjectOf(subject: string, name: string | undefined): Subject {
  if (subject.startsWith('sha256:')) return subjectFromDigest(subject, name);
  return subjectFromBytes(name ?? basename(subject), readInput(subject, 'subject file'));
}

/** The log witness the options ask for (deferring when --log-later). */
export function witnessesFor(o: KeyedSigningOptions): Witness[] {
  if (o.url === undefined) return [];
  const log = custodyLogWitness({ ...o.log, url: o.url });
  const own = o.logLater !== undefined ? deferringWitness(log, o.logLater) : log;
  if (o.publicLog === undefined) return [own];
  const pub = custodyLogWitness({ ...o.log, url: o.publicLog.url });
  return [preferringWitness(pub, own, o.publicLog.sink)];
}

function outcome(bundle: SerializedBundle, digest: string): SignOutcome {
  // proto3 JSON leaves out an empty list and a zero log index, whatever SerializedBundle's type says.
  const entry = (bundle.verificationMaterial.tlogEntries ?? [])[0];
  return { bundle, digest, ...(entry !== undefined ? { logIndex: entry.logIndex ?? '0' } : {}) };
}

/**
 * Writes a bundle (one line of JSON) to a file.
 * @throws CoreError FILE_UNREADABLE when it cannot be written
 */
export function writeBundleFile(path: string, bundle: SerializedBundle): void {
  writeOutput(path, `${JSON.stringify(bundle)}\n`);
}

/**
 * A statement built elsewhere (`custody attest provenance`), in a DSSE envelope, in a v0.3 bundle,
 * logged when a URL is given.
 * @throws SignError SIGN_KEY_INVALID, SIGN_SERVICE_FAILED
 */
export async function signStatement(
  statement: Statement,
  o: KeyedSigningOptions,
): Promise<SignOutcome> {
  const who = await openSigner(o);
  try {
    const { buildAttestationBundle } = await loadBundleBuilder();
    const bundle = await buildAttestationBundle(statement, who.signer, {
      witnesses: witnessesFor(o),
    });
    return outcome(bundle, `sha256:${statement.subject[0]?.digest['sha256']}`);
  } finally {
    await who.close();
  }
}
