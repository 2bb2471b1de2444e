import type { Command } from 'commander';
import { CoreError } from '../../core/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';

interface Flags {
  bundle: string;
  sourceUri: string;
  sourceBranch?: string;
  sourceTag?: string;
  sourceVersionedTag?: string;
  builderId?: string;
  buildWorkflowInput: string[];
  key?: string;
  packageName?: string;
  packageVersion?: string;
  certificateIdentity?: string;
  certificateOidcIssuer?: string;
  trustedRoot: string[];
  insecureIgnoreTlog?: boolean;
  json?: boolean;
}

/**
 * `custody verify provenance <artifact…>` runs as `verify-provenance`: `custody verify <file>`
 * takes any file name, so the word `provenance` right after `verify` is routed here (a file of
 * that name is still verified as `custody verify ./provenance`).
 */
export function routeVerifyProvenance(argv: readonly string[]): readonly string[] {
  return argv[0] === 'verify' && argv[1] === 'provenance'
    ? ['verify-provenance', ...argv.slice(2)]
    : argv;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/**
 * `custody verify provenance <artifact…> --bundle <file> --source-uri <repo> [--source-branch |
 * --source-tag | --source-versioned-tag …] [--builder-id …] [--build-workflow-input k=v …]
 * [--key K | --certificate-identity … --certificate-oidc-issuer …] [--json]`: the checks
 * slsa-verifier makes, offline. Exit 0 verified, 1 not (the reason, with slsa-verifier's error
 * name), 2 an input could not be read or the flags are wrong.
 */
export function registerVerifyProvenance(program: Command, io: CliIO): void {
  program
    .command('verify-provenance <artifact...>', { hidden: true })
    .description(
      'verify SLSA provenance for artifacts (files or sha256:<hex>) as slsa-verifier does (custody verify provenance)',
    )
    .requiredOption(
      '--bundle <file>',
      'the provenance: a Sigstore bundle or a DSSE envelope (.intoto.jsonl)',
    )
    .requiredOption('--source-uri <uri>', 'the source repository, e.g. github.com/org/repo')
    .option('--source-branch <name>', 'the branch the build ran from')
    .option('--source-tag <tag>', 'the tag the build ran from, exactly')
    .option(
      '--source-versioned-tag <vX[.Y[.Z]]>',
      'a semantic version the tag must match on the parts given',
    )
    .option('--builder-id <id>', 'the builder: name[@vX.Y.Z | @refs/tags/vX.Y.Z]')
    .option(
      '--build-workflow-input <k=v>',
      'a workflow_dispatch input the build had (repeatable)',
      collect,
      [] as string[],
    )
    .option('--package-name <name>', 'npm attestations: the package name')
    .option('--package-version <version>', 'npm attestations: the package version')
    .option('--key <pem>', 'key-signed provenance: the public key that must have signed')
    .option('--certificate-identity <id>', 'keyless: the certificate SAN must be this, exactly')
    .option(
      '--certificate-oidc-issuer <url>',
      'keyless: the certificate OIDC issuer must be this, exactly',
    )
    .option(
      '--trusted-root <file>',
      'trusted_root.json (repeatable; default: the public-good instance)',
      collect,
      [] as string[],
    )
    .option(
      '--insecure-ignore-tlog',
      'accept a DSSE envelope with no transparency log entry (slsa-verifier would search public Rekor; Custody is offline)',
    )
    .option('--json', 'print the result as JSON')
    .action(async (artifacts: string[], o: Flags) => {
      const inputs: Record<string, string> = {};
      for (const kv of o.buildWorkflowInput) {
        const i = kv.indexOf('=');
        if (i <= 0) throw new CoreError('USAGE', `--build-workflow-input "${kv}" is not key=value`);
        inputs[kv.slice(0, i)] = kv.slice(i + 1);
      }
      if (
        o.key !== undefined &&
        (o.certificateIdentity !== undefined || o.certificateOidcIssuer !== undefined)
      ) {
        throw new CoreError(
          'USAGE',
          '--key and --certificate-identity/--certificate-oidc-issuer exclude each other',
        );
      }
      const { verifyProvenance } = await import('../../app/verify/verify-provenance.js');
      const { result, digests } = verifyProvenance({
        artifacts,
        bundle: o.bundle,
        sourceUri: o.sourceUri,
        ...(o.sourceBranch !== undefined ? { sourceBranch: o.sourceBranch } : {}),
        ...(o.sourceTag !== undefined ? { sourceTag: o.sourceTag } : {}),
        ...(o.sourceVersionedTag !== undefined ? { sourceVersionedTag: o.sourceVersionedTag } : {}),
        ...(o.builderId !== undefined ? { builderId: o.builderId } : {}),
        ...(Object.keys(inputs).length > 0 ? { workflowInputs: inputs } : {}),
        ...(o.key !== undefined ? { key: o.key } : {}),
        ...(o.packageName !== undefined ? { packageName: o.packageName } : {}),
        ...(o.packageVersion !== undefined ? { packageVersion: o.packageVersion } : {}),
        ...(o.certificateIdentity !== undefined
          ? { certificateIdentity: o.certificateIdentity }
          : {}),
        ...(o.certificateOidcIssuer !== undefined
          ? { certificateOidcIssuer: o.certificateOidcIssuer }
          : {}),
        trustedRoots: o.trustedRoot,
        ...(o.insecureIgnoreTlog === true ? { allowMissingTlog: true } : {}),
        cwd: io.cwd,
      });
      if (o.json) {
        const out = result.verified
          ? {
              verified: true,
              builderId: result.builderId,
              sourceRepository: result.sourceRepository ?? null,
              commit: result.commit ?? null,
              signer: result.signer ?? null,
              transparencyLog: result.tlog,
              predicateType: result.statement.predicateType,
              artifacts: artifacts.map((a, i) => ({ artifact: a, sha256: digests[i] })),
            }
          : {
              verified: false,
              reason: result.reason,
              upstream: result.upstream,
              message: result.message,
            };
        io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
      }
      if (!result.verified) {
        io.stderr.write(`custody: not verified: ${result.reason}: ${result.message}\n`);
        throw new CliExit(EXIT.no);
      }
      if (!o.json) {
        const commit = result.commit !== undefined ? ` at commit ${result.commit}` : '';
        const tlog = result.tlog ? '' : ' (WARNING: no transparency log entry was checked)';
        io.stdout.write(
          `Verified build using builder "${result.builderId}"${commit}${tlog}\nPASSED: SLSA verification passed for ${artifacts.join(', ')}\n`,
        );
      }
    });
}
