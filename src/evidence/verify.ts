import type { EvidenceCheck, EvidenceManifest, EvidenceVerifyReport } from '../api/index.js';
import { parseJson, sha256Digest } from '../core/index.js';
import { fail, ok } from './check.js';
import { checkAuditRows } from './check-audit.js';
import { checkBundles } from './check-bundles.js';
import { checkLogEntries } from './check-log.js';
import {
  type EvidenceIndex,
  INDEX_PATH,
  MANIFEST_PATH,
  MANIFEST_SIGNATURE_PATH,
  SIGNING_KEY_PATH,
  TRUSTED_ROOT_PATH,
} from './layout.js';
import { checkManifestSignature, parseManifest } from './manifest.js';
import { DEFAULT_EVIDENCE_LIMITS, type EvidenceTarLimits, readEvidenceTar } from './tar.js';

export interface VerifyEvidenceOptions {
  /** A trusted root obtained out of band (its JSON bytes): signatures are checked under it. */
  trustedRoot?: Uint8Array;
  /** The service's signing key obtained out of band (SPKI PEM): the manifest is checked with it. */
  manifestKey?: string;
  limits?: EvidenceTarLimits;
}

/**
 * Check an evidence archive offline: it is byte for byte what Custody wrote, every file matches
 * the manifest and nothing is missing or added, the manifest is signed, the trusted root is the
 * one pinned, every Sigstore bundle verifies, every log entry is included in a checkpoint the
 * log signed (witness cosignatures counted), and the audit rows' chain links hold. Failed checks
 * are values in the report; only an archive that cannot be read at all throws.
 * @throws EvidenceError EVIDENCE_TAR_MALFORMED, EVIDENCE_TOO_LARGE, EVIDENCE_MANIFEST_INVALID
 */
export async function verifyEvidence(
  bytes: Uint8Array,
  o: VerifyEvidenceOptions = {},
): Promise<EvidenceVerifyReport> {
  const files = new Map(
    (await readEvidenceTar(bytes, o.limits ?? DEFAULT_EVIDENCE_LIMITS)).map((f) => [
      f.path,
      f.data,
    ]),
  );
  const manifest = parseManifest(files);
  const checks: EvidenceCheck[] = [];
  checks.push(signatureCheck(files, o.manifestKey));
  checks.push(...fileChecks(files, manifest));
  checks.push(rootPinCheck(files, manifest));
  const index = readIndex(files);
  if (index === undefined) {
    checks.push(
      fail('index', `${INDEX_PATH} is missing or unreadable`, 'export the evidence again'),
    );
  } else {
    const root = o.trustedRoot ?? files.get(TRUSTED_ROOT_PATH);
    checks.push(...(await checkBundles(files, index, root, o.trustedRoot !== undefined)));
    checks.push(...checkLogEntries(files, index, root));
  }
  checks.push(checkAuditRows(files));
  return {
    ok: checks.every((c) => c.ok),
    product: manifest.product,
    release: manifest.release,
    trustedRoot: o.trustedRoot !== undefined ? 'out-of-band' : 'bundle',
    manifestKey: o.manifestKey !== undefined ? 'out-of-band' : 'bundle',
    checks,
  };
}

function signatureCheck(files: Map<string, Uint8Array>, key: string | undefined): EvidenceCheck {
  const pem = key ?? files.get(SIGNING_KEY_PATH);
  const problem = checkManifestSignature(files, pem);
  const whose = key !== undefined ? 'the key given (--key)' : `the archive's ${SIGNING_KEY_PATH}`;
  return problem === undefined
    ? ok('manifest signature', `${MANIFEST_SIGNATURE_PATH} (DSSE) verifies with ${whose}`)
    : fail(
        'manifest signature',
        problem,
        'the manifest was changed or signed by another key: do not trust this archive; compare the key with GET /api/v1/vex-signing-key and pass it with --key',
      );
}

function fileChecks(files: Map<string, Uint8Array>, m: EvidenceManifest): EvidenceCheck[] {
  const bad: string[] = [];
  const listed = new Set<string>();
  for (const f of m.files) {
    listed.add(f.path);
    const data = files.get(f.path);
    if (data === undefined) bad.push(`${f.path} is missing`);
    else if (data.length !== f.size || sha256Digest(data) !== f.digest)
      bad.push(`${f.path} does not match its digest`);
  }
  for (const p of files.keys()) {
    if (p !== MANIFEST_PATH && p !== MANIFEST_SIGNATURE_PATH && !listed.has(p))
      bad.push(`${p} is not in the manifest`);
  }
  return [
    bad.length === 0
      ? ok(
          'file digests',
          `${m.files.length} files match the manifest's sha256 digests and sizes; none missing, none added`,
        )
      : fail(
          'file digests',
          bad.slice(0, 20).join('; ') + (bad.length > 20 ? `; and ${bad.length - 20} more` : ''),
          'a file was changed, removed or added after export: export the evidence again from the service',
        ),
  ];
}

function rootPinCheck(files: Map<string, Uint8Array>, m: EvidenceManifest): EvidenceCheck {
  const root = files.get(TRUSTED_ROOT_PATH);
  const digest = root === undefined ? undefined : sha256Digest(root);
  return digest !== undefined && digest === m.trustedRoot.digest
    ? ok('trusted root pinned', `${TRUSTED_ROOT_PATH} is the pinned ${digest}`)
    : fail(
        'trusted root pinned',
        `${TRUSTED_ROOT_PATH} is ${digest ?? 'missing'}, the manifest pins ${m.trustedRoot.digest}`,
        'the trusted root was swapped: verify with --trusted-root <file> fetched from the service (custody trust fetch)',
      );
}

function readIndex(files: Map<string, Uint8Array>): EvidenceIndex | undefined {
  const b = files.get(INDEX_PATH);
  if (b === undefined) return undefined;
  try {
    const i = parseJson(b, INDEX_PATH, { maxBytes: b.length }) as EvidenceIndex;
    return Array.isArray(i?.bundles) && Array.isArray(i.logEntries) ? i : undefined;
  } catch {
    return undefined;
  }
}
