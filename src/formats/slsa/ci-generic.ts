import { ProvenanceBuildError } from './build-errors.js';
import type { ProvenancePredicateV1, ResourceDescriptorV1 } from './build-types.js';
import { DIGEST_SIZES } from './build-validate.js';
import { toTimestamp } from './ci-variables.js';

/**
 * Custody's generic build type, for any builder that does not describe itself (Jenkins, Tekton,
 * a wrapper script around a legacy build): the build is described by whoever runs
 * `custody attest provenance --ci generic`, so it is as trustworthy as that caller.
 *
 *     "buildType": "urn:custody:buildtype:generic:v1"
 *
 * - externalParameters — what the caller chose:
 *   - `source` (string, `--source-uri`): the repository built, a URI;
 *   - `ref` (string, `--source-ref`): the branch or tag, as `refs/heads/…` / `refs/tags/…` or as
 *     the builder names it;
 *   - every `--external-parameter <key>=<value>` as a string at its key (keys are
 *     `[A-Za-z_][A-Za-z0-9_.-]*`; `source` and `ref` are reserved).
 * - internalParameters: none.
 * - resolvedDependencies[0] (with `--source-uri`): the source. Its `uri` is the source URI, with
 *   `git+` in front of an http(s) URI whose digest is a git object id and `@<ref>` after it with a
 *   ref (SPDX download-location form, as GitHub's build type writes it); its `digest` is
 *   `--source-digest <alg>:<hex>` (`gitCommit:<sha>`, `sha256:<hex>`, … any in-toto DigestSet
 *   algorithm). Lockfile packages and the SBOM follow.
 * - runDetails.builder.id: `--builder-id`, a URI naming the builder (required);
 *   metadata: `--invocation-id`, `--started-on`, `--finished-on` (RFC 3339; written in UTC).
 */
export const CUSTODY_GENERIC_BUILD_TYPE = 'urn:custody:buildtype:generic:v1';

/** The flags that describe a build when no CI describes it. Strings as the user typed them. */
export interface GenericBuildFlags {
  builderId?: string | undefined;
  buildType?: string | undefined;
  sourceUri?: string | undefined;
  sourceDigest?: string | undefined;
  sourceRef?: string | undefined;
  invocationId?: string | undefined;
  externalParameters?: readonly string[] | undefined;
  startedOn?: string | undefined;
  finishedOn?: string | undefined;
}

const LIMITS = { uri: 2048, text: 4096, parameters: 256 } as const;
const RESERVED = new Set(['source', 'ref']);

/**
 * The generic build type's predicate from flags. Untrusted input: every value is checked, and
 * every problem reported at once.
 * @throws ProvenanceBuildError PROVENANCE_PARAMETER_INVALID naming each bad flag
 */
export function genericProvenance(f: GenericBuildFlags): ProvenancePredicateV1 {
  const problems: string[] = [];
  const check = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof ProvenanceBuildError)) throw e;
      problems.push(e.message);
      return undefined;
    }
  };
  if (f.builderId === undefined) {
    problems.push(
      '--builder-id is required outside GitHub Actions and GitLab CI: a URI naming the builder, e.g. https://jenkins.example.com/job/release',
    );
  }
  // A flag's value checked when it is given; its problem collected, not thrown.
  const opt = <T>(v: string | undefined, fn: (s: string) => T): T | undefined =>
    v === undefined ? undefined : check(() => fn(v));
  const builderId = opt(f.builderId, (v) => uri(v, '--builder-id'));
  const buildType = check(() => uri(f.buildType ?? CUSTODY_GENERIC_BUILD_TYPE, '--build-type'));
  const source = opt(f.sourceUri, (v) => uri(v, '--source-uri'));
  const digest = opt(f.sourceDigest, parseSourceDigest);
  const ref = opt(f.sourceRef, (v) => text(v, '--source-ref', { word: true }));
  if (f.sourceUri === undefined && (f.sourceDigest !== undefined || f.sourceRef !== undefined)) {
    problems.push('--source-digest and --source-ref describe --source-uri: pass it too');
  }
  const invocationId = opt(f.invocationId, (v) => text(v, '--invocation-id'));
  const params = check(() => parseExternalParameters(f.externalParameters ?? []));
  const startedOn = opt(f.startedOn, (v) => time(v, '--started-on'));
  const finishedOn = opt(f.finishedOn, (v) => time(v, '--finished-on'));
  if (
    startedOn !== undefined &&
    finishedOn !== undefined &&
    Date.parse(finishedOn) < Date.parse(startedOn)
  ) {
    problems.push(`--finished-on ${finishedOn} is before --started-on ${startedOn}`);
  }
  if (problems.length > 0 || builderId === undefined || buildType === undefined) {
    throw new ProvenanceBuildError('PROVENANCE_PARAMETER_INVALID', problems.join('; '), {
      details: { problems },
    });
  }
  const metadata = {
    ...(invocationId !== undefined ? { invocationId } : {}),
    ...(startedOn !== undefined ? { startedOn } : {}),
    ...(finishedOn !== undefined ? { finishedOn } : {}),
  };
  return {
    buildDefinition: {
      buildType,
      externalParameters: {
        ...(source !== undefined ? { source } : {}),
        ...(ref !== undefined ? { ref } : {}),
        ...params,
      },
      ...(source !== undefined
        ? { resolvedDependencies: [sourceDescriptor(source, ref, digest)] }
        : {}),
    },
    runDetails: {
      builder: { id: builderId },
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    },
  };
}

