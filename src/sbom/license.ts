import { createRequire } from 'node:module';
import parseExpression from 'spdx-expression-parse';
import deprecatedIds from 'spdx-license-ids/deprecated.json' with { type: 'json' };
import spdxLicenseIds from 'spdx-license-ids/index.json' with { type: 'json' };

/**
 * What a declared licence string is, after normalisation:
 * - `id`: one SPDX licence id (`MIT`);
 * - `expression`: a valid SPDX licence expression (`MIT OR Apache-2.0`, `GPL-2.0-or-later WITH …`);
 * - `noassertion`: SPDX `NOASSERTION` / `NONE` (the author declined or did not know);
 * - `name`: free text that is not SPDX (kept verbatim; quality checks flag it).
 */
export type NormalizedLicense =
  | { kind: 'id'; value: string; deprecated: boolean; corrected: boolean }
  | { kind: 'expression'; value: string; deprecated: boolean; corrected: boolean }
  | { kind: 'noassertion'; value: 'NOASSERTION' | 'NONE' }
  | { kind: 'name'; value: string };

const IDS = new Set<string>(spdxLicenseIds);
const DEPRECATED = new Set<string>(deprecatedIds);
const BY_LOWER = new Map<string, string>(
  [...IDS, ...DEPRECATED].map((id) => [id.toLowerCase(), id]),
);
const cache = new Map<string, NormalizedLicense>();

/**
 * Normalise a declared licence. Exact SPDX ids and expressions pass as they are (ids re-cased);
 * common spellings ("Apache 2", "GPLv2") are corrected with spdx-correct and marked `corrected`.
 * Results are memoised: the same few hundred strings recur across thousands of packages.
 */
export function normalizeLicense(raw: string): NormalizedLicense {
  const hit = cache.get(raw);
  if (hit) return hit;
  const result = normalizeUncached(raw.trim());
  if (cache.size < 50_000) cache.set(raw, result);
  return result;
}

/** Whether `id` is on the SPDX licence list (current or deprecated). */
export function isSpdxLicenseId(id: string): boolean {
  return IDS.has(id) || DEPRECATED.has(id);
}

/** Whether `id` is a deprecated SPDX id (e.g. `GPL-2.0`, superseded by `GPL-2.0-only`). */
export function isDeprecatedLicenseId(id: string): boolean {
  return DEPRECATED.has(id);
}

function normalizeUncached(s: string): NormalizedLicense {
  if (s === 'NOASSERTION' || s === 'NONE') return { kind: 'noassertion', value: s };
  if (s === '' || /^(unknown|unlicensed)$/i.test(s)) return { kind: 'name', value: s };
  const exact = BY_LOWER.get(s.toLowerCase());
  if (exact)
    return { kind: 'id', value: exact, deprecated: DEPRECATED.has(exact), corrected: false };
  const parsed = tryExpression(s);
  if (parsed) return { ...parsed, corrected: false };
  // "(MIT OR Apache-2.0)" with stray parentheses or lower-case operators is common in lockfiles.
  const repaired = s.replace(/\s+(or|and|with)\s+/gi, (_m, op: string) => ` ${op.toUpperCase()} `);
  if (repaired !== s) {
    const again = tryExpression(repaired);
    if (again) return { ...again, corrected: true };
  }
  const corrected = safeCorrect(s);
  if (corrected) {
    const id = BY_LOWER.get(corrected.toLowerCase());
    if (id) return { kind: 'id', value: id, deprecated: DEPRECATED.has(id), corrected: true };
    const expr = tryExpression(corrected);
    if (expr) return { ...expr, corrected: true };
  }
  return { kind: 'name', value: s };
}

function tryExpression(
  s: string,
): { kind: 'id' | 'expression'; value: string; deprecated: boolean } | undefined {
  let ast: parseExpression.Info;
  try {
    ast = parseExpression(s);
  } catch {
    return undefined;
  }
  const ids: string[] = [];
  collectIds(ast, ids);
  const deprecated = ids.some((id) => DEPRECATED.has(id));
  // Only listed ids may stand alone as `id` (CycloneDX's license.id is an enum); LicenseRef-… and
  // `+`/WITH forms are expressions.
  if ('license' in ast && !ast.plus && !ast.exception && isSpdxLicenseId(ast.license)) {
    return { kind: 'id', value: ast.license, deprecated };
  }
  const value = s
    .replace(/\s+/g, ' ')
    .replace(/ (or|and|with) /gi, (_m, op: string) => ` ${op.toUpperCase()} `);
  return { kind: 'expression', value, deprecated };
}

function collectIds(node: parseExpression.Info, out: string[]): void {
  if ('license' in node) out.push(node.license);
  else {
    collectIds(node.left, out);
    collectIds(node.right, out);
  }
}

type SpdxCorrect = (s: string, opts?: { upgrade?: boolean }) => string | null;
let spdxCorrect: SpdxCorrect | undefined;

// spdx-correct builds its tables at load (~15 ms); most runs never need it, so load on first use.
function safeCorrect(s: string): string | null {
  spdxCorrect ??= createRequire(import.meta.url)('spdx-correct') as SpdxCorrect;
  try {
    return spdxCorrect(s, { upgrade: true });
  } catch {
    return null;
  }
}

const idsCache = new Map<string, readonly string[]>();

/**
 * The licence identifiers a declared licence names, for indexing: `MIT OR Apache-2.0` gives both
 * ids; a non-SPDX name gives itself; NOASSERTION/NONE give nothing.
 */
export function licenseIds(raw: string): readonly string[] {
  const hit = idsCache.get(raw);
  if (hit) return hit;
  const n = normalizeLicense(raw);
  let ids: string[];
  if (n.kind === 'noassertion') ids = [];
  else if (n.kind === 'id' || n.kind === 'name') ids = n.value === '' ? [] : [n.value];
  else {
    ids = [];
    try {
      collectIds(parseExpression(n.value), ids);
    } catch {
      ids = [n.value];
    }
  }
  const unique = [...new Set(ids)];
  if (idsCache.size < 50_000) idsCache.set(raw, unique);
  return unique;
}
