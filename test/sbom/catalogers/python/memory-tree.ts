import { readFileSync } from 'node:fs';
import type { FileTree } from '../../../../src/sbom/model.js';

/** A FileTree over in-memory files (path → bytes or text), shared by the language cataloger tests. */
export function memoryTree(files: Record<string, Uint8Array | string>): FileTree {
  const map = new Map<string, Uint8Array>();
  for (const [k, v] of Object.entries(files)) {
    map.set(k, typeof v === 'string' ? new TextEncoder().encode(v) : v);
  }
  return { list: () => map.keys(), read: (p) => map.get(p) };
}

/** A tree holding one real file (read from disk) at `as`. */
export function treeOf(diskPath: string, as: string): FileTree {
  return memoryTree({ [as]: readFileSync(diskPath) });
}
