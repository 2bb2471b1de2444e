import { isCustodyError } from '../errors.js';
import { serializePurl } from './format.js';
import { type PurlParseOptions, parseCanonical } from './parse.js';
import { isRegisteredType } from './type-rules.js';

/**
 * The canonical form of a purl string: parse, then build (the spec's "roundtrip").
 * `pkg:Maven/org.x/y@1?Type=pom&a=` → `pkg:maven/org.x/y@1?type=pom`.
 * @throws CoreError PURL_INVALID (see parsePurl; `strict` as there).
 */
export function normalizePurl(purl: string, options: PurlParseOptions = {}): string {
  return serializePurl(parseCanonical(purl, options));
}

/**
 * True when two purl strings name the same package: equal canonical forms. A string that is not
 * a valid purl equals nothing (not even itself).
 */
export function purlEquals(a: string, b: string): boolean {
  const ca = tryNormalize(a);
  return ca !== undefined && ca === tryNormalize(b);
}

/** The outcome of validatePurl. */
export interface PurlValidation {
  /** True when the purl obeys the spec and its type definition (a strict parse succeeds). */
  valid: boolean;
  /** True when valid and already in canonical form. */
  canonical: boolean;
  /** The canonical form, when the purl could be parsed at all (leniently). */
  normalized: string | undefined;
  /** Every reason it is not valid or not canonical, for people. */
  problems: string[];
  /** Things that do not make it invalid: an unregistered type (spec §5.7). */
  warnings: string[];
}

/**
 * Check a purl without throwing, collecting every problem: spec violations that a lenient parse
 * repairs, the error that stops parsing, and whether the string is canonical.
 */
export function validatePurl(purl: string): PurlValidation {
  const repairs: string[] = [];
  let normalized: string | undefined;
  let type: string | undefined;
  const problems: string[] = [];
  try {
    const c = parseCanonical(purl, {}, repairs);
    normalized = serializePurl(c);
    type = c.type;
  } catch (e) {
    if (!isCustodyError(e)) throw e;
    problems.push(e.message);
  }
  problems.push(...repairs);
  const valid = normalized !== undefined && repairs.length === 0;
  if (normalized !== undefined && normalized !== purl) {
    problems.push(`not in canonical form; the canonical form is ${JSON.stringify(normalized)}`);
  }
  const warnings =
    type !== undefined && !isRegisteredType(type)
      ? [`the type "${type}" is not a registered purl type`]
      : [];
  return { valid, canonical: valid && normalized === purl, normalized, problems, warnings };
}

function tryNormalize(purl: string): string | undefined {
  try {
    return normalizePurl(purl);
  } catch (e) {
    if (isCustodyError(e)) return undefined;
    throw e;
  }
}
