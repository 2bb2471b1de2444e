import { formatPurl } from '../../../core/index.js';
import type { Cataloger, CatalogResult, Component, FileTree } from '../../model.js';
import { type ApkPackage, parseApkInstalled } from './apk-parse.js';
import { licenseExpressionToSpdx, licenseNameToSpdx } from './license-names.js';
import { findOsRelease, type OsRelease, osRoot } from './os-release.js';
import { readDatabase } from './read-database.js';
import { createRefAllocator, indexProviders } from './refs.js';

const INSTALLED = /(?:^|\/)lib\/apk\/db\/installed$/;

/**
 * Alpine (and Wolfi/Chainguard) installed packages from `lib/apk/db/installed`.
 *
 * Each package becomes an `apk` component: `pkg:apk/<ID>/<name>@<version>?arch=…&distro=<VERSION_ID>`
 * (`upstream=<origin>` when the origin package differs), maintainer as supplier, the `C:` checksum
 * as SHA-1, licences from `L:` (SPDX when every name converts, else one entry per name), and `D:`
 * edges resolved through package names and `p:` provides (first provider wins).
 */
export const apkInstalledCataloger: Cataloger = {
  name: 'apk-installed',
  matches: (path) => INSTALLED.test(path),
  sniff: (_path, head) => /^P:\S/m.test(head) && /^V:\S/m.test(head) && /^[A-Za-z]:/.test(head),
  catalog: catalogApkInstalled,
};

function catalogApkInstalled(path: string, tree: FileTree): CatalogResult {
  const packages = parseApkInstalled(readDatabase(tree, path), path);
  const os = findOsRelease(tree, path, /lib\/apk\/db\/installed$/);
  const vendor = os?.id ?? 'alpine';
  const allocate = createRefAllocator();
  const purls = packages.map((p) => apkPurl(p, vendor, os));
  const refs = purls.map((purl) => allocate(purl));
  const providers = indexProviders(packages, refs);

  const components = packages.map((p, i): Component => {
    const ref = refs[i] ?? '';
    const dependsOn = new Set<string>();
    for (const name of p.depends) {
      const target = providers.get(name);
      if (target && target !== ref) dependsOn.add(target);
    }
    const c: Component = {
      ref,
      type: 'library',
      ecosystem: 'apk',
      namespace: vendor,
      name: p.name,
      version: p.version,
      purl: purls[i] ?? '',
      hashes: p.checksum ? [p.checksum] : [],
      licenses: p.license ? apkLicenses(p.license) : [],
      dependsOn: [...dependsOn],
      sourcePath: path,
      properties: properties(p),
    };
    if (p.maintainer) c.supplier = p.maintainer;
    if (p.description) c.description = p.description;
    return c;
  });
  const result: CatalogResult = {
    cataloger: apkInstalledCataloger.name,
    sourcePath: path,
    components,
    rootDependsOn: [],
  };
  if (os) result.root = osRoot(os, 'apk');
  return result;
}

function apkPurl(p: ApkPackage, vendor: string, os: OsRelease | undefined): string {
  const qualifiers = new Map<string, string>();
  if (p.architecture) qualifiers.set('arch', p.architecture);
  if (os?.versionId) qualifiers.set('distro', os.versionId);
  if (p.origin && p.origin !== p.name) qualifiers.set('upstream', p.origin);
  return formatPurl({
    type: 'apk',
    namespace: vendor,
    name: p.name.toLowerCase(),
    version: p.version,
    qualifiers: Object.fromEntries(qualifiers),
  });
}

/**
 * `L:` to licences: one SPDX expression when every name converts (`MIT AND BSD-2-Clause`,
 * `GPL2+` → `GPL-2.0-or-later`); otherwise, when there is no OR, each name on its own (apk lists
 * licences that all apply, `MIT BSD GPL2+`), unknown names as written; with an OR, verbatim.
 */
export function apkLicenses(declared: string): string[] {
  const spdx = licenseExpressionToSpdx(declared);
  if (spdx) return [spdx];
  if (/\bOR\b/i.test(declared) || /[()]/.test(declared)) return [declared.trim()];
  const names = declared.split(/\s+(?:AND|&)\s+|\s+/i).filter((n) => n !== '' && !/^and$/i.test(n));
  return [...new Set(names.map((n) => licenseNameToSpdx(n) ?? n))];
}

function properties(p: ApkPackage): Record<string, string> {
  const out: Record<string, string> = {};
  if (p.origin) out['custody:apk:origin'] = p.origin;
  if (p.commit) out['custody:apk:commit'] = p.commit;
  if (p.url) out['custody:apk:url'] = p.url;
  // An entry without a C: line has no checksum to give (see check-integrity's sourceRecordsNoHash).
  if (!p.checksum) out['custody:hash:unrecorded'] = 'apk';
  return out;
}
