import type { InTotoStatement, StatementSubject } from '../../formats/slsa/index.js';
import { fail } from './reasons.js';

/**
 * A provenance read the way slsa-verifier's GitHub verifier reads it (verifiers/internal/gha/
 * slsaprovenance): which fields hold the trigger, the source, the branch, the tag and the
 * workflow inputs depends on the builder (from the certificate) and the build type.
 */
export interface GhaProvenance {
  builderId: string;
  buildType: string;
  subjects: StatementSubject[];
  /** The source from the materials / resolved dependencies (`git+https://…@ref`). */
  sourceUri(): string;
  /** The repository and ref that triggered the build. */
  triggerUri(): string;
  /** `refs/heads/…` or '' (a tag built from no branch). */
  branch(): string;
  /** `refs/tags/…` or '' (a branch build). */
  tag(): string;
  workflowInputs(): Record<string, unknown>;
}

const GENERATOR = 'https://github.com/slsa-framework/slsa-github-generator/.github/workflows/';
export const BUILDERS = {
  generic: `${GENERATOR}generator_generic_slsa3.yml`,
  containerGenerator: `${GENERATOR}generator_container_slsa3.yml`,
  go: `${GENERATOR}builder_go_slsa3.yml`,
  containerBased: `${GENERATOR}builder_container-based_slsa3.yml`,
  delegator: `${GENERATOR}delegator_generic_slsa3.yml`,
  lowPermsDelegator: `${GENERATOR}delegator_lowperms-generic_slsa3.yml`,
  npmCliLegacy: 'https://github.com/actions/runner',
  npmCliHosted: 'https://github.com/actions/runner/github-hosted',
  npmCliSelfHosted: 'https://github.com/actions/runner/self-hosted',
  bcrReleaser: 'https://github.com/bazel-contrib/.github/.github/workflows/release_ruleset.yaml',
  bcrPublisher: 'https://github.com/bazel-contrib/publish-to-bcr/.github/workflows/publish.yaml',
} as const;

export const BUILD_TYPES = {
  byob: 'https://github.com/slsa-framework/slsa-github-generator/delegator-generic@v0',
  containerBased: 'https://slsa.dev/container-based-build/v0.1?draft',
  go: 'https://github.com/slsa-framework/slsa-github-generator/go@v1',
  generic: 'https://github.com/slsa-framework/slsa-github-generator/generic@v1',
  containerGenerator: 'https://github.com/slsa-framework/slsa-github-generator/container@v1',
  npmCli1: 'https://github.com/npm/cli/gha@v1',
  npmCli2: 'https://github.com/npm/cli/gha/v2',
  npmCliGithubActions: 'https://slsa-framework.github.io/github-actions-buildtypes/workflow/v1',
  githubActions: 'https://actions.github.io/buildtypes/workflow/v1',
  legacyGo: 'https://github.com/slsa-framework/slsa-github-generator-go@v1',
  legacy: 'https://github.com/slsa-framework/slsa-github-generator@v1',
} as const;

type Kind = 'legacy' | 'byob' | 'base' | 'workflow';

const V02_KINDS: Record<string, Record<string, Kind>> = {
  [BUILDERS.delegator]: { [BUILD_TYPES.byob]: 'byob' },
  [BUILDERS.lowPermsDelegator]: { [BUILD_TYPES.byob]: 'byob' },
  [BUILDERS.go]: {
    [BUILD_TYPES.go]: 'legacy',
    [BUILD_TYPES.legacy]: 'legacy',
    [BUILD_TYPES.legacyGo]: 'legacy',
  },
  [BUILDERS.generic]: { [BUILD_TYPES.generic]: 'legacy' },
  [BUILDERS.containerGenerator]: { [BUILD_TYPES.containerGenerator]: 'legacy' },
  [BUILDERS.npmCliLegacy]: { [BUILD_TYPES.npmCli1]: 'legacy', [BUILD_TYPES.npmCli2]: 'legacy' },
  [BUILDERS.npmCliHosted]: { [BUILD_TYPES.npmCli1]: 'legacy', [BUILD_TYPES.npmCli2]: 'legacy' },
};

