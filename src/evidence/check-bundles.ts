import type { EvidenceCheck } from '../api/index.js';
import { parseJson } from '../core/index.js';
import {
  type IdentityPolicy,
  loadVerificationKey,
  loadVerifier,
  parseTrustedRoot,
  type TrustedRoot,
} from '../sign/index.js';
import { fail, ok, reason } from './check.js';
import type { BundleRef, EvidenceIndex } from './layout.js';

/**
 * Every Sigstore bundle of the index verifies over its subject (the signed file's bytes, or the
 * artifact digest an attestation names), by its recorded signer, under `rootBytes`.
 */
export async function checkBundles(
  files: ReadonlyMap<string, Uint8Array>,
  index: EvidenceIndex,
  rootBytes: Uint8Array | undefined,
  outOfBand: boolean,
): Promise<EvidenceCheck[]> {
  if (index.bundles.length === 0) return [];
  const which = outOfBand
    ? 'the trusted root given (--trusted-root)'
    : "the archive's trusted root";
  let root: TrustedRoot;
  try {
    if (rootBytes === undefined) throw new Error('there is none');
    root = parseTrustedRoot(parseJson(rootBytes, 'trusted root', { maxBytes: rootBytes.length }));
  } catch (e) {
    return [
      fail(
        'trusted root',
        `${which} is unreadable: ${reason(e)}`,
        'fetch the trusted root from the service (custody trust fetch) and pass it with --trusted-root',
      ),
    ];
  }
  const { verifyBundle } = await loadVerifier();
  return index.bundles.map((b) => {
    const name = `${b.purpose} ${b.path}`;
    try {
      const bytes = files.get(b.path);
      if (bytes === undefined) throw new Error('the bundle file is missing');
      const json = parseJson(bytes, b.path, { maxBytes: bytes.length });
      // A keyed bundle may carry no log entry (Custody logged it on intake: that entry is
      // checked below with the log's entries); entries it does carry are verified all the same.
      const keyed = b.signer.kind === 'key' ? { tlogThreshold: 0, timestampThreshold: 0 } : {};
      const v = verifyBundle(json, subjectOf(files, b), policyOf(files, b), root, {
        allowEmergency: b.emergency,
        ...keyed,
      });
      const by = v.signer.identity
        ? `${v.signer.identity} (issuer ${v.signer.issuer})`
        : `key ${v.signer.key}`;
      const em = v.signer.emergency
        ? `, EMERGENCY certificate approved by ${v.signer.emergency.approver}`
        : '';
      const logged = v.tlogIndices.length
        ? `log index ${v.tlogIndices.join(', ')}`
        : 'no log entry in the bundle';
      return ok(name, `signed by ${by}${em}; ${logged}; verified under ${which}`);
    } catch (e) {
      return fail(
        name,
        reason(e),
        `the bundle does not verify under ${which}: check it by hand (custody verify … --bundle ${b.path}) and ask the release's team`,
      );
    }
  });
}

function subjectOf(files: ReadonlyMap<string, Uint8Array>, b: BundleRef) {
  if ('digest' in b.subject) {
    const m = /^sha256:([0-9a-f]{64})$/.exec(b.subject.digest);
    if (!m) throw new Error(`subject ${b.subject.digest} is not a sha256 digest`);
    return { digest: { algorithm: 'sha256' as const, hex: m[1] as string } };
  }
  const data = files.get(b.subject.path);
  if (data === undefined) throw new Error(`the signed file ${b.subject.path} is missing`);
  return { data };
}

function policyOf(files: ReadonlyMap<string, Uint8Array>, b: BundleRef): IdentityPolicy {
  if (b.signer.kind === 'identity') return { identity: b.signer.identity, issuer: b.signer.issuer };
  const pem = files.get(b.signer.keyPath);
  if (pem === undefined) throw new Error(`the key ${b.signer.keyPath} is missing`);
  return { key: loadVerificationKey(pem).publicKey };
}
