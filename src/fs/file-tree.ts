import { type Dirent, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { CoreError } from '../core/index.js';
import type { FileTree } from '../sbom/index.js';

export interface DirectoryTreeOptions {
  /** Folder names not descended into when listing (they are still readable by path). */
  skipDirs?: ReadonlySet<string>;
  /** Stop listing after this many files (a guard against scanning a whole disk by mistake). */
  maxFiles?: number;
  /** Largest file `read` returns. */
  maxFileBytes?: number;
}

/** Folders that hold installed or generated copies, not the project's own manifests. */
export const DEFAULT_SKIP_DIRS: ReadonlySet<string> = new Set([
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  '.venv',
  'venv',
  '__pycache__',
  '.tox',
  'target',
  '.gradle',
  '.idea',
  '.custody',
  'bower_components',
]);

/**
 * A FileTree over a directory on disk. `read` refuses paths that resolve (through `..` or symlinks)
 * outside the root, so a hostile checkout cannot make a cataloger read /etc/shadow.
 */
export function directoryTree(root: string, opts: DirectoryTreeOptions = {}): FileTree {
  const base = realpathSync(resolve(root));
  const skip = opts.skipDirs ?? DEFAULT_SKIP_DIRS;
  const maxFiles = opts.maxFiles ?? 200_000;
  const maxBytes = opts.maxFileBytes ?? 512 * 1024 * 1024;
  return {
    *list() {
      let count = 0;
      const stack = [''];
      while (stack.length > 0) {
        const rel = stack.pop() ?? '';
        let entries: Dirent[];
        try {
          entries = readdirSync(join(base, rel), { withFileTypes: true });
        } catch {
          continue;
        }
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const e of entries) {
          const p = rel === '' ? e.name : `${rel}/${e.name}`;
          if (e.isDirectory()) {
            if (!skip.has(e.name)) stack.push(p);
          } else if (e.isFile()) {
            if (++count > maxFiles) return;
            yield p;
          }
        }
      }
    },
    read(path) {
      const abs = resolve(base, path);
      let real: string;
      try {
        real = realpathSync(abs);
      } catch {
        return undefined;
      }
      if (real !== base && !real.startsWith(base + sep)) return undefined;
      const st = statSync(real, { throwIfNoEntry: false });
      if (!st?.isFile()) return undefined;
      if (st.size > maxBytes) {
        throw new CoreError(
          'INPUT_TOO_LARGE',
          `${relative(base, real)} is ${st.size} bytes, over the limit of ${maxBytes}`,
          { details: { file: path, size: st.size, limit: maxBytes } },
        );
      }
      return readFileSync(real);
    },
  };
}
