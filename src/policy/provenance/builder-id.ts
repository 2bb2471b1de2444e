import { fail } from './reasons.js';

/**
 * Builder IDs (`name@version`) and version tags, as slsa-verifier compares them
 * (verifiers/utils/builder.go, source_tag.go, git.go). Versions follow Go's golang.org/x/mod/semver:
 * a leading `v`, and `vMAJOR` or `vMAJOR.MINOR` shorthands for `.0`.
 */
export interface BuilderId {
  name: string;
  version: string;
}

export function parseBuilderId(id: string, needVersion: boolean): BuilderId {
  const parts = id.split('@');
  if (parts.length === 2) {
    if (parts[1] === '') fail('invalid-format', `builder ID "${id}" has an empty version`);
    return { name: parts[0] as string, version: parts[1] as string };
  }
  if (parts.length === 1 && !needVersion) return { name: id, version: '' };
  return fail('invalid-format', `builder ID "${id}" is not name@version`);
}

export function builderIdString(b: BuilderId): string {
  return b.version === '' ? b.name : `${b.name}@${b.version}`;
}

/**
 * The names match and, when `expected` has a version, the versions too; `v1.2.3` matches
 * `refs/tags/v1.2.3` (allowRef). Returns an error message, or undefined on a match.
 */
export function matchesLoose(b: BuilderId, expected: string, allowRef = true): string | undefined {
  const e = parseBuilderId(expected, false);
  if (e.name !== b.name) return `expected name '${b.name}', got '${e.name}'`;
  if (e.version !== '' && e.version !== b.version) {
    if (allowRef && `refs/tags/${e.version}` === b.version) return undefined;
    return `expected version '${e.version}', got '${b.version}'`;
  }
  return undefined;
}

/** As matchesLoose, but the versions must match even when `expected` has none. */
export function matchesFull(b: BuilderId, expected: string, allowRef = true): string | undefined {
  const e = parseBuilderId(expected, false);
  if (e.name !== b.name) return `expected name '${b.name}', got '${e.name}'`;
  if (e.version !== b.version) {
    if (allowRef && `refs/tags/${e.version}` === b.version) return undefined;
    return `expected version '${e.version}', got '${b.version}'`;
  }
  return undefined;
}

/** `refs/<type>/<name>` → name; a ref of another type is ErrorInvalidRef. */
export function refName(type: 'heads' | 'tags', ref: string): string {
  const parts = ref.split('/');
  const [refs, t] = parts;
  const name = parts.slice(2).join('/');
  const actualType = parts.length >= 3 && refs === 'refs' ? t : '';
  if (actualType !== type) fail('invalid-ref', `"${ref}": unexpected ref type "${actualType}"`);
  if (name === '') fail('invalid-ref', `"${ref}": empty ref name`);
  return name;
}

const NUM = '(0|[1-9][0-9]*)';
const IDENT = '[0-9A-Za-z-]+';
const SEMVER = new RegExp(
  `^v${NUM}(?:\\.${NUM}(?:\\.${NUM}(-${IDENT}(?:\\.${IDENT})*)?(\\+${IDENT}(?:\\.${IDENT})*)?)?)?$`,
);

interface Semver {
  major: string;
  minor: string | undefined;
  patch: string | undefined;
  prerelease: string;
  build: string;
}

/** Go semver's IsValid, with the parts as written (prerelease numbers must not start with 0). */
export function parseSemver(v: string): Semver | undefined {
  const m = SEMVER.exec(v);
  if (!m) return undefined;
  const prerelease = m[4] ?? '';
  if (
    prerelease
      .slice(1)
      .split('.')
      .some((p) => /^0[0-9]+$/.test(p))
  )
    return undefined;
  return { major: m[1] as string, minor: m[2], patch: m[3], prerelease, build: m[5] ?? '' };
}

/** The builder's ref must be a release tag `refs/tags/vX.Y.Z` (no prerelease, no build). */
export function assertBuilderTag(ref: string, testing: boolean): void {
  const pin = refName('tags', ref);
  const s = parseSemver(pin);
  if (testing) {
    if (s === undefined || s.patch === undefined || s.build !== '') {
      fail('invalid-ref', `${pin}: version tag not valid`);
    }
    return;
  }
  if (s === undefined || pin.split('.').length !== 3 || s.prerelease !== '' || s.build !== '') {
    fail('invalid-ref', `${pin}: not of the form vX.Y.Z`);
  }
}

/**
 * `--source-versioned-tag`: the provenance's tag matches the expected one on every part the
 * expected one gives (v1 matches v1.x.y; v1.2 matches v1.2.y).
 */
export function assertVersionedTag(provenanceTag: string, expected: string): void {
  const e = parseSemver(expected);
  if (e === undefined) fail('invalid-semver', `${expected} is not a semantic version`);
  const t = parseSemver(provenanceTag);
  if (t === undefined) fail('invalid-semver', `${provenanceTag} is not a semantic version`);
  const canonical = {
    major: `v${t.major}`,
    minor: t.minor ?? '0',
    patch: `${t.patch ?? '0'}${t.prerelease}`,
  };
  if (`v${e.major}` !== canonical.major) {
    fail(
      'mismatch-versioned-tag',
      `major version expected 'v${e.major}', got '${canonical.major}'`,
    );
  }
  if (e.minor !== undefined && e.minor !== canonical.minor) {
    fail('mismatch-versioned-tag', `minor version expected '${e.minor}', got '${canonical.minor}'`);
  }
  if (e.patch !== undefined) {
    const patch = `${e.patch}${e.prerelease}`;
    if (patch !== canonical.patch) {
      fail('mismatch-versioned-tag', `patch version expected '${patch}', got '${canonical.patch}'`);
    }
  }
}
