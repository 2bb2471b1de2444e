import type { Command } from 'commander';
import type { NotationVerification } from '../../sign/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';

interface VerifyNotationFlags {
  signature: string;
  trustPolicy: string;
  trustStore: string;
  reference?: string;
  mediaType?: string;
  metadata: string[];
  json?: boolean;
}

/**
 * `custody verify-notation <artifact-digest> --signature <envelope> --trust-policy <json>
 * --trust-store <dir>`: one Notary Project signature (JWS or COSE) checked as notation checks it.
 * Offline; revocation is not looked up, so a certificate that names OCSP/CRL endpoints (the
 * signer's, or a timestamp authority's) has an unknown status and fails its validation, logged or
 * enforced by the policy's level; a policy with `"override": {"revocation": "skip"}` skips both.
 * Exit 0 verified, 1 not verified (each failed validation on stderr), 2 unreadable input.
 */
export function registerVerifyNotation(program: Command, io: CliIO): void {
  program
    .command('verify-notation <artifact-digest>')
    .description('verify a Notary Project (notation) signature envelope over an artifact digest')
    .requiredOption('--signature <file>', 'the signature envelope (JWS .sig/.jws or COSE .cose)')
    .requiredOption('--trust-policy <file>', 'trustpolicy.json (OCI trust policy, version 1.0)')
    .requiredOption(
      '--trust-store <dir>',
      'the trust store directory (holding x509/ca|signingAuthority|tsa/<name>/)',
    )
    .option(
      '--reference <ref>',
      'registry/repository@<digest>: selects the trust policy (default local/artifact@<digest>)',
    )
    .option(
      '--media-type <type>',
      'application/jose+json or application/cose (default: from the file)',
    )
    .option(
      '--metadata <key=value>',
      'a signed annotation the signature must carry (repeatable)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--json', 'print the decision as JSON')
    .action(async (digest: string, o: VerifyNotationFlags) => {
      const userMetadata: Record<string, string> = {};
      for (const m of o.metadata) {
        const i = m.indexOf('=');
        if (i <= 0) {
          io.stderr.write(`custody: --metadata takes key=value, got "${m}"\n`);
          throw new CliExit(EXIT.usage);
        }
        userMetadata[m.slice(0, i)] = m.slice(i + 1);
      }
      const { verifyNotationFile } = await import('../../app/verify/verify-notation.js');
      const { verification: v, warnings } = await verifyNotationFile({
        envelopePath: o.signature,
        artifactDigest: digest,
        trustPolicyPath: o.trustPolicy,
        trustStoreDir: o.trustStore,
        cwd: io.cwd,
        now: new Date(),
        userMetadata,
        ...(o.reference ? { artifactReference: o.reference } : {}),
        ...(o.mediaType ? { mediaType: o.mediaType } : {}),
      });
      for (const w of warnings) io.stderr.write(`custody: warning: trust store ${w}\n`);
      report(io, o, v, digest);
      if (!v.verified) throw new CliExit(EXIT.no);
    });
}

function report(io: CliIO, o: VerifyNotationFlags, v: NotationVerification, digest: string): void {
  if (o.json) {
    io.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
    return;
  }
  for (const r of v.results.filter((x) => !x.ok))
    io.stderr.write(
      `custody: ${r.validation} ${r.action === 'enforce' ? 'failed' : 'failed (logged)'}: ${r.failure}\n`,
    );
  if (v.skipped)
    io.stdout.write(`Skipped: trust policy "${v.policy}" skips verification for ${digest}\n`);
  else if (v.verified)
    io.stdout.write(
      `Verified OK: ${digest}, signed by ${v.signer} (${v.signingScheme}, policy "${v.policy}", level ${v.level})\n`,
    );
  else
    io.stderr.write(
      `custody: not verified: ${digest} under trust policy "${v.policy}" (level ${v.level})\n`,
    );
}
