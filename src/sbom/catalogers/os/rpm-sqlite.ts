import { formatPurl } from '../../../core/index.js';
import type { Cataloger, CatalogResult, Component, FileTree, Hash } from '../../model.js';
import { licenseExpressionToSpdx } from './license-names.js';
import { distroQualifier, findOsRelease, type OsRelease, osRoot } from './os-release.js';
import { readDatabase } from './read-database.js';
import { createRefAllocator, indexProviders } from './refs.js';
import { detectRpmDatabase, readRpmSqliteBlobs } from './rpm-database.js';
import { RPMTAG, RpmHeader } from './rpm-header.js';

// rpm keeps its database in var/lib/rpm, or usr/lib/sysimage/rpm (Fedora 36+, openSUSE).
const DB_PATH =
  /(?:^|\/)((?:var\/lib|usr\/lib\/sysimage)\/rpm\/(?:rpmdb\.sqlite|Packages|Packages\.db))$/;

/** One installed package read from an RPM header. */
export interface RpmPackage {
  name: string;
  version: string;
  release: string;
  epoch?: number;
  arch?: string;
  license?: string;
  vendor?: string;
  sourceRpm?: string;
  size?: number;
  summary?: string;
  provides: string[];
  requires: string[];
  hashes: Hash[];
  properties: Record<string, string>;
}

/**
 * Red Hat/Fedora/SUSE/Amazon installed packages from rpm's sqlite database (`rpmdb.sqlite`,
 * rpm 4.16+). BerkeleyDB `Packages` and NDB `Packages.db` are recognised and refused with a clear
 * SBOM_LOCKFILE_PARSE (not supported yet).
 *
 * purl: `pkg:rpm/<vendor>/<name>@<version>-<release>?arch=…&epoch=…&distro=<ID>-<VERSION_ID>&upstream=<source rpm>`,
 * vendor from os-release's ID (`rhel` → `redhat`) or else the VENDOR tag. VENDOR is the supplier.
 * Hashes: the payload digest (PAYLOADDIGEST, with its algorithm); the header digests and SIGMD5
 * are kept as properties, since none of them is a digest of the .rpm file. `gpg-pubkey` entries
 * (imported signing keys, not software) are skipped. Requires are resolved to edges through
 * package names and Provides.
 */
export const rpmSqliteCataloger: Cataloger = {
  name: 'rpm-db',
  matches: (path) => DB_PATH.test(path),
  sniff: (path, head) => {
    const kind = detectRpmDatabase(head);
    if (kind === 'sqlite') return /rpm/i.test(path) || head.includes('Packages');
    return kind === 'ndb' || (kind === 'bdb' && /Packages/.test(path));
  },
  catalog: catalogRpmDatabase,
};

function catalogRpmDatabase(path: string, tree: FileTree): CatalogResult {
  const blobs = readRpmSqliteBlobs(readDatabase(tree, path), path);
  const packages: RpmPackage[] = [];
  for (const { hnum, blob } of blobs) {
    const p = rpmPackageFromHeader(RpmHeader.parse(blob, `${path} package ${hnum}`));
    if (p && p.name !== 'gpg-pubkey') packages.push(p);
  }
  const os = findOsRelease(tree, path, /(?:var\/lib|usr\/lib\/sysimage)\/rpm\/[^/]+$/);
  const allocate = createRefAllocator();
  const purls = packages.map((p) => rpmPurl(p, os));
  const refs = purls.map((purl) => allocate(purl));
  const providers = indexProviders(packages, refs);

  const components = packages.map((p, i): Component => {
    const ref = refs[i] ?? '';
    const dependsOn = new Set<string>();
    for (const name of p.requires) {
      const target = providers.get(name);
      if (target && target !== ref) dependsOn.add(target);
    }
    const c: Component = {
      ref,
      type: 'library',
      ecosystem: 'rpm',
      name: p.name,
      version: `${p.version}-${p.release}`,
      purl: purls[i] ?? '',
      hashes: p.hashes,
      licenses: p.license ? [licenseExpressionToSpdx(p.license) ?? p.license] : [],
      dependsOn: [...dependsOn],
      sourcePath: path,
      // A header without a payload digest (old rpmdb entries) has no digest of the .rpm to give.
      properties:
        p.hashes.length > 0 ? p.properties : { ...p.properties, 'custody:hash:unrecorded': 'rpm' },
    };
    const ns = namespaceOf(p, os);
    if (ns) c.namespace = ns;
    if (p.vendor) c.supplier = p.vendor;
    if (p.summary) c.description = p.summary;
    return c;
  });
  const result: CatalogResult = {
    cataloger: rpmSqliteCataloger.name,
    sourcePath: path,
    components,
    rootDependsOn: [],
  };
  if (os) result.root = osRoot(os, 'rpm');
  return result;
}

/**
 * The package an RPM header describes, or undefined when it lacks a name or version.
 * @throws SbomError SBOM_LOCKFILE_PARSE when a tag's value is malformed.
 */
