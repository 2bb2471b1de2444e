import type { FileTree } from '../../../../src/sbom/model.js';

/** A FileTree over a map of path → contents, for cataloger tests. */
export function mapTree(files: Record<string, Uint8Array | string>): FileTree {
  const entries = new Map<string, Uint8Array>(
    Object.entries(files).map(([p, c]) => [p, typeof c === 'string' ? Buffer.from(c) : c]),
  );
  return {
    list: () => [...entries.keys()].sort(),
    read: (path) => entries.get(path),
  };
}

export const DEBIAN_12_OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
`;

export const ALPINE_OS_RELEASE = `NAME="Alpine Linux"
ID=alpine
VERSION_ID=3.18.0
PRETTY_NAME="Alpine Linux v3.18"
`;

export const RHEL_9_OS_RELEASE = `NAME="Red Hat Enterprise Linux"
VERSION="9.2 (Plow)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.2"
`;
