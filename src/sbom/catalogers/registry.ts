import type { Cataloger } from '../model.js';

/**
 * Cataloger families load lazily: a package-lock.json run should not pay for the YAML, TOML, XML
 * and SQLite parsers the other families pull in (about a third of a small run's time). `hint`
 * is a cheap, deliberately broad test on a path; a family whose hint matches any path is loaded,
 * and then its catalogers' own `matches` decide.
 */
export interface CatalogerFamily {
  readonly name: string;
  readonly hint: RegExp;
  load(): Promise<readonly Cataloger[]>;
}

export const CATALOGER_FAMILIES: readonly CatalogerFamily[] = [
  {
    name: 'npm',
    hint: /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json)$/,
    load: async () => [(await import('./npm/package-lock.js')).npmPackageLockCataloger],
  },
  {
    name: 'yarn',
    hint: /(?:^|\/)yarn\.lock$/,
    load: async () => [(await import('./npm/yarn-lock.js')).yarnLockCataloger],
  },
  {
    // pnpm's reader pulls in the YAML parser; a separate family keeps npm-only runs light.
    name: 'pnpm',
    hint: /(?:^|\/)pnpm-lock\.yaml$/,
    load: async () => [(await import('./npm/pnpm-lock.js')).pnpmLockCataloger],
  },
  {
    name: 'os',
    hint: /(?:dpkg\/status(?:\.d\/[^/]+)?|apk\/db\/installed|\/rpm\/[^/]+)$/,
    load: async () => {
      const m = await import('./os/index.js');
      return [m.dpkgStatusCataloger, m.apkInstalledCataloger, m.rpmSqliteCataloger];
    },
  },
  {
    name: 'python',
    hint: /(?:requirements[^/]*|poetry\.lock|Pipfile\.lock|uv\.lock|pdm\.lock)$/i,
    load: async () => {
      const m = await import('./python/index.js');
      return [
        m.poetryLockCataloger,
        m.pipfileLockCataloger,
        m.uvLockCataloger,
        m.pdmLockCataloger,
        m.requirementsCataloger,
      ];
    },
  },
  {
    name: 'go',
    hint: /(?:^|\/)go\.mod$/,
    load: async () => [(await import('./go/index.js')).goModCataloger],
  },
  {
    name: 'rust',
    hint: /(?:^|\/)Cargo\.lock$/,
    load: async () => [(await import('./rust/index.js')).cargoLockCataloger],
  },
  {
    name: 'ruby',
    hint: /(?:^|\/)(?:Gemfile\.lock|gems\.locked)$/,
    load: async () => [(await import('./ruby/index.js')).gemfileLockCataloger],
  },
  {
    name: 'php',
    hint: /(?:^|\/)composer\.lock$/,
    load: async () => [(await import('./php/index.js')).composerLockCataloger],
  },
  {
    name: 'dotnet',
    hint: /(?:^|\/)packages\.lock\.json$/,
    load: async () => [(await import('./dotnet/index.js')).nugetLockCataloger],
  },
  {
    name: 'java',
    hint: /(?:(?:^|\/)pom\.xml|\.lockfile)$/,
    load: async () => {
      const m = await import('./java/index.js');
      return [m.mavenPomCataloger, m.gradleLockfileCataloger];
    },
  },
];

/** Load the catalogers whose families' hints match any of `paths` (all of them when undefined). */
export async function loadCatalogers(paths?: readonly string[]): Promise<Cataloger[]> {
  const families =
    paths === undefined
      ? CATALOGER_FAMILIES
      : CATALOGER_FAMILIES.filter((f) => paths.some((p) => f.hint.test(p)));
  const loaded = await Promise.all(families.map((f) => f.load()));
  return loaded.flat();
}
