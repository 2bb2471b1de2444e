import { imageInvalid, pathEscape } from './image-error.js';
import type { MemoryFileTree, TreeNode } from './memory-tree.js';
import { entryComponents, resolveLinkTarget } from './paths.js';
import type { TarEntry } from './tar.js';

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

/**
 * Apply one layer's tar entries to `tree` as a container runtime would (OCI image-spec
 * layer.md): first the whiteouts, which hide only what lower layers hold (`.wh.<name>` removes
 * `<name>`, `.wh..wh..opq` empties its directory), then every other entry in archive order.
 * Intermediate directories that are symlinks are followed inside the root (usr-merged `lib/…`);
 * the last component is replaced, not followed. Hard links share their target's contents.
 * `layer` names the layer in errors. Untrusted input.
 *
 * @throws SbomError IMAGE_PATH_ESCAPE for an absolute name, a `..` component, a symlink whose
 *   target climbs above the root, or a hard link to such a name; IMAGE_INVALID for a hard link to
 *   nothing or to a directory.
 */
export function applyLayer(
  tree: MemoryFileTree,
  entries: readonly TarEntry[],
  layer: string,
): void {
  const rest: { entry: TarEntry; components: string[] }[] = [];
  for (const entry of entries) {
    const components = entryComponents(entry.name, layer);
    const base = components[components.length - 1];
    if (base?.startsWith(WHITEOUT)) applyWhiteout(tree, components, base);
    else if (components.length > 0) rest.push({ entry, components });
  }
  for (const { entry, components } of rest) applyEntry(tree, entry, components, layer);
}

function applyWhiteout(tree: MemoryFileTree, components: string[], base: string): void {
  const dirPath = components.slice(0, -1);
  const found =
    dirPath.length === 0 ? undefined : tree.locate(dirPath, { followFinal: true, create: false });
  const dir =
    dirPath.length === 0 ? tree.root : found?.node?.kind === 'dir' ? found.node : undefined;
  if (!dir) return; // nothing below to hide
  if (base === OPAQUE) dir.children.clear();
  else dir.children.delete(base.slice(WHITEOUT.length));
}

function applyEntry(
  tree: MemoryFileTree,
  entry: TarEntry,
  components: string[],
  layer: string,
): void {
  const at = tree.locate(components, { followFinal: false, create: true });
  if (!at) return; // the parent is a symlink loop: a runtime would fail; nothing can read it
  switch (entry.type) {
    case 'directory':
      if (at.node?.kind !== 'dir')
        at.parent.children.set(at.name, { kind: 'dir', children: new Map() });
      return;
    case 'file':
      at.parent.children.set(at.name, { kind: 'file', data: entry.data });
      return;
    case 'symlink': {
      const target = entry.linkname ?? '';
      if (resolveLinkTarget(at.parentPath, target) === undefined) {
        throw pathEscape(layer, entry.name, `is a symlink to "${target}", outside the image root`);
      }
      at.parent.children.set(at.name, { kind: 'symlink', target });
      return;
    }
    case 'link':
      at.parent.children.set(at.name, hardLinkTarget(tree, entry, layer));
      return;
    default:
      at.parent.children.set(at.name, { kind: 'other' });
  }
}

// A hard link names another archive member; it gets that member's contents (or symlink).
function hardLinkTarget(tree: MemoryFileTree, entry: TarEntry, layer: string): TreeNode {
  const linkname = entry.linkname ?? '';
  if (linkname.startsWith('/') || linkname.split('/').includes('..')) {
    throw pathEscape(layer, entry.name, `is a hard link to "${linkname}", outside the image root`);
  }
  const target = tree.locate(entryComponents(linkname, layer), {
    followFinal: false,
    create: false,
  });
  const node = target?.node;
  if (node?.kind === 'file') return { kind: 'file', data: node.data };
  if (node?.kind === 'symlink') return { kind: 'symlink', target: node.target };
  if (node?.kind === 'other') return { kind: 'other' };
  throw imageInvalid(
    layer,
    `entry "${entry.name}" is a hard link to "${linkname}", which is ${node ? 'a directory' : 'not in the image'}`,
  );
}
