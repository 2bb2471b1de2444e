import { alpineScheme } from './alpine.js';
import { alpmScheme } from './alpm.js';
import { composerScheme } from './composer.js';
import { conanScheme } from './conan.js';
import { datetimeScheme } from './datetime.js';
import { debScheme } from './deb.js';
import { gemScheme } from './gem.js';
import { genericScheme } from './generic.js';
import { gentooScheme } from './gentoo.js';
import { lexicographicScheme } from './lexicographic.js';
import { mavenScheme } from './maven.js';
import { nugetScheme } from './nuget.js';
import { opensslScheme } from './openssl.js';
import { pypiScheme } from './pypi.js';
import { rpmScheme } from './rpm.js';
import type { VersionScheme } from './scheme.js';
import { cargoScheme, golangScheme, npmScheme, strictSemverScheme } from './semver.js';

/** vers types this module can order, by their canonical (lower-case) name. */
export const SCHEMES: ReadonlyMap<string, VersionScheme<unknown>> = new Map([
  ['alpine', alpineScheme],
  ['apk', alpineScheme],
  ['alpm', alpmScheme],
  ['cargo', cargoScheme],
  ['composer', composerScheme],
  ['conan', conanScheme],
  ['datetime', datetimeScheme],
  ['deb', debScheme],
  ['gem', gemScheme],
  ['generic', genericScheme],
  ['gentoo', gentooScheme],
  ['golang', golangScheme],
  ['lexicographic', lexicographicScheme],
  ['maven', mavenScheme],
  ['nginx', genericScheme],
  ['npm', npmScheme],
  ['nuget', nugetScheme],
  ['openssl', opensslScheme],
  ['pypi', pypiScheme],
  ['rpm', rpmScheme],
  ['semver', strictSemverScheme],
]);

export type { VersionScheme };
