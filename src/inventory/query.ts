import { formatPurl, isCustodyError, parsePurl } from '../core/index.js';
import { assertVersVersions, parseVers, type VersRange } from '../core/vers/index.js';
import { licenseIds, normalizeLicense } from '../sbom/index.js';
import { InventoryError } from './errors.js';
import { packageKey } from './index-rows.js';

/** What a component search asks for; exactly one way of naming the component. */
export type ComponentMatch =
  | { by: 'purl'; package: string; version?: string; purl?: string; range?: VersRange }
  | { by: 'name'; name: string; version?: string; range?: VersRange; ecosystem?: string }
  | { by: 'hash'; value: string; alg?: string }
  | { by: 'license'; license: string };

export interface ComponentQuery {
  match: ComponentMatch;
  /** Only components the subject depends on directly (true) or only transitive ones (false). */
  direct?: boolean;
  /** Include components of SBOMs since superseded by a newer version. */
  history: boolean;
  limit: number;
  /** Return components with an id below this (keyset pagination, newest first). */
  before?: number;
}

export const MAX_LIMIT = 500;
export const DEFAULT_LIMIT = 50;

/** The raw query-string parameters of `GET /api/v1/components`. */
export interface ComponentQueryParams {
  purl?: string;
  name?: string;
  version?: string;
  range?: string;
  ecosystem?: string;
  hash?: string;
  license?: string;
  direct?: string;
  history?: string;
  limit?: string;
  cursor?: string;
}

/**
 * Validate search parameters into a query.
 * @throws InventoryError INVENTORY_QUERY_INVALID naming the parameter at fault
 */
export function parseComponentQuery(q: ComponentQueryParams): ComponentQuery {
  const ways = (['purl', 'name', 'hash', 'license'] as const).filter((k) => nonEmpty(q[k]));
  if (ways.length !== 1) {
    throw invalid(
      ways.length === 0
        ? 'Name the component: give one of purl, name, hash or license'
        : `Give only one of purl, name, hash or license (got ${ways.join(', ')})`,
    );
  }
  const range = q.range === undefined || q.range === '' ? undefined : versOf(q.range);
  if (range && nonEmpty(q.version)) throw invalid('Give version or range, not both');
  let match: ComponentMatch;
  switch (ways[0]) {
    case 'purl':
      match = purlMatch(q.purl as string, range);
      break;
    case 'name':
      match = {
        by: 'name',
        name: (q.name as string).trim(),
        ...(nonEmpty(q.version) ? { version: q.version } : {}),
        ...(range ? { range } : {}),
        ...(nonEmpty(q.ecosystem) ? { ecosystem: q.ecosystem.toLowerCase() } : {}),
      };
      break;
    case 'hash':
      match = hashMatch(q.hash as string);
      break;
    default: {
      if (range || nonEmpty(q.version)) throw invalid('version and range apply to purl or name');
      match = { by: 'license', license: licenseOf(q.license as string) };
    }
  }
  if ((match.by === 'hash' || match.by === 'license') && range) {
    throw invalid('range applies to purl or name');
  }
  return {
    match,
    ...(q.direct === undefined || q.direct === '' ? {} : { direct: bool(q.direct, 'direct') }),
    history: q.history === undefined || q.history === '' ? false : bool(q.history, 'history'),
    limit: limitOf(q.limit),
    ...(nonEmpty(q.cursor) ? { before: decodeCursor(q.cursor) } : {}),
  };
}

function purlMatch(text: string, range: VersRange | undefined): ComponentMatch {
  let p: ReturnType<typeof parsePurl>;
  try {
    p = parsePurl(text.trim());
  } catch (e) {
    if (isCustodyError(e)) throw invalid(`purl: ${e.message}`);
    throw e;
  }
  const pkg = packageKey(p.type, p.namespace, p.name);
  if (range && p.version !== undefined) {
    throw invalid('Give the purl without a version when you give a range');
  }
  // Compared in canonical form, as the index stores it: qualifier order and encoding do not matter.
  const exact =
    (p.qualifiers && Object.keys(p.qualifiers).length > 0) || p.subpath !== undefined
      ? { purl: formatPurl(p) }
      : {};
  return {
    by: 'purl',
    package: pkg,
    ...(p.version !== undefined ? { version: p.version } : {}),
    ...exact,
    ...(range ? { range } : {}),
  };
}

