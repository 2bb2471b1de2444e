import type { Cataloger, FileTree } from '../model.js';
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

/** The files in `tree` some cataloger reads, each with the cataloger that reads it. */
export function findCatalogTargets(
  tree: FileTree,
  catalogers: readonly Cataloger[] = CATALOGERS,
): { path: string; cataloger: Cataloger }[] {
  const out: { path: string; cataloger: Cataloger }[] = [];
  for (const path of tree.list()) {
    for (const cataloger of catalogers) {
      if (cataloger.matches(path)) {
        out.push({ path, cataloger });
        break;
      }
    }
  }
  return out;
}

/** The cataloger that recognises this file's content, whatever it is called. */
export function sniffCataloger(
  path: string,
  head: string,
  catalogers: readonly Cataloger[] = CATALOGERS,
): Cataloger | undefined {
  return catalogers.find((c) => c.matches(path)) ?? catalogers.find((c) => c.sniff(path, head));
}
