/**
 * Branch-name patterns and lockfile names: what tells a release branch, a hotfix branch and a
 * lockfile change apart in a push.
 */

/** Release branches unless a team names its own (Pattern 1's "release branch"). */
export const DEFAULT_RELEASE_BRANCHES: readonly string[] = ['release/*', 'release-*', 'releases/*'];

/**
 * Lockfile names (matched against a changed file's last path segment): what "Lock file changed"
 * means for the ecosystems Custody catalogs.
 */
export const DEFAULT_LOCKFILE_NAMES: readonly string[] = [
  'package-lock.json',
  'npm-shrinkwrap.json',
  'yarn.lock',
  'pnpm-lock.yaml',
  'bun.lock',
  'bun.lockb',
  'Cargo.lock',
  'go.sum',
  'Gemfile.lock',
  'poetry.lock',
  'Pipfile.lock',
  'pdm.lock',
  'uv.lock',
  'composer.lock',
  'packages.lock.json',
  'gradle.lockfile',
  'mix.lock',
  'pubspec.lock',
  'Package.resolved',
  'conan.lock',
  'flake.lock',
];

/**
 * True when `name` matches one of the glob `patterns`: `*` stands for any run of characters
 * except `/`, `**` for any run including `/`; everything else is literal.
 */
export function matchesAny(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => globRegExp(p).test(name));
}

/** The changed paths whose file name is a lockfile name. */
export function lockfilesIn(
  paths: readonly string[],
  names: readonly string[] = DEFAULT_LOCKFILE_NAMES,
): string[] {
  const set = new Set(names);
  return [...new Set(paths)].filter((p) => set.has(p.slice(p.lastIndexOf('/') + 1))).sort();
}

// A glob as an anchored regular expression; the pattern's other characters are escaped.
function globRegExp(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}