function hashMatch(text: string): ComponentMatch {
  const m = /^(?:([A-Za-z0-9_-]+):)?([0-9a-fA-F]{32,128})$/.exec(text.trim());
  if (!m) throw invalid('hash must be hex, optionally prefixed by its algorithm (sha256:…)');
  const alg = m[1] ? normalizeAlg(m[1]) : undefined;
  return { by: 'hash', value: (m[2] as string).toLowerCase(), ...(alg ? { alg } : {}) };
}

/** `sha256`, `SHA256` and `SHA-256` all mean CycloneDX's `SHA-256`. */
export function normalizeAlg(alg: string): string {
  const a = alg.toUpperCase().replace(/_/g, '-');
  if (a === 'MD5' || a === 'MD-5') return 'MD5';
  if (a === 'BLAKE3') return 'BLAKE3';
  const m = /^(SHA|SHA3|BLAKE2B)-?(\d+)$/.exec(a);
  return m ? `${m[1] === 'BLAKE2B' ? 'BLAKE2b' : m[1]}-${m[2]}` : a;
}

function versOf(text: string): VersRange {
  let range: VersRange;
  try {
    // People type ranges by hand: accept spaces, any order and an explicit `=`, as vers allows on input.
    range = parseVers(text.trim(), { normalize: true });
  } catch (e) {
    if (isCustodyError(e)) throw invalid(`range: ${e.message}`);
    throw e;
  }
  // A bound its scheme cannot read would be ordered by a fallback and answer wrongly, quietly.
  assertVersVersions(range);
  return range;
}

/** SPDX's idstring after `LicenseRef-`: letters, digits, '.' and '-'. */
const LICENSE_REF = /^LicenseRef-[A-Za-z0-9.-]{1,200}$/;

/**
 * One SPDX licence id from the list (any case; answered in the list's spelling) or one
 * `LicenseRef-…`. Nothing else is searched for: not an expression, and not a string that
 * spdx-correct would turn into an id, so that `MIT' OR 1=1--` is refused instead of searching MIT.
 */
function licenseOf(text: string): string {
  const t = text.trim();
  if (LICENSE_REF.test(t)) return t;
  const n = normalizeLicense(t);
  if (n.kind === 'id' && !n.corrected) return n.value;
  if (n.kind === 'expression' && licenseIds(t).length > 1) {
    throw invalid(
      'license takes one licence id (e.g. MIT); search for each id of an expression separately',
    );
  }
  const hint = (n.kind === 'id' || n.kind === 'expression') && n.corrected ? n.value : undefined;
  throw invalid(
    `license must be one SPDX licence id (e.g. MIT, Apache-2.0) or a LicenseRef-…; got ${JSON.stringify(t.slice(0, 80))}${hint ? ` (did you mean ${hint}?)` : ''}`,
  );
}

/** Digits only: "1e2", "0x10", "+5" and "50.0" are numbers to JavaScript, not to this API. */
function limitOf(s: string | undefined): number {
  if (s === undefined || s === '') return DEFAULT_LIMIT;
  const n = /^[0-9]{1,3}$/.test(s) ? Number(s) : Number.NaN;
  if (!(n >= 1 && n <= MAX_LIMIT)) {
    throw invalid(`limit must be a whole number from 1 to ${MAX_LIMIT}, in digits`);
  }
  return n;
}

function bool(s: string, what: string): boolean {
  if (s === 'true' || s === '1') return true;
  if (s === 'false' || s === '0') return false;
  throw invalid(`${what} must be true or false`);
}

/** Cursors are opaque to clients; inside they are the last component id seen. */
export function encodeCursor(id: number): string {
  return Buffer.from(`c:${id}`).toString('base64url');
}

/** @throws InventoryError INVENTORY_QUERY_INVALID for a cursor this service did not issue */
export function decodeCursor(s: string): number {
  // Node's base64 decoder skips characters it does not know; only the exact encoding of an id
  // this service could have issued is taken.
  const m = /^c:(0|[1-9][0-9]{0,14})$/.exec(Buffer.from(s, 'base64url').toString());
  if (!m || encodeCursor(Number(m[1])) !== s) {
    throw invalid('cursor is not one this service issued; start again without it');
  }
  return Number(m[1]);
}

function nonEmpty(s: string | undefined): s is string {
  return s !== undefined && s.trim() !== '';
}

function invalid(message: string): InventoryError {
  return new InventoryError('INVENTORY_QUERY_INVALID', message);
}
