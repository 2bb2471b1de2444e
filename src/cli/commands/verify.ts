import type { Command } from 'commander';
import type { VerifyRequest } from '../../app/verify/verify-artifact.js';
import { readVerifyInputs, readVerifyKey } from '../../app/verify/verify-inputs.js';
import type { IdentityPolicy, VerifiedBundle } from '../../sign/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';
import { policyFromFlags } from './verify-policy.js';

interface VerifyFlags {
  bundle: string;
  key?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  trustedRoot: string[];
  requireTlog?: boolean;
  allowEmergency?: boolean;
  json?: boolean;
}

/**
 * `custody verify <file> --bundle <b> (--key <pub> | --certificate-identity[-regexp] …
 * --certificate-oidc-issuer[-regexp] …) [--trusted-root <json>]` and `custody verify-attestation`,
 * which also checks the in-toto statement's predicate type and subject digest. Offline. Exit 0
 * verified, 1 not verified (the reason on stderr), 2 an input could not be read or flags are wrong.
 */
export function registerVerify(program: Command, io: CliIO): void {
  withVerifyOptions(
    program
      .command('verify <artifact>')
      .description(
        'verify a Sigstore bundle over a file (or sha256:<hex>) with a key or identity; `custody verify provenance <artifact…>` verifies SLSA provenance',
      ),
  ).action(async (artifactArg: string, o: VerifyFlags) => {
    const inputs = readInputs(artifactArg, o, io);
    const { verifyArtifact } = await import('../../app/verify/verify-artifact.js');
    const v = await verified(io, () => verifyArtifact(inputs));
    report(io, o, v, artifactArg);
  });

  withVerifyOptions(
    program
      .command('verify-attestation <subject>')
      .description('verify an attestation bundle about a file (or sha256:<hex>)')
      .requiredOption(
        '--type <type>',
        'expected predicate type: slsaprovenance1, cyclonedx, spdx, openvex, or a URI',
      ),
  ).action(async (subjectArg: string, o: VerifyFlags & { type: string }) => {
    const inputs = readInputs(subjectArg, o, io);
    const { checkPredicateType, verifyAttestation } = await import(
      '../../app/verify/verify-attestation.js'
    );
    // A typo in --type is a usage error, not a failed verification.
    checkPredicateType(o.type);
    let predicateType = '';
    const v = await verified(io, async () => {
      const r = await verifyAttestation({ ...inputs, predicateType: o.type });
      predicateType = r.predicateType;
      return r.verified;
    });
    report(io, o, v, subjectArg, predicateType);
  });
}

function withVerifyOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--bundle <file>', 'the Sigstore bundle (.sigstore.json)')
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
    .option(
      '--require-tlog',
      'with --key: require a verified transparency log entry (certificates always need one)',
    )
    .option(
      '--allow-emergency',
      'accept an emergency certificate (issued on a second person’s approval during an OIDC outage); refused without it',
    )
    .option('--json', 'print what verified as JSON');
}

// Maps a SignError from verifying to exit 1, with the reason.
async function verified(io: CliIO, fn: () => Promise<VerifiedBundle>): Promise<VerifiedBundle> {
  const { isSignError } = await import('../../app/verify/verify-artifact.js');
  try {
    return await fn();
  } catch (e) {
    if (!isSignError(e)) throw e;
    io.stderr.write(`custody: not verified: ${e.code}: ${e.message}\n`);
    throw new CliExit(EXIT.no);
  }
}

function report(
  io: CliIO,
  o: VerifyFlags,
  v: VerifiedBundle,
  what: string,
  predicateType?: string,
): void {
  if (o.json) {
    const out = {
      verified: true,
      signer: v.signer,
      times: v.times.map((t) => t.toISOString()),
      tlogIndices: v.tlogIndices,
      ...(predicateType !== undefined ? { predicateType } : {}),
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  const who = v.signer.identity
    ? `${v.signer.identity} (issuer ${v.signer.issuer ?? 'unknown'})`
    : `key ${v.signer.key}`;
  const e = v.signer.emergency;
  const emergency = e
    ? `\nEMERGENCY certificate: approved by ${e.approver}${e.requester ? `, requested by ${e.requester}` : ''}; reason: ${e.reason}`
    : '';
  const logged =
    v.tlogIndices.length > 0
      ? `; logged at index ${v.tlogIndices.join(', ')}${v.times[0] ? ` at ${v.times[0].toISOString()}` : ''}`
      : '; not logged';
  const about = predicateType !== undefined ? `${predicateType} attestation about ${what}` : what;
  io.stdout.write(`Verified OK: ${about}, signed by ${who}${logged}${emergency}\n`);
}

// Input errors propagate as CustodyErrors (exit 2); flag misuse exits 2 with a usage line.
function readInputs(artifactArg: string, o: VerifyFlags, io: CliIO): Required<VerifyRequest> {
  const policy = policyFrom(o, io);
  const keyed = 'key' in policy;
  const n = keyed && !o.requireTlog ? 0 : 1;
  return {
    ...readVerifyInputs({
      bundle: o.bundle,
      artifact: artifactArg,
      trustedRoots: o.trustedRoot,
      cwd: io.cwd,
    }),
    policy,
    // A keyed bundle made without a log (custody sign without --url) verifies on the key alone;
    // log entries it does carry are verified all the same.
    options: {
      tlogThreshold: n,
      timestampThreshold: n,
      ...(o.allowEmergency ? { allowEmergency: true } : {}),
    },
  };
}

function policyFrom(o: VerifyFlags, io: CliIO): IdentityPolicy {
  return policyFromFlags(
    o,
    (path) => readVerifyKey(path, io.cwd),
    (m) => usage(io, m),
  );
}

function usage(io: CliIO, message: string): never {
  io.stderr.write(`custody: USAGE: ${message}\n`);
  throw new CliExit(EXIT.usage);
}
