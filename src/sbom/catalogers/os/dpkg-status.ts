import { formatPurl } from '../../../core/index.js';
import type { Cataloger, CatalogResult, Component, FileTree } from '../../model.js';
import { parseDebianCopyrightLicenses } from './debian-copyright.js';
import { type DpkgPackage, parseDpkgStatus } from './dpkg-parse.js';
import { distroQualifier, findOsRelease, type OsRelease, osRoot } from './os-release.js';
import { readDatabase } from './read-database.js';
import { createRefAllocator } from './refs.js';

const STATUS = /(?:^|\/)(var\/lib\/dpkg\/status)$/;
const STATUS_D = /(?:^|\/)(var\/lib\/dpkg\/status\.d\/)[^/]+$/;
// dpkg's per-package side files in status.d (distroless keeps `<pkg>.md5sums` beside `<pkg>`).
const SIDE_FILE =
  /\.(?:md5sums|list|conffiles|shlibs|symbols|triggers|templates|preinst|postinst|prerm|postrm)$/;
const DB_SUFFIX = /var\/lib\/dpkg\/status(?:\.d\/[^/]+)?$/;

/**
 * Debian/Ubuntu installed packages from dpkg's database: `var/lib/dpkg/status`, or one file of
 * `var/lib/dpkg/status.d/` (distroless images, one package per file).
 *
 * Each installed package becomes a `deb` component: version with epoch, `arch`, `distro`
 * (`<ID>-<VERSION_ID>` from the tree's os-release) and `upstream` (the Source field) qualifiers,
 * Maintainer as supplier, licences from `usr/share/doc/<pkg>/copyright` when the tree has it, and
 * Depends/Pre-Depends edges to packages that are present (a `|` group resolves to its first
 * present alternative; virtual packages through Provides). For a status.d file the edges may point
 * at packages of its sibling files: together they are one database, each file one result.
 */
export const dpkgStatusCataloger: Cataloger = {
  name: 'dpkg-status',
  matches: (path) => STATUS.test(path) || (STATUS_D.test(path) && !SIDE_FILE.test(path)),
  sniff: (_path, head) => /^Package:[^\n]*\n/m.test(head) && /^(?:Status|Version):/m.test(head),
  catalog: catalogDpkgStatus,
};

function catalogDpkgStatus(path: string, tree: FileTree): CatalogResult {
  const packages = parseDpkgStatus(readDatabase(tree, path), path);
  const os = findOsRelease(tree, path, DB_SUFFIX);
  const root = rootOf(path);
  const vendor = vendorOf(os, packages);
  const purlOf = (p: DpkgPackage) => dpkgPurl(p, vendor, os);

  const allocate = createRefAllocator();
  const refs = packages.map((p) => allocate(purlOf(p)));
  const index = new PackageIndex();
  for (let i = 0; i < packages.length; i++) index.add(packages[i] as DpkgPackage, refs[i] ?? '');
  if (STATUS_D.test(path)) {
    for (const sibling of siblingPackages(tree, path)) index.add(sibling, purlOf(sibling));
  }

  const components = packages.map((p, i): Component => {
    const ref = refs[i] ?? '';
    const c: Component = {
      ref,
      type: 'library',
      ecosystem: 'deb',
      namespace: vendor,
      name: p.name,
      version: p.version,
      purl: purlOf(p),
      hashes: [],
      licenses: root === undefined ? [] : copyrightLicenses(tree, root, p.name),
      dependsOn: index.resolve(p, ref),
      sourcePath: path,
      properties: properties(p),
    };
    if (p.maintainer) c.supplier = p.maintainer;
    if (p.description) c.description = p.description;
    return c;
  });
  const result: CatalogResult = {
    cataloger: dpkgStatusCataloger.name,
    sourcePath: path,
    components,
    rootDependsOn: [],
  };
  if (os) result.root = osRoot(os, 'deb');
  return result;
}

