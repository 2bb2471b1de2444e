import type { Cataloger } from '../model.js';
import { nugetLockCataloger } from './dotnet/index.js';
import { goModCataloger } from './go/index.js';
import { gradleLockfileCataloger, mavenPomCataloger } from './java/index.js';
import { npmPackageLockCataloger, pnpmLockCataloger, yarnLockCataloger } from './npm/index.js';
import { apkInstalledCataloger, dpkgStatusCataloger, rpmSqliteCataloger } from './os/index.js';
import { composerLockCataloger } from './php/index.js';
import {
  pdmLockCataloger,
  pipfileLockCataloger,
  poetryLockCataloger,
  requirementsCataloger,
  uvLockCataloger,
} from './python/index.js';
import { gemfileLockCataloger } from './ruby/index.js';
import { cargoLockCataloger } from './rust/index.js';

/**
 * Every cataloger Custody runs. Order matters only for sniffing an explicitly named file: the first
 * cataloger whose `sniff` accepts it reads it, so formats with distinctive heads come first and
 * the loosest (requirements.txt) last.
 */
export const CATALOGERS: readonly Cataloger[] = [
  npmPackageLockCataloger,
  yarnLockCataloger,
  pnpmLockCataloger,
  dpkgStatusCataloger,
  apkInstalledCataloger,
  rpmSqliteCataloger,
  poetryLockCataloger,
  pipfileLockCataloger,
  uvLockCataloger,
  pdmLockCataloger,
  goModCataloger,
  cargoLockCataloger,
  gemfileLockCataloger,
  composerLockCataloger,
  nugetLockCataloger,
  mavenPomCataloger,
  gradleLockfileCataloger,
  requirementsCataloger,
];

export { findCatalogTargets, sniffCataloger } from './find.js';
export type { CatalogerFamily } from './registry.js';
export { CATALOGER_FAMILIES, loadCatalogers } from './registry.js';