const V1_KINDS: Record<string, Record<string, Kind>> = {
  [BUILDERS.delegator]: { [BUILD_TYPES.byob]: 'byob' },
  [BUILDERS.lowPermsDelegator]: { [BUILD_TYPES.byob]: 'byob' },
  [BUILDERS.containerBased]: { [BUILD_TYPES.containerBased]: 'base' },
  [BUILDERS.npmCliHosted]: { [BUILD_TYPES.npmCliGithubActions]: 'workflow' },
  [BUILDERS.bcrReleaser]: { [BUILD_TYPES.githubActions]: 'workflow' },
  [BUILDERS.bcrPublisher]: { [BUILD_TYPES.githubActions]: 'workflow' },
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function getString(env: Obj, key: string): string {
  const v = env[key];
  if (typeof v !== 'string') fail('invalid-dsse-payload', `environment type for ${key}`);
  return v;
}

function eventPayload(env: Obj, upper: boolean): Obj {
  const p = env[upper ? 'GITHUB_EVENT_PAYLOAD' : 'github_event_payload'];
  if (!isObj(p)) fail('invalid-dsse-payload', 'parameters type event payload');
  return p;
}

/** common.GetBranch: the branch of a branch build; for a tag, the branch it was cut from. */
function envBranch(env: Obj, upper: boolean): string {
  const k = (s: string) => (upper ? s.toUpperCase() : s);
  const refType = getString(env, k('github_ref_type'));
  if (refType === 'branch') return getString(env, k('github_ref'));
  if (refType !== 'tag') fail('invalid-dsse-payload', `unknown ref type "${refType}"`);
  const baseRef = getString(env, k('github_base_ref'));
  if (baseRef !== '') return baseRef;
  const event = getString(env, k('github_event_name'));
  const payload = eventPayload(env, upper);
  if (event === 'push') {
    if (!('base_ref' in payload)) fail('invalid-dsse-payload', 'environment type for base_ref');
    return typeof payload['base_ref'] === 'string' ? payload['base_ref'] : '';
  }
  if (event === 'release') {
    const release = payload['release'];
    if (!isObj(release)) fail('invalid-dsse-payload', 'release absent from payload');
    return `refs/heads/${getString(release, 'target_commitish')}`;
  }
  return '';
}

function envTag(env: Obj, upper: boolean): string {
  const k = (s: string) => (upper ? s.toUpperCase() : s);
  const refType = getString(env, k('github_ref_type'));
  if (refType === 'branch') return '';
  if (refType === 'tag') return getString(env, k('github_ref'));
  return fail('invalid-dsse-payload', `unknown ref type "${refType}"`);
}

function envInputs(env: Obj, upper: boolean): Obj {
  const event = getString(env, upper ? 'GITHUB_EVENT_NAME' : 'github_event_name');
  if (event !== 'workflow_dispatch') {
    fail('mismatch-workflow-inputs', `expected 'workflow_dispatch' trigger, got ${event}`);
  }
  const inputs = eventPayload(env, upper)['inputs'];
  if (!isObj(inputs)) fail('invalid-dsse-payload', 'parameters type inputs');
  return inputs;
}

/** utils.ParseGitURIAndRef: `git+…@ref` → [uri, ref]. */
export function parseGitUriAndRef(uri: string): [string, string] {
  if (uri === '') fail('malformed-uri', 'empty uri');
  if (!uri.startsWith('git+')) fail('malformed-uri', `not a git URI: "${uri}"`);
  const i = uri.indexOf('@');
  return i === -1 ? [uri, ''] : [uri.slice(0, i), uri.slice(i + 1)];
}

function refType(ref: string): string {
  const parts = ref.split('/');
  return parts.length >= 3 && parts[0] === 'refs' ? (parts[1] as string) : '';
}

/**
 * The provenance for a builder (the certificate's workflow, without its ref).
 * @param builderName the trusted builder's name from the certificate
 */
export function ghaProvenance(builderName: string, statement: InTotoStatement): GhaProvenance {
  const p = statement.predicate;
  const v1 =
    statement.predicateType === 'https://slsa.dev/provenance/v1' ||
    statement.predicateType === 'https://slsa.dev/provenance/v1.0?draft';
  if (!v1 && statement.predicateType !== 'https://slsa.dev/provenance/v0.2') {
    fail('invalid-dsse-payload', `unexpected predicate type "${statement.predicateType}"`);
  }
  const kinds = (v1 ? V1_KINDS : V02_KINDS)[builderName];
  if (kinds === undefined) fail('invalid-builder-id', `"${builderName}"`);
  const bd = isObj(p['buildDefinition']) ? p['buildDefinition'] : {};
  const rd = isObj(p['runDetails']) ? p['runDetails'] : {};
  const buildType = String((v1 ? bd['buildType'] : p['buildType']) ?? '');
  const kind = kinds[buildType];
  if (kind === undefined) {
    fail('invalid-build-type', `"${buildType}" for builder ID "${builderName}"`);
  }
  const builder = v1 ? (rd['builder'] as Obj | undefined) : (p['builder'] as Obj | undefined);
  const builderId = typeof builder?.['id'] === 'string' ? builder['id'] : '';
  const invocation = isObj(p['invocation']) ? p['invocation'] : {};
  const configSource = isObj(invocation['configSource']) ? invocation['configSource'] : {};
  // v0.2 keeps the GitHub context in invocation.environment; v1 in internalParameters.
  const env = (): Obj => {
    const e = v1 ? bd['internalParameters'] : invocation['environment'];
    if (!isObj(e)) fail('invalid-dsse-payload', 'parameters type');
    return e;
  };
  const upper = v1 || kind === 'byob';
  const sourceUri = (): string => {
    const list = v1 ? bd['resolvedDependencies'] : p['materials'];
    if (!Array.isArray(list) || list.length === 0) fail('invalid-dsse-payload', 'no material');
    const uri = (list[0] as Obj | undefined)?.['uri'];
    if (typeof uri !== 'string' || uri === '') fail('malformed-uri', 'empty uri');
    return uri;
  };
  const triggerUri = (): string => {
    if (!v1) {
      const uri = configSource['uri'];
      if (typeof uri !== 'string' || uri === '') fail('malformed-uri', 'empty uri');
      return uri;
    }
    if (kind === 'workflow') {
      const ext = isObj(bd['externalParameters']) ? bd['externalParameters'] : {};
      const w = ext['workflow'];
      if (!isObj(w)) fail('invalid-format', 'workflow parameters');
      if (typeof w['repository'] !== 'string')
        fail('invalid-format', 'workflow parameters: repository');
      if (typeof w['ref'] !== 'string') fail('invalid-format', 'workflow parameters: ref');
      return `git+${w['repository']}@${w['ref']}`;
    }
    const e = env();
    if (!('GITHUB_WORKFLOW_REF' in e))
      fail('invalid-dsse-payload', 'GITHUB_WORKFLOW_REF not present');
    const workflowRef = getString(e, 'GITHUB_WORKFLOW_REF');
    const parts = workflowRef.split('@');
    if (parts.length !== 2) fail('invalid-format', `ref: ${workflowRef}`);
    const path = (parts[0] as string).split('/');
    if (path.length < 2) fail('invalid-format', `repo and path: ${parts[0]}`);
    return `git+https://github.com/${path.slice(0, 2).join('/')}@${parts[1]}`;
  };
  const byobRef = (): string => {
    const uri = sourceUri();
    const [, ref] = parseGitUriAndRef(uri);
    if (ref === '') fail('invalid-dsse-payload', `unable to get ref for source "${uri}"`);
    return ref;
  };
  return {
    builderId,
    buildType,
    subjects: statement.subject,
    sourceUri,
    triggerUri,
    branch: () => {
      if (kind !== 'byob') return envBranch(env(), upper);
      const ref = byobRef();
      const t = refType(ref);
      if (t === 'heads') return ref;
      if (t === 'tags') return envBranch(env(), true);
      return fail('invalid-dsse-payload', `unknown ref type "${t}" for ref "${ref}"`);
    },
    tag: () => {
      if (kind !== 'byob') return envTag(env(), upper);
      const ref = byobRef();
      const t = refType(ref);
      if (t === 'heads') return '';
      if (t === 'tags') return ref;
      return fail('invalid-dsse-payload', `unknown ref type "${t}" for ref "${ref}"`);
    },
    workflowInputs: () => envInputs(env(), upper),
  };
}
