import { decodeUtf8 } from '../../../core/index.js';
import { licenseExpressionToSpdx, licenseNameToSpdx } from './license-names.js';

/**
 * The licences a Debian `usr/share/doc/<pkg>/copyright` file declares: every DEP-5 `License:`
 * field (machine-readable format, https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/)
 * or, in free-form files without them, every reference to `/usr/share/common-licenses/<name>`. Debian short
 * names become SPDX (`GPL-2+` → `GPL-2.0-or-later`); names with no SPDX equivalent are kept as
 * written. Order of first appearance, no duplicates. Untrusted input; never throws.
 */
export function parseDebianCopyrightLicenses(bytes: Uint8Array): string[] {
  const text = decodeUtf8(bytes);
  const seen = new Set<string>();
  for (const m of text.matchAll(/^License:[ \t]*(\S[^\r\n]*)$/gim)) {
    const declared = (m[1] ?? '').trim();
    seen.add(licenseExpressionToSpdx(declared) ?? declared);
  }
  // Free-form files (no License: fields) name the licence by its common-licenses file; in DEP-5
  // files those references only point at texts of licences the fields already declare.
  if (seen.size > 0) return [...seen];
  for (const m of text.matchAll(/\/usr\/share\/common-licenses\/([A-Za-z0-9][A-Za-z0-9.+-]*)/g)) {
    const name = (m[1] ?? '').replace(/\.+$/, '');
    if (name) seen.add(licenseNameToSpdx(name) ?? name);
  }
  return [...seen];
}
