import type { Command } from 'commander';
import { isSignError, type VerifyRequest } from '../../app/verify/verify-artifact.js';
import { readPublicKey, readVerifyInputs } from '../../app/verify/verify-inputs.js';
import type { IdentityPolicy } from '../../sign/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';
import { policyFromFlags } from './verify-policy.js';

interface VerifyBundleFlags {
  bundle: string;
  key?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  trustedRoot: string[];
  allowEmergency?: boolean;
  json?: boolean;
}

/**
 * `custody verify-bundle`: the argument shape of the Sigstore conformance harness.
 *
 *     custody verify-bundle --bundle FILE --certificate-identity ID --certificate-oidc-issuer URL [--trusted-root FILE] FILE_OR_DIGEST
 *     custody verify-bundle --bundle FILE --key PEM [--trusted-root FILE] FILE_OR_DIGEST
 *
 * Offline. Without --trusted-root, the public-good root shipped with Custody. Exit 0 verified,
 * 1 not verified (the reason on stderr), 2 an input could not be read.
 */
export function registerVerifyBundle(program: Command, io: CliIO): void {
  program
    .command('verify-bundle <artifact>')
    .description('verify a Sigstore bundle offline against a file or sha256:<hex> digest')
    .requiredOption('--bundle <file>', 'the Sigstore bundle (.sigstore.json)')
    .option('--key <pem>', 'the public key that must have signed')
    .option('--certificate-identity <id>', "the certificate's SAN (URI or email), exactly")
    .option(
      '--certificate-identity-regexp <re>',
      "a regular expression the certificate's SAN matches",
    )
    .option('--certificate-oidc-issuer <url>', "the certificate's OIDC issuer, exactly")
    .option('--certificate-oidc-issuer-regexp <re>', 'a regular expression the OIDC issuer matches')
    .option(
      '--trusted-root <file>',
      'trusted_root.json to trust (repeatable; default: the public-good instance)',
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option(
      '--allow-emergency',
      "accept an emergency certificate (issued on a second person's approval during an OIDC outage); refused without it",
    )
    .option('--json', 'print what verified as JSON')
    .action(async (artifactArg: string, o: VerifyBundleFlags) => {
      const inputs = readInputs(artifactArg, o, io);
      const { verifyArtifact } = await import('../../app/verify/verify-artifact.js');
      try {
        const v = await verifyArtifact(inputs);
        if (o.json) {
          const out = {
            verified: true,
            signer: v.signer,
            times: v.times.map((t) => t.toISOString()),
            tlogIndices: v.tlogIndices,
            ...(v.dsse ? { payloadType: v.dsse.payloadType } : {}),
          };
          io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
        } else {
          const who = v.signer.identity
            ? `${v.signer.identity} (${v.signer.issuer ?? 'no issuer'})`
            : `key sha256:${v.signer.key}`;
          const e = v.signer.emergency;
          io.stdout.write(
            `Verified OK: signed by ${who}${e ? `\nEMERGENCY certificate: approved by ${e.approver}${e.requester ? `, requested by ${e.requester}` : ''}; reason: ${e.reason}` : ''}\n`,
          );
        }
      } catch (e) {
        if (!isSignError(e)) throw e;
        io.stderr.write(`custody: not verified: ${e.code}: ${e.message}\n`);
        throw new CliExit(EXIT.no);
      }
    });
}

function readInputs(artifactArg: string, o: VerifyBundleFlags, io: CliIO): VerifyRequest {
  try {
    const policy = policyFrom(o, io);
    return {
      ...readVerifyInputs({
        bundle: o.bundle,
        artifact: artifactArg,
        trustedRoots: o.trustedRoot,
        cwd: io.cwd,
      }),
      policy,
      ...(o.allowEmergency ? { options: { allowEmergency: true } } : {}),
    };
  } catch (e) {
    if (!isSignError(e)) throw e;
    io.stderr.write(`custody: ${e.code}: ${e.message}\n`);
    throw new CliExit(EXIT.usage);
  }
}

function policyFrom(o: VerifyBundleFlags, io: CliIO): IdentityPolicy {
  return policyFromFlags(
    o,
    (path) => readPublicKey(path, io.cwd),
    (m) => usage(io, m),
  );
}

function usage(io: CliIO, message: string): never {
  io.stderr.write(`custody verify-bundle: ${message}\n`);
  throw new CliExit(EXIT.usage);
}
