import { gunzipSync } from 'node:zlib';
import { imageInvalid } from './image-error.js';

/**
 * A layer's tar bytes: gzip is inflated (by its magic number, whatever the media type says);
 * zstd is refused for now (Node 20 has no zstd). `maxBytes` caps the inflated size.
 *
 * @throws SbomError IMAGE_INVALID when the data is corrupt, zstd, or inflates past `maxBytes`.
 */
export function decompressLayer(bytes: Uint8Array, what: string, maxBytes: number): Uint8Array {
  if (bytes[0] === 0x28 && bytes[1] === 0xb5 && bytes[2] === 0x2f && bytes[3] === 0xfd) {
    throw imageInvalid(
      what,
      'is zstd-compressed, which Custody cannot read yet (use gzip or uncompressed layers)',
    );
  }
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: Math.max(1, Math.min(maxBytes, 2 ** 32 - 1)) });
  } catch (cause) {
    const code = (cause as { code?: string })?.code;
    if (code === 'ERR_BUFFER_TOO_LARGE') {
      throw imageInvalid(
        what,
        `inflates past the limit of ${maxBytes} bytes (limit maxTotalBytes)`,
        cause,
      );
    }
    throw imageInvalid(what, `is not valid gzip: ${(cause as Error)?.message ?? cause}`, cause);
  }
}

export function isGzip(bytes: Uint8Array): boolean {
  return bytes[0] === 0x1f && bytes[1] === 0x8b;
}