/** `pkg:deb/<vendor>/<name>@<version>?arch=…&distro=…&upstream=…` */
function dpkgPurl(p: DpkgPackage, vendor: string, os: OsRelease | undefined): string {
  const qualifiers = new Map<string, string>();
  if (p.architecture) qualifiers.set('arch', p.architecture);
  const distro = distroQualifier(os);
  if (distro) qualifiers.set('distro', distro);
  if (p.source && p.source !== p.name) {
    qualifiers.set('upstream', p.sourceVersion ? `${p.source}@${p.sourceVersion}` : p.source);
  } else if (p.source && p.sourceVersion && p.sourceVersion !== p.version) {
    qualifiers.set('upstream', `${p.source}@${p.sourceVersion}`);
  }
  return formatPurl({
    type: 'deb',
    namespace: vendor,
    name: p.name.toLowerCase(),
    version: p.version,
    qualifiers: Object.fromEntries(qualifiers),
  });
}

// The purl namespace: os-release's ID; without one, Ubuntu's maintainers give it away.
function vendorOf(os: OsRelease | undefined, packages: DpkgPackage[]): string {
  if (os) return os.id;
  return packages.some((p) => /ubuntu/i.test(p.maintainer ?? '')) ? 'ubuntu' : 'debian';
}

// The root filesystem's prefix when the path is at dpkg's standard place, else undefined.
function rootOf(path: string): string | undefined {
  const m = DB_SUFFIX.exec(path);
  return m ? path.slice(0, m.index) : undefined;
}

function copyrightLicenses(tree: FileTree, root: string, name: string): string[] {
  let bytes: Uint8Array | undefined;
  try {
    bytes = tree.read(`${root}usr/share/doc/${name}/copyright`);
  } catch {
    return [];
  }
  return bytes ? parseDebianCopyrightLicenses(bytes) : [];
}

// The packages in the other files of a status.d directory; unreadable ones are skipped here
// (they fail with their own error when cataloged).
function* siblingPackages(tree: FileTree, path: string): Iterable<DpkgPackage> {
  const dir = path.slice(0, path.lastIndexOf('/') + 1);
  for (const other of tree.list()) {
    if (other === path || !other.startsWith(dir) || other.includes('/', dir.length)) continue;
    if (SIDE_FILE.test(other)) continue;
    try {
      const bytes = tree.read(other);
      if (bytes) yield* parseDpkgStatus(bytes, other);
    } catch {
      // reported when that file is cataloged
    }
  }
}

const HASH_UNRECORDED = 'custody:hash:unrecorded';

function properties(p: DpkgPackage): Record<string, string> {
  const out: Record<string, string> = {};
  if (p.source) out['custody:dpkg:source'] = p.source;
  if (p.sourceVersion) out['custody:dpkg:sourceVersion'] = p.sourceVersion;
  if (p.installedSize) out['custody:dpkg:installedSize'] = p.installedSize;
  // The status database holds no digest of the .deb (only per-file MD5s, elsewhere): say so, so a
  // gate warns about the missing hash instead of blocking on one the source cannot give.
  out[HASH_UNRECORDED] = 'dpkg';
  return out;
}

/** Package and virtual-package names → refs, for resolving Depends. */
class PackageIndex {
  private readonly byName = new Map<string, { ref: string; arch: string | undefined }[]>();

  add(p: DpkgPackage, ref: string): void {
    for (const name of [p.name, ...p.provides]) {
      const list = this.byName.get(name);
      const entry = { ref, arch: p.architecture };
      if (list) list.push(entry);
      else this.byName.set(name, [entry]);
    }
  }

  /** Refs `p` depends on: per group the first present alternative, same architecture preferred. */
  resolve(p: DpkgPackage, self: string): string[] {
    const out = new Set<string>();
    for (const group of p.depends) {
      for (const name of group) {
        const candidates = this.byName.get(name);
        if (!candidates) continue;
        const pick =
          candidates.find((c) => c.arch === p.architecture || c.arch === 'all') ?? candidates[0];
        if (pick && pick.ref !== self) out.add(pick.ref);
        break;
      }
    }
    return [...out];
  }
}
