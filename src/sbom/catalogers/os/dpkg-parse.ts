import { decodeUtf8 } from '../../../core/index.js';
import { parseControlParagraphs } from './deb-control.js';

/** One installed package of a dpkg database. */
export interface DpkgPackage {
  name: string;
  /** With its epoch, as dpkg writes it (`1:2.36.1-8+deb11u1`). */
  version: string;
  architecture?: string;
  maintainer?: string;
  /** The source package, when it differs or is named (`Source: glibc (2.31-13)` → `glibc`). */
  source?: string;
  sourceVersion?: string;
  /** Depends + Pre-Depends: one list of alternative package names per `,` group. */
  depends: string[][];
  /** Virtual package names from Provides. */
  provides: string[];
  /** The synopsis (first line of Description). */
  description?: string;
  installedSize?: string;
}

/**
 * Parse dpkg's `status` (or a `status.d/*` file) and keep the installed packages: paragraphs with
 * a Package and a Version whose Status says `installed` with the `ok` flag (`install ok installed`,
 * and held packages `hold ok installed`); status.d files may omit Status. Untrusted input.
 *
 * @throws SbomError SBOM_LOCKFILE_PARSE when the file is not deb822 text.
 */
export function parseDpkgStatus(bytes: Uint8Array, file: string): DpkgPackage[] {
  const out: DpkgPackage[] = [];
  for (const { fields } of parseControlParagraphs(decodeUtf8(bytes), file)) {
    const name = fields.get('package');
    const version = fields.get('version');
    if (!name || !version || !isInstalled(fields.get('status'))) continue;
    const p: DpkgPackage = {
      name,
      version,
      depends: [
        ...parseRelations(fields.get('pre-depends')),
        ...parseRelations(fields.get('depends')),
      ],
      provides: parseRelations(fields.get('provides')).flat(),
    };
    const arch = fields.get('architecture');
    if (arch) p.architecture = arch;
    const maintainer = fields.get('maintainer');
    if (maintainer) p.maintainer = maintainer;
    const source = /^(\S+)(?:\s*\(\s*([^)\s]+)\s*\))?/.exec(fields.get('source') ?? '');
    if (source?.[1]) p.source = source[1];
    if (source?.[2]) p.sourceVersion = source[2];
    const description = fields.get('description')?.split('\n')[0]?.trim();
    if (description) p.description = description;
    const size = fields.get('installed-size');
    if (size) p.installedSize = size;
    out.push(p);
  }
  return out;
}

// Status is "want flag status"; absent in distroless status.d files, which list only installed ones.
function isInstalled(status: string | undefined): boolean {
  if (status === undefined) return true;
  const [want, flag, state] = status.split(/\s+/);
  return (want === 'install' || want === 'hold') && flag === 'ok' && state === 'installed';
}

/**
 * A Depends-style relation field: `a (>= 1), b:any | c [amd64] <!nocheck>` → `[['a'], ['b', 'c']]`
 * (names only, architecture qualifiers dropped).
 */
export function parseRelations(field: string | undefined): string[][] {
  if (!field) return [];
  const groups: string[][] = [];
  for (const group of field.split(',')) {
    const names: string[] = [];
    for (const alt of group.split('|')) {
      const m = /^\s*([A-Za-z0-9][A-Za-z0-9+.-]*)/.exec(alt);
      if (m?.[1]) names.push(m[1]);
    }
    if (names.length > 0) groups.push(names);
  }
  return groups;
}
