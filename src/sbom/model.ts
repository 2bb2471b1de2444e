/**
 * Custody's format-neutral model of what a cataloger found. The builder turns it into CycloneDX or
 * SPDX; nothing here is specific to either.
 */

/** CycloneDX's component scopes, plus `dev` (development-only; written as `excluded` in CycloneDX). */
export type Scope = 'required' | 'optional' | 'dev';

export type ComponentType =
  | 'library'
  | 'application'
  | 'framework'
  | 'operating-system'
  | 'container'
  | 'file';

export interface Hash {
  /** CycloneDX spelling: MD5, SHA-1, SHA-256, SHA-384, SHA-512, SHA3-256, BLAKE2b-256, … */
  alg: string;
  /** lower-case hex */
  content: string;
}

export interface Component {
  /**
   * Unique within one catalog result and stable for identical input: the purl when it is unique,
   * otherwise the purl plus a disambiguating suffix (e.g. the package path in node_modules).
   */
  ref: string;
  type: ComponentType;
  /** purl type: npm, pypi, golang, cargo, gem, composer, nuget, maven, deb, apk, rpm, … */
  ecosystem: string;
  /** purl namespace (npm scope with its `@`, Maven groupId, Go module path prefix, distro, …) */
  namespace?: string;
  name: string;
  version?: string;
  purl?: string;
  cpe?: string;
  hashes: Hash[];
  /** Licences as the source declares them (SPDX ids, expressions or free text); normalised later. */
  licenses: string[];
  scope?: Scope;
  /** Organisation or person that supplies the package (dpkg Maintainer, apk maintainer, …). */
  supplier?: string;
  author?: string;
  description?: string;
  /** refs of this component's direct dependencies (resolved within the same result). */
  dependsOn: string[];
  /** Path of the lockfile/database this came from, relative to the scan root. */
  sourcePath?: string;
  /** Ecosystem specifics worth keeping (CycloneDX properties; names like `custody:npm:path`). */
  properties?: Record<string, string>;
}

/** What one cataloger found in one file. */
export interface CatalogResult {
  /** The cataloger's name, e.g. `npm-package-lock`. */
  cataloger: string;
  /** Path of the file read, relative to the scan root. */
  sourcePath: string;
  components: Component[];
  /** refs of the components the project depends on directly (empty when unknown). */
  rootDependsOn: string[];
  /** The project the file describes, when it names one (package.json name, Cargo root, …). */
  root?: { name: string; version?: string; ecosystem: string; purl?: string };
}

/**
 * Read access to a file tree: a directory on disk, or an image's final filesystem in memory.
 * Paths are POSIX, relative to the root, without a leading `./` or `/`.
 */
export interface FileTree {
  /** Every regular file a cataloger should consider (a directory tree skips node_modules, .git). */
  list(): Iterable<string>;
  /** The file's bytes, or undefined when it does not exist or is not a regular file. */
  read(path: string): Uint8Array | undefined;
}

export interface Cataloger {
  /** Stable name, e.g. `npm-package-lock`, `dpkg-status`. */
  readonly name: string;
  /** Whether a file with this path is one this cataloger reads (by name, for directory scans). */
  matches(path: string): boolean;
  /**
   * Whether these bytes look like this cataloger's format; used when the user names a file
   * explicitly, whatever it is called. Must be cheap: look at the head only.
   */
  sniff(path: string, head: string): boolean;
  /**
   * Read the file at `path` (and any siblings it needs) from `tree`. Pure: no I/O but `tree`.
   * @throws SbomError SBOM_LOCKFILE_PARSE when the file is malformed, naming the file and the problem.
   */
  catalog(path: string, tree: FileTree): CatalogResult;
}

/**
 * A whole SBOM in Custody's format-neutral model: what generation builds and what the readers of
 * CycloneDX and SPDX produce. Quality checks, align, diff and convert all work on this.
 */
export interface SbomDocument {
  format: 'cyclonedx' | 'spdx';
  /** '1.6', '2.3', … */
  specVersion: string;
  /** CycloneDX serialNumber (urn:uuid:…) or SPDX documentNamespace. */
  serialNumber?: string;
  /** SBOM document version (CycloneDX `version`), default 1. */
  version?: number;
  /** SPDX document name; for CycloneDX the subject's name. */
  name?: string;
  /** ISO 8601 creation time. */
  timestamp?: string;
  tools: { vendor?: string; name: string; version?: string }[];
  authors: string[];
  /** What the SBOM describes: CycloneDX metadata.component, SPDX DESCRIBES target. */
  subject?: Component;
  /** Every component, nested CycloneDX components flattened (their parent kept in properties). */
  components: Component[];
  /** Whether the document carried any dependency information at all (dependencies/relationships). */
  hasDependencyGraph: boolean;
  /** Document-level facts: lockfile digests, build environment (`custody:…` names). */
  properties: Record<string, string>;
  /**
   * JSON pointers of data the source held that this model does not (services, vulnerabilities,
   * annotations, …). Convert lists them as what the target will not receive.
   */
  unmapped: string[];
}
