import { pathEscape } from './image-error.js';
import { resolveLinkTarget } from './paths.js';
import type { TarEntry } from './tar.js';

const MAX_HOPS = 40;

/**
 * The members of an image archive (the outer tar of `docker save` or of an OCI layout), looked up
 * by name. Docker 25+ writes legacy `<id>/layer.tar` names as symlinks into `blobs/`; they are
 * followed, but never out of the archive.
 */
export class ArchiveFiles {
  private readonly files = new Map<string, Uint8Array>();
  private readonly links = new Map<string, string>();

  constructor(entries: readonly TarEntry[]) {
    for (const e of entries) {
      const name = normalize(e.name);
      if (e.type === 'file') this.files.set(name, e.data);
      else if (e.type === 'symlink' && e.linkname !== undefined) this.links.set(name, e.linkname);
      else if (e.type === 'link' && e.linkname !== undefined)
        this.links.set(name, `/${normalize(e.linkname)}`);
    }
  }

  has(name: string): boolean {
    return this.files.has(name) || this.links.has(name);
  }

  /**
   * @throws SbomError IMAGE_PATH_ESCAPE when a symlink in the archive points outside it.
   */
  read(name: string): Uint8Array | undefined {
    let current = normalize(name);
    for (let hop = 0; hop <= MAX_HOPS; hop++) {
      const data = this.files.get(current);
      if (data) return data;
      const target = this.links.get(current);
      if (target === undefined) return undefined;
      const dir = current.split('/').slice(0, -1);
      const resolved = resolveLinkTarget(dir, target);
      if (!resolved)
        throw pathEscape(
          'image archive',
          current,
          `is a symlink to "${target}", outside the archive`,
        );
      current = resolved.join('/');
    }
    return undefined;
  }
}

function normalize(name: string): string {
  return name
    .split('/')
    .filter((s) => s !== '' && s !== '.')
    .join('/');
}
