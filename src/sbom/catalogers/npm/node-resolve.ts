/** One entry of a package-lock `packages` map (or of a v1 tree flattened into one). */
export interface LockNode {
  /** The key: '' for the root, `node_modules/…` for installed packages, a folder for workspaces. */
  path: string;
  /** The real package name (an alias's target, not the folder it is installed under). */
  name: string;
  version: string | undefined;
  integrity: string | undefined;
  /** Licences the lockfile itself declares. */
  licenses: string[];
  dev: boolean;
  optional: boolean;
  /** Names of the dependencies node would resolve from this package's folder. */
  deps: string[];
  /**
   * Shipped inside another package's tarball (v2/v3 `inBundle`, v1 `bundled`): npm records no
   * integrity for it, since it is not fetched on its own.
   */
  bundled: boolean;
  /** For `link: true` entries: the key of the folder the link points to. */
  link: string | undefined;
  /** The component this entry became (set while cataloging; links and skipped entries have none). */
  ref: string | undefined;
}

/**
 * A lockfile's entries indexed for node's module resolution: by key, and by the folder whose
 * node_modules holds them and the name they are installed under (`node_modules/a/node_modules/@s/b`
 * is `@s/b` in `node_modules/a`). Resolving then builds no strings, which matters at 20,000 packages.
 */
export class LockIndex {
  readonly byPath = new Map<string, LockNode>();
  readonly #byDir = new Map<string, Map<string, LockNode>>();
  readonly #parents = new Map<string, string>();

  add(node: LockNode): void {
    this.byPath.set(node.path, node);
    const at = node.path.lastIndexOf('node_modules/');
    if (at < 0 || (at > 0 && node.path.charCodeAt(at - 1) !== 0x2f) /* / */) return;
    const dir = at === 0 ? '' : node.path.slice(0, at - 1);
    const installedName = node.path.slice(at + 'node_modules/'.length);
    let names = this.#byDir.get(dir);
    if (!names) {
      names = new Map();
      this.#byDir.set(dir, names);
    }
    names.set(installedName, node);
  }

  /**
   * Resolve `name` as node's require would from the package at `fromPath`: its own node_modules
   * first, then each enclosing package's, up to the project's. A link resolves to its target.
   */
  resolve(fromPath: string, name: string): LockNode | undefined {
    let dir = fromPath;
    for (;;) {
      const hit = this.#byDir.get(dir)?.get(name);
      if (hit) return hit.link === undefined ? hit : this.byPath.get(hit.link);
      if (dir === '') return undefined;
      dir = this.#parentOf(dir);
    }
  }

  #parentOf(dir: string): string {
    let parent = this.#parents.get(dir);
    if (parent === undefined) {
      parent = parentDir(dir);
      this.#parents.set(dir, parent);
    }
    return parent;
  }
}

// The next folder node searches: the enclosing package for a nested install, else the parent
// directory (workspace folders such as `packages/a` look in `packages/node_modules`, then the root).
function parentDir(dir: string): string {
  const nested = dir.lastIndexOf('/node_modules/');
  if (nested >= 0) return dir.slice(0, nested);
  if (dir.startsWith('node_modules/')) return '';
  const slash = dir.lastIndexOf('/');
  return slash < 0 ? '' : dir.slice(0, slash);
}
