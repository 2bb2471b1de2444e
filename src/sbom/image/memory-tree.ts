import type { FileTree } from '../model.js';

/** A node of the in-memory filesystem. */
export type TreeNode =
  | { kind: 'dir'; children: Map<string, TreeNode> }
  | { kind: 'file'; data: Uint8Array }
  | { kind: 'symlink'; target: string }
  | { kind: 'other' };

/** Where a path led: the directory holding the last component, its name, and the node if any. */
export interface Located {
  parent: Extract<TreeNode, { kind: 'dir' }>;
  /** Components of the parent directory's physical path from the root. */
  parentPath: string[];
  name: string;
  node: TreeNode | undefined;
}

// Linux's MAXSYMLINKS: more hops than this is a loop.
const MAX_SYMLINK_HOPS = 40;

/**
 * The final filesystem of an image, in memory. `read` follows symlinks the way a process inside
 * the container would (absolute targets from the image root, `..` never above the root), so
 * `etc/os-release → ../usr/lib/os-release` reads; `list` yields regular files only, by their
 * physical paths, sorted.
 */
export class MemoryFileTree implements FileTree {
  readonly root: Extract<TreeNode, { kind: 'dir' }> = { kind: 'dir', children: new Map() };

  list(): Iterable<string> {
    const out: string[] = [];
    const walk = (dir: Extract<TreeNode, { kind: 'dir' }>, prefix: string) => {
      for (const name of [...dir.children.keys()].sort()) {
        const node = dir.children.get(name);
        if (node?.kind === 'file') out.push(prefix + name);
        else if (node?.kind === 'dir') walk(node, `${prefix}${name}/`);
      }
    };
    walk(this.root, '');
    return out;
  }

  read(path: string): Uint8Array | undefined {
    const found = this.locate(splitPath(path), { followFinal: true, create: false });
    return found?.node?.kind === 'file' ? found.node.data : undefined;
  }

  /** The symlink target at `path` (not followed), for inspection. */
  readlink(path: string): string | undefined {
    const found = this.locate(splitPath(path), { followFinal: false, create: false });
    return found?.node?.kind === 'symlink' ? found.node.target : undefined;
  }

  /**
   * Walk `components` from the root, following symlinks in every directory component (and in the
   * last one when `followFinal`). With `create`, missing or non-directory intermediate components
   * become directories (as a layer extraction would create them). Returns undefined when the path
   * does not lead anywhere (a missing directory, a symlink loop), or names the root itself.
   */
  locate(
    components: readonly string[],
    opts: { followFinal: boolean; create: boolean },
  ): Located | undefined {
    const pending = [...components].reverse(); // a stack: next component at the end
    const dirs: Extract<TreeNode, { kind: 'dir' }>[] = [this.root];
    const names: string[] = [];
    let hops = 0;
    while (pending.length > 0) {
      const name = pending.pop() as string;
      if (name === '' || name === '.') continue;
      if (name === '..') {
        if (dirs.length > 1) {
          dirs.pop();
          names.pop();
        }
        continue;
      }
      const cur = dirs[dirs.length - 1] as Extract<TreeNode, { kind: 'dir' }>;
      const last = pending.every((p) => p === '' || p === '.');
      let node = cur.children.get(name);
      if (node?.kind === 'symlink' && (!last || opts.followFinal)) {
        if (++hops > MAX_SYMLINK_HOPS) return undefined;
        if (node.target.startsWith('/')) {
          dirs.length = 1;
          names.length = 0;
        }
        const target = node.target.split('/');
        for (let i = target.length - 1; i >= 0; i--) pending.push(target[i] as string);
        continue;
      }
      if (last) return { parent: cur, parentPath: [...names], name, node };
      if (node?.kind !== 'dir') {
        if (!opts.create) return undefined;
        node = { kind: 'dir', children: new Map() };
        cur.children.set(name, node);
      }
      dirs.push(node);
      names.push(name);
    }
    return undefined;
  }

  /** The directory at `components` (following symlinks), created when missing. */
  ensureDir(components: readonly string[]): Extract<TreeNode, { kind: 'dir' }> {
    if (components.length === 0) return this.root;
    const found = this.locate(components, { followFinal: true, create: true });
    if (!found) return this.root; // a symlink loop: extraction would fail; keep the root
    if (found.node?.kind === 'dir') return found.node;
    const dir: TreeNode = { kind: 'dir', children: new Map() };
    found.parent.children.set(found.name, dir);
    return dir;
  }
}

function splitPath(path: string): string[] {
  return path.split('/');
}
