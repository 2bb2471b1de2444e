import { readFileSync } from 'node:fs';
import type { FileTree } from '../../../../src/sbom/model.js';

/** An in-memory FileTree over `files` (path → text or bytes). */
export function memoryTree(files: Record<string, string | Uint8Array>): FileTree {
  const map = new Map<string, Uint8Array>();
  for (const [p, v] of Object.entries(files)) {
    map.set(p, typeof v === 'string' ? Buffer.from(v) : v);
  }
  return { list: () => map.keys(), read: (p) => map.get(p) };
}

/** A tree holding one real file (read in place) under `name`. */
export function treeOfFile(absPath: string, name: string): FileTree {
  return memoryTree({ [name]: readFileSync(absPath) });
}

/** `name@version` of a component-like value. */
export function nv(c: { name: string; version?: string | undefined }): string {
  return `${c.name}@${c.version ?? ''}`;
}