/**
 * `--external-parameter key=value` flags as an object; the value may contain `=`.
 * @throws ProvenanceBuildError PROVENANCE_PARAMETER_INVALID for a flag without `=`, a bad or
 *   reserved key, a repeated key, an over-long value or too many flags
 */
export function parseExternalParameters(flags: readonly string[]): Record<string, string> {
  if (flags.length > LIMITS.parameters) {
    throw invalid(`at most ${LIMITS.parameters} --external-parameter flags, got ${flags.length}`);
  }
  const out: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const key = eq < 0 ? flag : flag.slice(0, eq);
    if (eq < 0 || !/^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/.test(key)) {
      throw invalid(
        `--external-parameter ${JSON.stringify(flag.slice(0, 200))} is not key=value with a key of letters, digits, _ . - (starting with a letter or _)`,
      );
    }
    if (RESERVED.has(key)) {
      throw invalid(`--external-parameter ${key}=… is reserved: use --source-uri / --source-ref`);
    }
    if (Object.hasOwn(out, key)) throw invalid(`--external-parameter ${key} is given twice`);
    out[key] = text(flag.slice(eq + 1), `--external-parameter ${key}`, { empty: true });
  }
  return out;
}

/**
 * `--source-digest <alg>:<hex>`, an in-toto DigestSet entry (`gitCommit:<sha>`, `sha256:<hex>`);
 * hex is lower-cased and checked against the algorithm's size.
 * @throws ProvenanceBuildError PROVENANCE_PARAMETER_INVALID
 */
export function parseSourceDigest(value: string): Record<string, string> {
  const m = /^([A-Za-z0-9_]{1,32}):([0-9A-Fa-f]{1,256})$/.exec(value);
  const sizes = m?.[1] === undefined ? undefined : DIGEST_SIZES[m[1]];
  const hex = m?.[2]?.toLowerCase();
  if (!m || sizes === undefined || hex === undefined || !sizes.includes(hex.length / 2)) {
    throw invalid(
      `--source-digest ${JSON.stringify(value.slice(0, 200))} is not <algorithm>:<hex> with an in-toto digest algorithm (${Object.keys(DIGEST_SIZES).join(', ')}) and a digest of its length, e.g. gitCommit:<40 hex digits>`,
    );
  }
  return { [m[1] as string]: hex };
}

function sourceDescriptor(
  source: string,
  ref: string | undefined,
  digest: Record<string, string> | undefined,
): ResourceDescriptorV1 {
  const git = digest !== undefined && Object.keys(digest).some((k) => k.startsWith('git'));
  const base = git && /^https?:/i.test(source) ? `git+${source}` : source;
  return {
    uri: ref !== undefined ? `${base}@${ref}` : base,
    ...(digest !== undefined ? { digest } : {}),
  };
}

// RFC 3986: a scheme, a colon, and no spaces; over-long values are refused, not truncated.
function uri(value: string, flag: string): string {
  if (value.length > LIMITS.uri || !/^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/.test(value)) {
    throw invalid(
      `${flag} ${JSON.stringify(value.slice(0, 200))} is not an absolute URI (scheme:…, no spaces, at most ${LIMITS.uri} characters)`,
    );
  }
  return value;
}

// Free text: no control characters, bounded; `word` also refuses whitespace (a ref), `empty` lets ''
// through (a parameter's value).
function text(value: string, flag: string, o: { word?: boolean; empty?: boolean } = {}): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  const control = /[\u0000-\u001f\u007f]/.test(value);
  const bad =
    (value === '' && o.empty !== true) ||
    value.length > LIMITS.text ||
    control ||
    (o.word === true && /\s/.test(value));
  if (bad) {
    throw invalid(
      `${flag} must be ${o.empty === true ? '' : 'non-empty '}text of at most ${LIMITS.text} characters without control characters${o.word === true ? ' or spaces' : ''}`,
    );
  }
  return value;
}

function time(value: string, flag: string): string {
  const t = toTimestamp(value);
  if (t === undefined)
    throw invalid(
      `${flag} ${JSON.stringify(value.slice(0, 100))} is not an RFC 3339 time such as 2026-01-31T12:00:00Z`,
    );
  return t;
}

function invalid(message: string): ProvenanceBuildError {
  return new ProvenanceBuildError('PROVENANCE_PARAMETER_INVALID', message);
}
