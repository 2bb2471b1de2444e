import { extract } from 'tar-stream';
import { CustodyError } from '../../core/index.js';
import { imageInvalid } from './image-error.js';

/** One member of a tar archive, contents in memory (regular files only; empty otherwise). */
export interface TarEntry {
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'link' | 'other';
  linkname?: string;
  data: Uint8Array;
}

export interface TarLimits {
  maxFileBytes: number;
  /** Entries still allowed; the count read is subtracted by the caller. */
  maxEntries: number;
}

const EMPTY = new Uint8Array(0);

/**
 * Read every member of an uncompressed tar (ustar, pax and GNU long names, through tar-stream).
 * Members' data are views into `bytes` where possible. `what` names the archive in errors.
 * Untrusted input.
 *
 * @throws SbomError IMAGE_INVALID when the archive is malformed or over the limits.
 */
export async function readTar(
  bytes: Uint8Array,
  what: string,
  limits: TarLimits,
): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  const x = extract();
  const done = new Promise<void>((resolve, reject) => {
    x.on('entry', (header, stream, next) => {
      if (out.length >= limits.maxEntries) {
        reject(imageInvalid(what, `has more than ${limits.maxEntries} entries (limit maxEntries)`));
        x.destroy();
        return;
      }
      const size = header.size ?? 0;
      if (size > limits.maxFileBytes) {
        reject(
          imageInvalid(
            what,
            `member "${header.name}" is ${size} bytes, over the per-file limit of ${limits.maxFileBytes} (maxFileBytes)`,
          ),
        );
        x.destroy();
        return;
      }
      const chunks: Uint8Array[] = [];
      stream.on('data', (c: unknown) => {
        chunks.push(c as Uint8Array);
      });
      stream.on('error', reject);
      stream.on('end', () => {
        const entry: TarEntry = {
          name: header.name,
          type: kindOf(header.type),
          data: join(chunks),
        };
        if (header.linkname) entry.linkname = header.linkname;
        if (entry.type !== 'file') entry.data = EMPTY;
        out.push(entry);
        next();
      });
    });
    x.on('finish', () => resolve());
    x.on('error', reject);
  });
  try {
    x.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    await done;
  } catch (cause) {
    if (cause instanceof CustodyError) throw cause;
    throw imageInvalid(
      what,
      `is not a readable tar archive: ${(cause as Error)?.message ?? cause}`,
      cause,
    );
  }
  return out;
}

function kindOf(type: string | null | undefined): TarEntry['type'] {
  switch (type) {
    case 'file':
    case 'contiguous-file':
      return 'file';
    case 'directory':
      return 'directory';
    case 'symlink':
      return 'symlink';
    case 'link':
      return 'link';
    default:
      return 'other';
  }
}

function join(chunks: Uint8Array[]): Uint8Array {
  if (chunks.length === 0) return EMPTY;
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  return Buffer.concat(chunks);
}
