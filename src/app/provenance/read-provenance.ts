import { PREDICATE_TYPE_ALIASES } from '../../sign/index.js';
import { ProvenanceServiceError } from './errors.js';

/**
 * What the service keeps of a SLSA provenance predicate: the builder, the build type, whether the
 * external parameters are there, where the source came from and how many resolved dependencies
 * carry a digest.
 *
 * A stopgap until formats/slsa (branch w-slsaverify) is merged: it reads only these fields and
 * refuses a predicate whose shape is wrong where they are. The full reader replaces it.
 */
export interface ProvenanceFacts {
  builderId: string | null;
  buildType: string | null;
  externalParameters: boolean;
  source: { uri: string | null; digest: string | null; ref: string | null };
  dependencies: number;
  pinned: number;
}

export const SLSA_PROVENANCE_V1 = PREDICATE_TYPE_ALIASES.slsaprovenance1;
export const SLSA_PROVENANCE_V02 = 'https://slsa.dev/provenance/v0.2';
const MAX_DEPENDENCIES = 100_000;

/** Whether a predicate type is SLSA provenance this reader understands. */
export function isSlsaProvenance(predicateType: string): boolean {
  return predicateType === SLSA_PROVENANCE_V1 || predicateType === SLSA_PROVENANCE_V02;
}

/**
 * Read a SLSA provenance predicate (v1, or v0.2's builder/buildType/invocation). Untrusted.
 * @throws ProvenanceServiceError ATTESTATION_STATEMENT_INVALID naming every problem
 */
export function readProvenanceFacts(predicateType: string, predicate: unknown): ProvenanceFacts {
  const problems: string[] = [];
  const p = obj(predicate, 'predicate', problems) ?? {};
  const facts = predicateType === SLSA_PROVENANCE_V02 ? readV02(p, problems) : readV1(p, problems);
  if (problems.length > 0) {
    throw new ProvenanceServiceError(
      'ATTESTATION_STATEMENT_INVALID',
      `The SLSA provenance predicate is malformed: ${problems.slice(0, 5).join('; ')}`,
      { details: { problems } },
    );
  }
  return facts;
}

function readV1(p: Record<string, unknown>, problems: string[]): ProvenanceFacts {
  const def = obj(p['buildDefinition'], 'buildDefinition', problems) ?? {};
  const run = obj(p['runDetails'], 'runDetails', problems) ?? {};
  const builder = obj(run['builder'], 'runDetails.builder', problems) ?? {};
  const ext = optObj(def['externalParameters'], 'buildDefinition.externalParameters', problems);
  const deps = optArray(
    def['resolvedDependencies'],
    'buildDefinition.resolvedDependencies',
    problems,
  );
  const descriptors = deps.map((d, i) =>
    descriptor(d, `buildDefinition.resolvedDependencies[${i}]`, problems),
  );
  return {
    builderId: str(builder['id'], 'runDetails.builder.id', problems),
    buildType: str(def['buildType'], 'buildDefinition.buildType', problems),
    externalParameters: ext !== undefined && Object.keys(ext).length > 0,
    source: sourceOf(ext ?? {}, descriptors),
    dependencies: descriptors.length,
    pinned: descriptors.filter((d) => d.digest !== null).length,
  };
}

function readV02(p: Record<string, unknown>, problems: string[]): ProvenanceFacts {
  const builder = obj(p['builder'], 'builder', problems) ?? {};
  const inv = optObj(p['invocation'], 'invocation', problems) ?? {};
  const params = optObj(inv['parameters'], 'invocation.parameters', problems);
  const source = optObj(inv['configSource'], 'invocation.configSource', problems);
  const materials = optArray(p['materials'], 'materials', problems).map((d, i) =>
    descriptor(d, `materials[${i}]`, problems),
  );
  const src = source === undefined ? undefined : descriptor(source, 'configSource', problems);
  return {
    builderId: str(builder['id'], 'builder.id', problems),
    buildType: str(p['buildType'], 'buildType', problems),
    // v0.2 keeps the external inputs in invocation: the config source and its parameters.
    externalParameters:
      source !== undefined || (params !== undefined && Object.keys(params).length > 0),
    source: {
      uri: src?.uri ?? materials[0]?.uri ?? null,
      digest: src?.digest ?? materials[0]?.digest ?? null,
      ref: typeof source?.['entryPoint'] === 'string' ? (source['entryPoint'] as string) : null,
    },
    dependencies: materials.length,
    pinned: materials.filter((d) => d.digest !== null).length,
  };
}

/** A ResourceDescriptor's uri and its strongest digest as `alg:hex`. */
function descriptor(
  v: unknown,
  at: string,
  problems: string[],
): { uri: string | null; digest: string | null } {
  const d = obj(v, at, problems) ?? {};
  const uri = typeof d['uri'] === 'string' ? d['uri'] : null;
  const digests = optObj(d['digest'], `${at}.digest`, problems) ?? {};
  const alg = ['sha256', 'sha512', 'gitCommit', 'sha1'].find(
    (a) => typeof digests[a] === 'string' && (digests[a] as string).length > 0,
  );
  const any = Object.entries(digests).find(([, x]) => typeof x === 'string' && x.length > 0);
  const pick = alg ?? any?.[0];
  return { uri, digest: pick === undefined ? null : `${pick}:${digests[pick] as string}` };
}

/**
 * Where the source came from: GitHub's workflow build type names it in
 * `externalParameters.workflow` (repository, ref); others in a `source` parameter; else the
 * first resolved dependency (builders list the source checkout first).
 */
function sourceOf(
  ext: Record<string, unknown>,
  deps: { uri: string | null; digest: string | null }[],
): ProvenanceFacts['source'] {
  const wf = ext['workflow'] as Record<string, unknown> | undefined;
  const repo = typeof wf?.['repository'] === 'string' ? (wf['repository'] as string) : undefined;
  const ref = typeof wf?.['ref'] === 'string' ? (wf['ref'] as string) : undefined;
  const src = typeof ext['source'] === 'string' ? (ext['source'] as string) : undefined;
  const first = deps[0];
  const uri = repo ?? src ?? first?.uri ?? null;
  const dep = uri === null ? undefined : deps.find((d) => d.uri?.startsWith(stripRef(uri)));
  return {
    uri,
    digest: dep?.digest ?? first?.digest ?? null,
    ref: ref ?? (uri?.includes('@') ? uri.slice(uri.lastIndexOf('@') + 1) : null),
  };
}

function stripRef(uri: string): string {
  const at = uri.lastIndexOf('@');
  return at > uri.indexOf('://') + 3 ? uri.slice(0, at) : uri;
}

function obj(v: unknown, at: string, problems: string[]): Record<string, unknown> | undefined {
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) return v as Record<string, unknown>;
  problems.push(`${at} is not an object`);
  return undefined;
}

function optObj(v: unknown, at: string, problems: string[]): Record<string, unknown> | undefined {
  return v === undefined ? undefined : obj(v, at, problems);
}

function optArray(v: unknown, at: string, problems: string[]): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) {
    problems.push(`${at} is not an array`);
    return [];
  }
  if (v.length > MAX_DEPENDENCIES) {
    problems.push(`${at} has more than ${MAX_DEPENDENCIES} entries`);
    return [];
  }
  return v;
}

function str(v: unknown, at: string, problems: string[]): string | null {
  if (v === undefined) return null;
  if (typeof v !== 'string') {
    problems.push(`${at} is not a string`);
    return null;
  }
  return v.length === 0 ? null : v;
}
