import { resolve } from 'node:path';
import { type Command, Option } from 'commander';
import type { CiMode } from '../../formats/index.js';
import { type CliIO, settingsOf } from '../io.js';
import { type KeyedFlags, keyedOptions, withKeyedOptions, writeBundle } from './sign.js';

interface ProvenanceFlags extends KeyedFlags {
  ci: CiMode;
  subjectName?: string;
  builderId?: string;
  buildType?: string;
  sourceUri?: string;
  sourceDigest?: string;
  sourceRef?: string;
  invocationId?: string;
  externalParameter: string[];
  startedOn?: string;
  finishedOn?: string;
  lockfile: string[];
  sbom?: string;
}

const collect = (v: string, prev: string[]) => [...prev, v];

/**
 * `custody attest provenance <artifact…> [--key K] -o p.sigstore.json`: SLSA Provenance v1 about
 * the artifacts, built from the CI's variables (GitHub Actions, GitLab CI) or from flags (any
 * other builder), with the lockfile's packages and the SBOM as resolved dependencies, signed
 * like `custody attest`. A file literally named `provenance` is attested as `./provenance`.
 */
export function registerAttestProvenance(attest: Command, io: CliIO): void {
  keepMandatoryToParent(attest);
  withKeyedOptions(
    attest
      .command('provenance <artifacts...>')
      .description(
        'sign SLSA provenance about artifacts (files or sha256:<hex>), built from the CI environment or flags',
      )
      .addOption(
        new Option(
          '--ci <mode>',
          'who describes the build: auto (GitHub Actions, GitLab CI, else generic), github, gitlab, generic',
        )
          .choices(['auto', 'github', 'gitlab', 'generic'])
          .default('auto'),
      )
      .option('--subject-name <name>', 'the subject’s name, for one artifact')
      .option(
        '--builder-id <uri>',
        'the builder (required in generic mode; in a CI, replaces the builder id the CI gives)',
      )
      .option(
        '--build-type <uri>',
        'generic: the build type (default urn:custody:buildtype:generic:v1)',
      )
      .option(
        '--source-uri <uri>',
        'generic: the source repository, e.g. https://git.example.com/app',
      )
      .option('--source-digest <alg:hex>', 'generic: the source’s digest, e.g. gitCommit:<sha>')
      .option('--source-ref <ref>', 'generic: the branch or tag built, e.g. refs/tags/v1.2.0')
      .option('--invocation-id <id>', 'generic: this build’s id, e.g. the build URL')
      .option(
        '--external-parameter <key=value>',
        'generic: a parameter of the build (repeatable)',
        collect,
        [] as string[],
      )
      .option('--started-on <time>', 'generic: when the build started (RFC 3339)')
      .option('--finished-on <time>', 'generic: when the build finished (RFC 3339)')
      .option(
        '--lockfile <path>',
        'add the lockfile’s packages as resolved dependencies, with their integrity hashes (repeatable)',
        collect,
        [] as string[],
      )
      .option('--sbom <file>', 'link the release’s SBOM (CycloneDX or SPDX) by its SHA-256'),
  ).action(async (artifacts: string[], o: ProvenanceFlags) => {
    const { attestProvenance } = await import('../../app/provenance/attest-provenance.js');
    const r = await attestProvenance({
      ...keyedOptions(o, io),
      artifacts: artifacts.map((a) => (a.startsWith('sha256:') ? a : resolve(io.cwd, a))),
      ...(o.subjectName !== undefined ? { subjectName: o.subjectName } : {}),
      ci: o.ci,
      ciEnv: settingsOf(io).environment,
      flags: {
        builderId: o.builderId,
        buildType: o.buildType,
        sourceUri: o.sourceUri,
        sourceDigest: o.sourceDigest,
        sourceRef: o.sourceRef,
        invocationId: o.invocationId,
        externalParameters: o.externalParameter,
        startedOn: o.startedOn,
        finishedOn: o.finishedOn,
      },
      lockfiles: o.lockfile.map((l) => resolve(io.cwd, l)),
      ...(o.sbom !== undefined ? { sbom: resolve(io.cwd, o.sbom) } : {}),
    });
    const n = r.statement.subject.length;
    await writeBundle(
      io,
      o,
      r,
      `Attested SLSA provenance (${r.ci}) about ${n === 1 ? artifacts[0] : `${n} artifacts`} (${r.digest}); ${r.dependencies.pinned} of ${r.dependencies.total} resolved dependencies pinned by digest`,
    );
  });
}

/**
 * Commander checks a command's required options for its sub-commands too, so `attest`'s
 * `--predicate` and `--type` would be demanded of `attest provenance`. They stay required for
 * `attest <subject>` alone: checked before its own action, with commander's wording.
 */
function keepMandatoryToParent(attest: Command): void {
  const required = attest.options.filter((o) => o.mandatory);
  for (const o of required) o.mandatory = false;
  attest.hook('preAction', (_self, action) => {
    if (action !== attest) return;
    const missing = required.find((o) => attest.getOptionValue(o.attributeName()) === undefined);
    if (missing !== undefined)
      attest.error(`error: required option '${missing.flags}' not specified`);
  });
}
