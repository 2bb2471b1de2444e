import { basename } from 'node:path';
import { CoreError } from '../../core/index.js';
import {
  assertProvenanceStatement,
  type BuildProvenanceInput,
  buildProvenance,
  type CiEnv,
  type CiMode,
  type GenericBuildFlags,
  lockfileDependencies,
  pinnedCount,
  type ResolvedCi,
  type ResourceDescriptorV1,
  SLSA_PROVENANCE_V1,
  sbomDependency,
} from '../../formats/index.js';
import { readInput } from '../../fs/bundle-files.js';
import {
  buildStatement,
  type Statement,
  type Subject,
  subjectFromBytes,
  subjectFromDigest,
} from '../../sign/index.js';
import { catalogPath } from '../generate-sbom.js';
import type { KeyedSigningOptions } from '../sign/open-signer.js';
import { type SignOutcome, signStatement } from '../sign/sign-artifact.js';

export interface AttestProvenanceOptions extends KeyedSigningOptions {
  /** Artifact files (absolute paths) or `sha256:<hex>` digests: the statement's subjects. */
  artifacts: readonly string[];
  /** The subject's name, for a single artifact (default: a file's base name; none for a digest). */
  subjectName?: string;
  ci: CiMode;
  /** The CI's variables (the process environment, as the CLI read it). */
  ciEnv: CiEnv;
  flags: GenericBuildFlags;
  /** Lockfiles (absolute paths) whose packages become resolved dependencies. */
  lockfiles?: readonly string[];
  /** The release's SBOM (absolute path), linked by digest. */
  sbom?: string;
  /** The build's end (default: now). */
  now?: Date;
}

export interface ProvenanceOutcome extends SignOutcome {
  statement: Statement;
  ci: ResolvedCi;
  /** Resolved dependencies with a digest, of all. */
  dependencies: { pinned: number; total: number };
}

/**
 * `custody attest provenance`: an in-toto Statement v1 with a SLSA Provenance v1 predicate built
 * from the CI's variables (or the generic flags), checked against both specs' rules, in a DSSE
 * envelope in a v0.3 bundle, logged when a URL is given.
 *
 * @throws ProvenanceBuildError PROVENANCE_CI_VARIABLE_MISSING, PROVENANCE_CI_EVENT_UNSUPPORTED,
 *   PROVENANCE_PARAMETER_INVALID, PROVENANCE_STATEMENT_INVALID; CoreError USAGE, FILE_NOT_FOUND,
 *   FILE_UNREADABLE; SbomError SBOM_LOCKFILE_PARSE, SBOM_NOTHING_TO_CATALOG, SBOM_FORMAT_UNKNOWN,
 *   SBOM_PARSE; SignError SIGN_STATEMENT_INVALID, SIGN_KEY_INVALID, SIGN_SERVICE_FAILED
 */
export async function attestProvenance(o: AttestProvenanceOptions): Promise<ProvenanceOutcome> {
  const { statement, ci, dependencies } = await provenanceStatement(o);
  const signed = await signStatement(statement, o);
  return { ...signed, statement, ci, dependencies };
}

/**
 * The statement `attestProvenance` signs, unsigned: subjects read, dependencies catalogued,
 * predicate built and checked.
 * @throws as attestProvenance, without the signing errors
 */
export async function provenanceStatement(
  o: Omit<AttestProvenanceOptions, keyof KeyedSigningOptions>,
): Promise<Omit<ProvenanceOutcome, keyof SignOutcome>> {
  const subjects = subjectsOf(o.artifacts, o.subjectName);
  const dependencies = await dependenciesOf(o.lockfiles ?? [], o.sbom);
  const input: BuildProvenanceInput = {
    ci: o.ci,
    env: o.ciEnv,
    flags: o.flags,
    now: o.now ?? new Date(),
    dependencies,
  };
  const built = buildProvenance(input);
  const statement = buildStatement({
    subjects,
    predicateType: SLSA_PROVENANCE_V1,
    predicate: built.predicate as unknown as Record<string, unknown>,
  });
  assertProvenanceStatement(statement);
  const all = built.predicate.buildDefinition.resolvedDependencies ?? [];
  return { statement, ci: built.ci, dependencies: pinnedCount(all) };
}

function subjectsOf(artifacts: readonly string[], name: string | undefined): Subject[] {
  if (artifacts.length === 0) {
    throw new CoreError('USAGE', 'name at least one artifact (a file, or sha256:<hex>)');
  }
  if (name !== undefined && artifacts.length > 1) {
    throw new CoreError(
      'USAGE',
      '--subject-name names a single artifact; drop it or attest one at a time',
    );
  }
  const out: Subject[] = [];
  for (const a of artifacts) {
    const s = a.startsWith('sha256:')
      ? subjectFromDigest(a, name)
      : subjectFromBytes(name ?? basename(a), readInput(a, 'artifact'));
    // The same artifact twice is one subject.
    if (!out.some((x) => x.name === s.name && x.digest['sha256'] === s.digest['sha256']))
      out.push(s);
  }
  return out;
}

async function dependenciesOf(
  lockfiles: readonly string[],
  sbom: string | undefined,
): Promise<ResourceDescriptorV1[]> {
  const results = [];
  for (const l of lockfiles) results.push(...(await catalogPath(l)));
  const deps = lockfileDependencies(results);
  if (sbom !== undefined) deps.push(sbomDependency(readInput(sbom, 'SBOM'), sbom));
  return deps;
}
