import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readVerificationKey } from '../../app/sign/files.js';
import { readArtifactArg, readBundleFile, readTrustedRoots } from '../../app/verify/inputs.js';
import { SignError } from '../../sign/errors.js';
import type {
  ArtifactInput,
  IdentityPolicy,
  TrustMaterialInput,
  VerifiedBundle,
  VerifyOptions,
} from '../../sign/verify/index.js';
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
  json?: boolean;
}

interface Inputs {
  bundle: unknown;
  artifact: ArtifactInput;
  policy: IdentityPolicy;
  trust: TrustMaterialInput;
  options: VerifyOptions;
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
      .description('verify a Sigstore bundle over a file (or sha256:<hex>) with a key or identity'),
  ).action(async (artifactArg: string, o: VerifyFlags) => {
    const inputs = readInputs(artifactArg, o, io);
    const v = await verified(io, (verifyBundle) =>
      verifyBundle(inputs.bundle, inputs.artifact, inputs.policy, inputs.trust, inputs.options),
    );
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
    const { parseStatement, assertAttestation, resolvePredicateType, IN_TOTO_PAYLOAD_TYPE } =
      await import('../../sign/statement.js');
    // A typo in --type is a usage error, not a failed verification.
    resolvePredicateType(o.type);
    let predicateType = '';
    const v = await verified(io, (verifyBundle) => {
      // The verifier checks the signature; the statement is checked here, so a wrong subject
      // reads as an attestation mismatch rather than an artifact mismatch.
      // Without an artifact the verifier refuses a message signature for want of one; say why.
      if (
        (inputs.bundle as { messageSignature?: unknown } | null)?.messageSignature !== undefined
      ) {
        throw notAnAttestation();
      }
      const r = verifyBundle(inputs.bundle, undefined, inputs.policy, inputs.trust, inputs.options);
      if (r.dsse === undefined || r.dsse.payloadType !== IN_TOTO_PAYLOAD_TYPE) {
        throw r.dsse === undefined
          ? notAnAttestation()
          : new SignError(
              'SIGN_ATTESTATION_MISMATCH',
              `the DSSE payload is ${r.dsse.payloadType}, not an in-toto statement`,
            );
      }
      const statement = parseStatement(r.dsse.payload);
      assertAttestation(statement, { predicateType: o.type, sha256: sha256Of(inputs.artifact) });
      predicateType = statement.predicateType;
      return r;
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
    .option('--json', 'print what verified as JSON');
}

type VerifyBundleFn = typeof import('../../sign/verify/index.js').verifyBundle;

// Loads the verifier lazily and maps a SignError from it to exit 1, with the reason.
async function verified(
  io: CliIO,
  fn: (verifyBundle: VerifyBundleFn) => VerifiedBundle,
): Promise<VerifiedBundle> {
  const { verifyBundle } = await import('../../sign/verify/index.js');
  try {
    return fn(verifyBundle);
  } catch (e) {
    if (!(e instanceof SignError)) throw e;
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
  const logged =
    v.tlogIndices.length > 0
      ? `; logged at index ${v.tlogIndices.join(', ')}${v.times[0] ? ` at ${v.times[0].toISOString()}` : ''}`
      : '; not logged';
  const about = predicateType !== undefined ? `${predicateType} attestation about ${what}` : what;
  io.stdout.write(`Verified OK: ${about}, signed by ${who}${logged}\n`);
}

// Input errors propagate as CustodyErrors (exit 2); flag misuse exits 2 with a usage line.
function readInputs(artifactArg: string, o: VerifyFlags, io: CliIO): Inputs {
  const policy = policyFrom(o, io);
  const keyed = 'key' in policy;
  const n = keyed && !o.requireTlog ? 0 : 1;
  return {
    bundle: readBundleFile(o.bundle, io.cwd),
    artifact: readArtifactArg(artifactArg, io.cwd),
    policy,
    trust: readTrustedRoots(o.trustedRoot, io.cwd),
    // A keyed bundle made without a log (custody sign without --url) verifies on the key alone;
    // log entries it does carry are verified all the same.
    options: { tlogThreshold: n, timestampThreshold: n },
  };
}

function policyFrom(o: VerifyFlags, io: CliIO): IdentityPolicy {
  return policyFromFlags(
    o,
    (path) => readVerificationKey(resolve(io.cwd, path)).publicKey,
    (m) => usage(io, m),
  );
}

function sha256Of(a: ArtifactInput): string {
  return 'data' in a ? createHash('sha256').update(a.data).digest('hex') : a.digest.hex;
}

function notAnAttestation(): SignError {
  return new SignError(
    'SIGN_ATTESTATION_MISMATCH',
    'the bundle holds a message signature, not an attestation (verify it with custody verify)',
  );
}

function usage(io: CliIO, message: string): never {
  io.stderr.write(`custody: USAGE: ${message}\n`);
  throw new CliExit(EXIT.usage);
}
