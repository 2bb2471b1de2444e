import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { AttachKind } from '../../app/oci/attach.js';
import type { ImageVerifyReport } from '../../app/oci/verify-image.js';
import { readVerifyKey } from '../../app/verify/verify-inputs.js';
import { isCustodyError } from '../../core/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT, settingsOf } from '../io.js';
import { type PolicyFlags, policyFromFlags } from './verify-policy.js';

interface OciVerifyFlags extends PolicyFlags {
  trustedRoot: string[];
  requireTlog?: boolean;
  allowEmergency?: boolean;
  notationTrustPolicy?: string;
  notationTrustStore?: string;
  json?: boolean;
}

/**
 * `custody oci attach sbom|attestation|signature <image> <file>`, `custody oci verify <image>`,
 * `custody oci pull-evidence <image> -o <dir>` and `custody oci push <layout> <image>`. Images
 * must be in a registry of CUSTODY_OCI_REGISTRIES (credentials: CUSTODY_OCI_AUTH).
 */
export function registerOci(program: Command, io: CliIO): void {
  const oci = program
    .command('oci')
    .description('signatures, attestations and SBOMs stored next to images in OCI registries');
  const attach = oci.command('attach').description('attach evidence to an image in its registry');
  const kinds: Array<[AttachKind, string]> = [
    ['sbom', 'a CycloneDX or SPDX JSON SBOM (cosign .sbom tag and an OCI referrer)'],
    [
      'attestation',
      'a Sigstore bundle with an in-toto attestation about the image (.att tag and a referrer)',
    ],
    ['signature', 'a Sigstore bundle signing the image (an OCI referrer)'],
  ];
  for (const [kind, what] of kinds) {
    attach
      .command(`${kind} <image> <file>`)
      .description(what)
      .option('--json', 'print what was stored as JSON')
      .action(async (image: string, file: string, o: { json?: boolean }) => {
        const { parseImageArg } = await import('../../app/oci/registry.js');
        const { attachToImage } = await import('../../app/oci/attach.js');
        const r = await attachToImage(
          kind,
          parseImageArg(image),
          resolve(io.cwd, file),
          io.cwd,
          env(io),
        );
        if (o.json) io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
        else
          io.stdout.write(
            `Attached ${kind} to ${r.image}${r.cosignTag !== undefined ? ` (tag ${r.cosignTag})` : ''}; referrer ${r.referrer}\n`,
          );
      });
  }

  oci
    .command('verify <image>')
    .description(
      'verify the signatures and attestations stored for an image (cosign tags and OCI referrers)',
    )
    .option('--key <pem>', 'the public key that must have signed')
    .option('--certificate-identity <id>', 'the certificate’s SAN (URI or email), exactly')
    .option('--certificate-identity-regexp <re>', 'a regular expression the SAN matches')
    .option('--certificate-oidc-issuer <url>', 'the certificate’s OIDC issuer, exactly')
    .option('--certificate-oidc-issuer-regexp <re>', 'a regular expression the issuer matches')
    .option(
      '--trusted-root <file>',
      'trusted_root.json to trust (repeatable; default: the public-good instance)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--require-tlog', 'with --key: require a verified transparency log entry')
    .option('--allow-emergency', 'accept an emergency certificate')
    .option(
      '--notation-trust-policy <file>',
      'verify Notary Project signatures with this trustpolicy.json (with --notation-trust-store)',
    )
    .option(
      '--notation-trust-store <dir>',
      'notation’s trust store directory (x509/ca|signingAuthority|tsa/<name>/…)',
    )
    .option('--json', 'print every piece found and its verdict as JSON')
    .action(async (image: string, o: OciVerifyFlags) => {
      const withNotation =
        o.notationTrustPolicy !== undefined || o.notationTrustStore !== undefined;
      if (
        withNotation &&
        (o.notationTrustPolicy === undefined || o.notationTrustStore === undefined)
      )
        usage(io, '--notation-trust-policy and --notation-trust-store go together');
      const sigstoreAsked =
        o.key !== undefined ||
        o.certificateIdentity !== undefined ||
        o.certificateIdentityRegexp !== undefined ||
        o.certificateOidcIssuer !== undefined ||
        o.certificateOidcIssuerRegexp !== undefined;
      // Notation alone is a complete request: its trust policy names who may sign.
      const policy =
        withNotation && !sigstoreAsked
          ? undefined
          : policyFromFlags(
              o,
              (path) => readVerifyKey(path, io.cwd),
              (m) => usage(io, m),
            );
      const keyed = policy !== undefined && 'key' in policy;
      const n = keyed && !o.requireTlog ? 0 : 1;
      const { readTrustedRootArgs } = await import('../../app/oci/trust.js');
      const trust = readTrustedRootArgs(o.trustedRoot, io.cwd);
      const { readNotationTrustArgs } = await import('../../app/oci/trust.js');
      const notation =
        o.notationTrustPolicy !== undefined && o.notationTrustStore !== undefined
          ? await readNotationTrustArgs(o.notationTrustPolicy, o.notationTrustStore, io.cwd)
          : undefined;
      const { parseImageArg } = await import('../../app/oci/registry.js');
      const { verifyImage } = await import('../../app/oci/verify-image.js');
      let report: ImageVerifyReport;
      try {
        report = await verifyImage(
          parseImageArg(image),
          {
            ...(policy !== undefined ? { policy } : {}),
            ...(notation !== undefined ? { notation } : {}),
            trust,
            options: {
              tlogThreshold: n,
              timestampThreshold: n,
              ...(o.allowEmergency ? { allowEmergency: true } : {}),
            },
          },
          env(io),
        );
      } catch (e) {
        // Bytes that are not what their digest says: the registry's answer is not to be trusted.
        if (isCustodyError(e, 'OCI_DIGEST_MISMATCH')) {
          io.stderr.write(`custody: not verified: ${e.code}: ${e.message}\n`);
          throw new CliExit(EXIT.no);
        }
        throw e;
      }
      printReport(io, report, o.json === true);
      if (!report.verified) throw new CliExit(EXIT.no);
    });

  oci
    .command('pull-evidence <image>')
    .description(
      'write the manifest and every signature, attestation and SBOM of an image to a directory',
    )
    .requiredOption('-o, --output <dir>', 'the directory (evidence.json lists what was written)')
    .option('--json', 'print evidence.json')
    .action(async (image: string, o: { output: string; json?: boolean }) => {
      const { parseImageArg } = await import('../../app/oci/registry.js');
      const { pullEvidence } = await import('../../app/oci/pull-evidence.js');
      const r = await pullEvidence(parseImageArg(image), resolve(io.cwd, o.output), env(io));
      if (o.json) io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      else {
        const count = (k: string) => r.files.filter((f) => f.kind === k).length;
        io.stdout.write(
          `Pulled ${r.image}: ${count('signature')} signature(s), ${count('attestation')} attestation(s), ${count('sbom')} SBOM(s), ${count('notation')} notation signature(s), ${count('artifact')} other; listed in ${o.output}/evidence.json\n`,
        );
      }
    });

  oci
    .command('push <layout> <image>')
    .description('push an OCI image layout directory (its first image, or --ref) to a registry')
    .option('--ref <name>', 'the index.json entry whose org.opencontainers.image.ref.name this is')
    .action(async (layout: string, image: string, o: { ref?: string }) => {
      const { parseImageArg } = await import('../../app/oci/registry.js');
      const { pushLayout } = await import('../../app/oci/push-layout.js');
      const r = await pushLayout(resolve(io.cwd, layout), parseImageArg(image), o.ref, env(io));
      io.stdout.write(`Pushed ${r.image}\n`);
    });
}

