import { isGzip } from './decompress.js';

/** The file that marks a directory as an OCI image layout. */
export const OCI_LAYOUT_FILE = 'oci-layout';

// First members of real archives: docker save (legacy `<id>/`, `<id>.json`; 25+ `blobs/`),
// OCI layouts (skopeo, crane, buildx: `blobs/`, `oci-layout`, `index.json`).
const FIRST_MEMBER =
  /^(?:\.\/)?(?:blobs(?:\/|$)|oci-layout$|index\.json$|manifest\.json$|repositories$|[a-f0-9]{64}(?:\/|\.json$))/;

/**
 * Whether the first bytes of a file look like a container image archive: a tar whose first member
 * is one `docker save` or an OCI layout writes first. A gzip stream may be a compressed archive
 * (`docker save | gzip`) and also counts: the caller must then read it to be sure (a layer alone
 * is a gzip too). Cheap: needs the first 512 bytes.
 */
export function isImageArchive(head: Uint8Array): boolean {
  if (isGzip(head)) return true;
  if (head.length < 512 || !isTarHeader(head)) return false;
  const end = head.indexOf(0);
  const name = Buffer.from(head.subarray(0, end === -1 || end > 100 ? 100 : end)).toString('utf8');
  return FIRST_MEMBER.test(name);
}

/** Whether `bytes` (the contents of a directory's `oci-layout` file) mark an OCI image layout. */
export function isOciLayout(ociLayoutFile: Uint8Array | undefined): boolean {
  if (ociLayoutFile === undefined || ociLayoutFile.byteLength > 4096) return false;
  // Kept free of the layout reader's imports, so detecting an image costs nothing to load.
  try {
    const doc: unknown = JSON.parse(Buffer.from(ociLayoutFile).toString('utf8'));
    return (
      typeof doc === 'object' &&
      doc !== null &&
      typeof (doc as { imageLayoutVersion?: unknown }).imageLayoutVersion === 'string'
    );
  } catch {
    return false;
  }
}

// ustar magic at 257 and a header checksum that adds up (POSIX.1-1988 tar header).
function isTarHeader(b: Uint8Array): boolean {
  const magic = Buffer.from(b.subarray(257, 262)).toString('latin1');
  if (magic !== 'ustar') return false;
  const stored = Number.parseInt(
    Buffer.from(b.subarray(148, 156)).toString('latin1').replace(/\0/g, ' ').trim(),
    8,
  );
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : (b[i] ?? 0);
  return stored === sum;
}
