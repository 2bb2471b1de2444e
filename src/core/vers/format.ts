import { versionScheme } from './compare.js';
import { encodeVersion } from './encoding.js';
import type { VersRange } from './range.js';
import { sortConstraints } from './validate.js';

/**
 * The canonical vers string of a range: lower-case type, constraints sorted by version, '='
 * written as the bare version, versions percent-encoded only where the spec requires.
 * It does not judge the comparator sequence (assertVersRange does).
 * @throws VersError VERS_SCHEME_UNSUPPORTED
 */
export function formatVers(range: VersRange): string {
  const scheme = range.scheme.toLowerCase();
  if (range.constraints.some((c) => c.comparator === '*')) return `vers:${scheme}/*`;
  const sorted = sortConstraints(versionScheme(scheme), range.constraints);
  const parts = sorted.map(
    (c) => (c.comparator === '=' ? '' : c.comparator) + encodeVersion(c.version),
  );
  return `vers:${scheme}/${parts.join('|')}`;
}
