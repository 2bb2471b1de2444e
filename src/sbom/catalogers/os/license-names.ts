import { normalizeLicense } from '../../license.js';

/**
 * Debian (DEP-5 short names, `/usr/share/common-licenses`) and Alpine (`L:`) licence names to
 * SPDX. Names that are already SPDX ids pass re-cased; GNU names with a version get `-only` or
 * `-or-later`; a few distribution names have fixed equivalents. Anything else is returned as
 * undefined so the caller can keep the declaration verbatim.
 */
export function licenseNameToSpdx(name: string): string | undefined {
  const key = name.trim().replace(/\.$/, '');
  const fixed = DISTRO_NAMES[key.toLowerCase()];
  if (fixed) return fixed;
  const gnu = gnuLicense(key);
  if (gnu) return gnu;
  const spdx = normalizeLicense(key);
  return spdx.kind === 'id' && !spdx.corrected && !spdx.deprecated ? spdx.value : undefined;
}

/**
 * Convert a licence expression as distributions write it (`GPL-2+ or Artistic`, `MIT AND BSD`,
 * `GPL-2+ with OpenSSL exception`, DEP-5's `A or B, and C`) to SPDX. Returns undefined when any
 * name in it is unknown, so nothing invalid is passed off as SPDX.
 */
export function licenseExpressionToSpdx(expr: string): string | undefined {
  // DEP-5 §License syntax: a comma before and/or closes the preceding group.
  const groups = expr.trim().split(/\s*,\s*(and|or)\s+/i);
  const parts: string[] = [];
  for (let i = 0; i < groups.length; i += 2) {
    const converted = convertGroup(groups[i] ?? '');
    if (converted === undefined) return undefined;
    if (i > 0) parts.push((groups[i - 1] ?? 'and').toUpperCase());
    parts.push(groups.length > 1 && / (AND|OR) /.test(converted) ? `(${converted})` : converted);
  }
  return parts.length > 0 ? parts.join(' ') : undefined;
}

// One group of names joined by and/or, each optionally `with <exception>`.
function convertGroup(group: string): string | undefined {
  const tokens = group.split(/\s+/).filter((t) => t !== '' && t !== ',');
  if (tokens.length === 0) return undefined;
  const out: string[] = [];
  let expectName = true;
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] ?? '';
    const lower = tok.toLowerCase();
    if (!expectName && (lower === 'and' || lower === 'or' || lower === '&' || lower === '|')) {
      out.push(lower === 'and' || lower === '&' ? 'AND' : 'OR');
      expectName = true;
      continue;
    }
    if (!expectName && lower === 'with') {
      const exception = takeException(tokens, i + 1);
      if (!exception) return undefined;
      out.push(`WITH ${exception.id}`);
      i = exception.next - 1;
      continue;
    }
    if (!expectName) {
      // Alpine lists several licences separated by spaces (`MIT BSD GPL2+`): all apply.
      out.push('AND');
    }
    const id = licenseNameToSpdx(tok.replace(/^\(|\)$/g, ''));
    if (!id) return undefined;
    out.push(id.includes(' ') ? `(${id})` : id);
    expectName = false;
  }
  return expectName ? undefined : out.join(' ');
}

// `with OpenSSL exception`, `with Autoconf-data exception`, or an SPDX exception id.
function takeException(tokens: string[], from: number): { id: string; next: number } | undefined {
  let end = from;
  while (end < tokens.length && !/^(and|or)$/i.test(tokens[end] ?? '')) end++;
  const words = tokens.slice(from, end).filter((w) => w.toLowerCase() !== 'exception');
  const id = EXCEPTIONS[words.join(' ').toLowerCase()];
  return id ? { id, next: end } : undefined;
}

// GPL-2, GPL-2+, GPL2+, LGPL-2.1+, AGPL-3, GPL-2.0 (deprecated SPDX), GFDL-1.3+ …
function gnuLicense(name: string): string | undefined {
  const m = /^(A|L)?(GPL|GFDL)-?v?(\d)(?:\.(\d))?(\+|-or-later|-only)?$/i.exec(name);
  if (!m?.[2] || !m[3]) return undefined;
  const family = `${(m[1] ?? '').toUpperCase()}${m[2].toUpperCase()}`;
  const version = `${m[3]}.${m[4] ?? '0'}`;
  const later = m[5] === '+' || m[5]?.toLowerCase() === '-or-later';
  const id = `${family}-${version}-${later ? 'or-later' : 'only'}`;
  const check = normalizeLicense(id);
  return check.kind === 'id' && !check.corrected ? check.value : undefined;
}

/** Names whose SPDX form is not derivable from the name itself (keys lower case). */
const DISTRO_NAMES: Readonly<Record<string, string>> = {
  // Debian's "GPL" with no version means any version.
  gpl: 'GPL-1.0-or-later',
  lgpl: 'LGPL-2.0-or-later',
  // /usr/share/common-licenses/Artistic is the Perl Artistic Licence (1.0 with Perl's clause 8).
  artistic: 'Artistic-1.0-Perl',
  'artistic-1': 'Artistic-1.0',
  'artistic-2': 'Artistic-2.0',
  // DEP-5: "Perl: Perl license (use 'GPL-1+ or Artistic-1' instead)".
  perl: 'Artistic-1.0-Perl OR GPL-1.0-or-later',
  expat: 'MIT',
  'apache-2': 'Apache-2.0',
  apache2: 'Apache-2.0',
  'mpl-2': 'MPL-2.0',
  'mpl-1.1': 'MPL-1.1',
  cc0: 'CC0-1.0',
  'psf-2': 'PSF-2.0',
  python: 'Python-2.0',
  'zope-2.1': 'ZPL-2.1',
  'bsd-2': 'BSD-2-Clause',
  'bsd-3': 'BSD-3-Clause',
  'bsd-4': 'BSD-4-Clause',
  'public-domain': 'LicenseRef-public-domain',
};

/**
 * DEP-5 exception phrases (`with X exception`) to SPDX exception ids (keys lower case). The OpenSSL
 * linking exceptions are per project in SPDX, so `with OpenSSL exception` stays unconverted.
 */
const EXCEPTIONS: Readonly<Record<string, string>> = {
  autoconf: 'Autoconf-exception-2.0',
  'autoconf-data': 'Autoconf-exception-generic',
  bison: 'Bison-exception-2.2',
  classpath: 'Classpath-exception-2.0',
  'font embedding': 'Font-exception-2.0',
  font: 'Font-exception-2.0',
  gcc: 'GCC-exception-3.1',
  'gcc-3.1': 'GCC-exception-3.1',
  'gcc-2.0': 'GCC-exception-2.0',
  libtool: 'Libtool-exception',
  'linux-syscall-note': 'Linux-syscall-note',
  'classpath-exception-2.0': 'Classpath-exception-2.0',
  'gcc-exception-3.1': 'GCC-exception-3.1',
  'autoconf-exception-2.0': 'Autoconf-exception-2.0',
};
