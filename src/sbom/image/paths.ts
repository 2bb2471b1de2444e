import { pathEscape } from './image-error.js';

/**
 * The components of a tar entry name, `./` and empty segments dropped. Absolute names and `..`
 * components are refused: a layer must only write below its root.
 *
 * @throws SbomError IMAGE_PATH_ESCAPE
 */
export function entryComponents(name: string, layer: string): string[] {
  if (name.startsWith('/')) throw pathEscape(layer, name, 'is an absolute path');
  const out: string[] = [];
  for (const seg of name.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') throw pathEscape(layer, name, 'has a ".." component');
    out.push(seg);
  }
  return out;
}

/**
 * Resolve a symlink target lexically against the directory holding the link (`dir`, as
 * components from the root); absolute targets start at the root. Returns undefined when `..`
 * would climb above the root.
 */
export function resolveLinkTarget(dir: readonly string[], target: string): string[] | undefined {
  const out = target.startsWith('/') ? [] : [...dir];
  for (const seg of target.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(seg);
  }
  return out;
}