function env(io: CliIO) {
  return settingsOf(io).environment;
}

function printReport(io: CliIO, r: ImageVerifyReport, json: boolean): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    return;
  }
  io.stdout.write(
    `${r.image} (referrers via ${r.referrersVia === 'api' ? 'the referrers API' : 'the fallback tag'})\n`,
  );
  for (const p of r.pieces) {
    const where = p.source === 'cosign-tag' ? `tag ${p.tag}` : `referrer ${p.manifestDigest}`;
    const v = p.verdict;
    const what =
      v.status === 'verified'
        ? `verified, signed by ${v.signer.identity !== undefined ? `${v.signer.identity} (issuer ${v.signer.issuer ?? 'unknown'})` : `key ${v.signer.key}`}${v.predicateType !== undefined ? `, predicate ${v.predicateType}` : ''}`
        : v.status === 'failed'
          ? `NOT verified: ${v.code}: ${v.message}`
          : v.status === 'unverified'
            ? `found: ${v.message}`
            : `present (${p.mediaType})`;
    io.stdout.write(`  ${p.kind} from ${where}: ${what}\n`);
  }
  io.stdout.write(
    r.verified
      ? 'Verified OK\n'
      : 'Not verified: no signature or attestation verified under the policy\n',
  );
}

function usage(io: CliIO, message: string): never {
  io.stderr.write(`custody: USAGE: ${message}\n`);
  throw new CliExit(EXIT.usage);
}