export function rpmPackageFromHeader(h: RpmHeader): RpmPackage | undefined {
  const name = h.string(RPMTAG.NAME);
  const version = h.string(RPMTAG.VERSION);
  if (!name || !version) return undefined;
  const p: RpmPackage = {
    name,
    version,
    release: h.string(RPMTAG.RELEASE) ?? '',
    provides: h.strings(RPMTAG.PROVIDENAME),
    requires: h.strings(RPMTAG.REQUIRENAME),
    hashes: [],
    properties: {},
  };
  const set = <K extends keyof RpmPackage>(key: K, value: RpmPackage[K] | undefined) => {
    if (value !== undefined && value !== '') p[key] = value;
  };
  set('epoch', h.int(RPMTAG.EPOCH));
  set('arch', h.string(RPMTAG.ARCH));
  set('license', h.string(RPMTAG.LICENSE));
  set('vendor', h.string(RPMTAG.VENDOR));
  set('sourceRpm', h.string(RPMTAG.SOURCERPM));
  set('size', h.int(RPMTAG.LONGSIZE) ?? h.int(RPMTAG.SIZE));
  set('summary', h.string(RPMTAG.SUMMARY));
  digests(h, p);
  return p;
}

// Payload digest → hash; header digests and SIGMD5 → properties (see the cataloger's doc).
function digests(h: RpmHeader, p: RpmPackage): void {
  const props = p.properties;
  if (p.sourceRpm) props['custody:rpm:sourceRpm'] = p.sourceRpm;
  if (p.size !== undefined) props['custody:rpm:size'] = String(p.size);
  const modularity = h.string(RPMTAG.MODULARITYLABEL);
  if (modularity) props['custody:rpm:modularityLabel'] = modularity;
  const md5 = h.binary(RPMTAG.SIGMD5);
  if (md5?.length === 16) props['custody:rpm:sigmd5'] = Buffer.from(md5).toString('hex');
  const sha1 = h.string(RPMTAG.SHA1HEADER);
  if (sha1 && /^[0-9a-f]{40}$/i.test(sha1)) props['custody:rpm:sha1header'] = sha1.toLowerCase();
  const sha256 = h.string(RPMTAG.SHA256HEADER);
  if (sha256 && /^[0-9a-f]{64}$/i.test(sha256))
    props['custody:rpm:sha256header'] = sha256.toLowerCase();
  const payload = h.strings(RPMTAG.PAYLOADDIGEST)[0];
  // PGP hash algorithm ids (RFC 4880 §9.4); rpm defaults to SHA-256 when the tag is absent.
  const alg = PGP_HASH[h.int(RPMTAG.PAYLOADDIGESTALGO) ?? 8];
  if (payload && alg && payload.length === alg.hexLength && /^[0-9a-f]+$/i.test(payload)) {
    p.hashes.push({ alg: alg.name, content: payload.toLowerCase() });
  }
}

const PGP_HASH: Readonly<Record<number, { name: string; hexLength: number }>> = {
  1: { name: 'MD5', hexLength: 32 },
  2: { name: 'SHA-1', hexLength: 40 },
  8: { name: 'SHA-256', hexLength: 64 },
  9: { name: 'SHA-384', hexLength: 96 },
  10: { name: 'SHA-512', hexLength: 128 },
};

function rpmPurl(p: RpmPackage, os: OsRelease | undefined): string {
  const qualifiers = new Map<string, string>();
  if (p.arch) qualifiers.set('arch', p.arch);
  if (p.epoch !== undefined) qualifiers.set('epoch', String(p.epoch));
  const distro = distroQualifier(os);
  if (distro) qualifiers.set('distro', distro);
  if (p.sourceRpm) qualifiers.set('upstream', p.sourceRpm);
  const namespace = namespaceOf(p, os);
  return formatPurl({
    type: 'rpm',
    ...(namespace ? { namespace } : {}),
    name: p.name,
    version: `${p.version}-${p.release}`,
    qualifiers: Object.fromEntries(qualifiers),
  });
}

// purl-spec: "the namespace is the vendor such as fedora or opensuse".
function namespaceOf(p: RpmPackage, os: OsRelease | undefined): string | undefined {
  if (os) return OS_VENDOR[os.id] ?? os.id;
  const vendor = p.vendor ?? '';
  for (const [re, ns] of VENDOR_NAMESPACE) if (re.test(vendor)) return ns;
  return undefined;
}

const OS_VENDOR: Readonly<Record<string, string>> = {
  rhel: 'redhat',
  ol: 'oracle',
  amzn: 'amazon',
};

const VENDOR_NAMESPACE: readonly [RegExp, string][] = [
  [/red ?hat/i, 'redhat'],
  [/fedora/i, 'fedora'],
  [/centos/i, 'centos'],
  [/rocky/i, 'rocky'],
  [/alma ?linux/i, 'almalinux'],
  [/oracle/i, 'oracle'],
  [/amazon/i, 'amazon'],
  [/suse/i, 'opensuse'],
  [/microsoft|mariner|azure linux/i, 'mariner'],
];
