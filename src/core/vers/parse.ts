import { versionScheme } from './compare.js';
import { decodeVersion } from './encoding.js';
import { VersError } from './errors.js';
import {
  MAX_VERS_CONSTRAINTS,
  MAX_VERS_LENGTH,
  type VersComparator,
  type VersConstraint,
  type VersRange,
} from './range.js';
import { sortConstraints, versRangeProblems } from './validate.js';

export interface ParseVersOptions {
  /**
   * false (default): the spec's rule — input must already be canonical, anything else is an
   * error. true: read vers found in the wild and repair its form only — drop whitespace and empty
   * constraints, lower-case "vers:" and the type, accept an explicit "=", re-encode versions and
   * sort constraints. The comparator sequence is then not judged (see assertVersRange).
   */
  readonly normalize?: boolean;
}

const TYPE = /^[a-z][a-z0-9.-]*$/;
const WHITESPACE = /\s/;
const PRINTABLE_ASCII = /^[\x21-\x7e]*$/;

/**
 * Parse `vers:<type>/<constraints>` (package-url/vers-spec, "How to parse and validate VERS").
 * Untrusted input: bounded in length and number of constraints.
 * @throws VersError VERS_INVALID, VERS_NON_CANONICAL, VERS_SCHEME_UNSUPPORTED, VERS_TOO_LARGE
 * @example parseVers('vers:npm/>=4.0.0|<4.17.21')
 */
export function parseVers(text: string, options: ParseVersOptions = {}): VersRange {
  const normalize = options.normalize === true;
  if (text.length > MAX_VERS_LENGTH) {
    throw new VersError(
      'VERS_TOO_LARGE',
      `vers is ${text.length} characters; the limit is ${MAX_VERS_LENGTH}`,
    );
  }
  const input = checkWhitespace(text, normalize);
  if (!PRINTABLE_ASCII.test(input)) {
    throw invalid(
      'only printable ASCII is allowed; percent-encode other characters in versions',
      text,
    );
  }
  const { scheme, body } = splitHead(input, normalize);
  if (body === '*') return freeze(scheme, [{ comparator: '*', version: '' }]);
  const constraints = splitConstraints(body, normalize).map((c) => parseConstraint(c, normalize));
  if (constraints.length > MAX_VERS_CONSTRAINTS) {
    throw new VersError(
      'VERS_TOO_LARGE',
      `vers has ${constraints.length} constraints; the limit is ${MAX_VERS_CONSTRAINTS}`,
    );
  }
  const order = versionScheme(scheme);
  if (normalize) return freeze(scheme, sortConstraints(order, constraints));
  for (const c of constraints) {
    const problem = order.canonicalProblem?.(c.version) ?? null;
    if (problem !== null) throw nonCanonical(problem, text);
  }
  const problems = versRangeProblems(order, constraints);
  if (problems.length > 0) {
    throw new VersError('VERS_NON_CANONICAL', `non-canonical VERS: ${problems[0]}`, {
      details: { vers: text.slice(0, 200), problems },
    });
  }
  return freeze(scheme, constraints);
}

function checkWhitespace(text: string, normalize: boolean): string {
  if (!WHITESPACE.test(text)) return text;
  if (normalize) return text.replace(/\s+/g, '');
  throw nonCanonical('whitespace is not permitted', text);
}

/** "vers:" then the type up to the first '/'. */
function splitHead(input: string, normalize: boolean): { scheme: string; body: string } {
  const colon = input.indexOf(':');
  const uri = colon === -1 ? '' : input.slice(0, colon);
  if (uri.toLowerCase() !== 'vers') throw invalid('it must start with "vers:"', input);
  if (uri !== 'vers' && !normalize) throw nonCanonical('"vers:" must be lower-case', input);
  const rest = input.slice(colon + 1);
  const slash = rest.indexOf('/');
  if (slash === -1) throw invalid('the type must be followed by "/" and constraints', input);
  const rawType = rest.slice(0, slash);
  const scheme = rawType.toLowerCase();
  if (!TYPE.test(scheme)) {
    throw invalid(
      'the type must start with a letter and hold only letters, digits, "." and "-"',
      input,
    );
  }
  if (scheme !== rawType && !normalize) throw nonCanonical('the type must be lower-case', input);
  versionScheme(scheme); // unsupported types fail here, before any constraint is read
  const body = rest.slice(slash + 1);
  if (body === '') throw invalid('constraints are empty', input);
  return { scheme, body };
}

function splitConstraints(body: string, normalize: boolean): string[] {
  const parts = body.split('|');
  if (!normalize) {
    if (parts[0] === '') throw nonCanonical('leading pipe is not permitted', body);
    if (parts[parts.length - 1] === '') throw nonCanonical('trailing pipe is not permitted', body);
    if (parts.includes('')) throw nonCanonical('consecutive pipes are not permitted', body);
  }
  const kept = parts.filter((p) => p !== '');
  if (kept.length === 0) throw invalid('constraints are empty', body);
  if (kept.includes('*')) throw invalid('"*" must be the only constraint', body);
  return kept;
}

const PREFIXES: readonly VersComparator[] = ['>=', '<=', '!=', '<', '>'];

function parseConstraint(raw: string, normalize: boolean): VersConstraint {
  let comparator: VersComparator = '=';
  let rest = raw;
  const prefix = PREFIXES.find((p) => raw.startsWith(p));
  if (prefix !== undefined) {
    comparator = prefix;
    rest = raw.slice(prefix.length);
  } else if (normalize && raw.startsWith('=')) {
    rest = raw.slice(1); // "=1.0" is the same constraint as "1.0"
  }
  if (rest === '') throw invalid(`constraint "${raw.slice(0, 40)}" has no version`, raw);
  // ">>4" or "=>4" is a typo, not a version that starts with a comparator character.
  if (/^[<>=!]/.test(rest) && (normalize || prefix !== undefined)) {
    throw invalid(`constraint "${raw.slice(0, 40)}" has a malformed comparator`, raw);
  }
  return { comparator, version: decodeVersion(rest, !normalize) };
}

function freeze(scheme: string, constraints: VersConstraint[]): VersRange {
  return Object.freeze({
    scheme,
    constraints: Object.freeze(constraints.map((c) => Object.freeze(c))),
  });
}

function invalid(why: string, text: string): VersError {
  return new VersError('VERS_INVALID', `invalid VERS: ${why} (got "${text.slice(0, 80)}")`, {
    details: { vers: text.slice(0, 200) },
  });
}

function nonCanonical(why: string, text: string): VersError {
  return new VersError(
    'VERS_NON_CANONICAL',
    `non-canonical VERS: ${why} (got "${text.slice(0, 80)}"); write the canonical form or parse with normalize`,
    { details: { vers: text.slice(0, 200) } },
  );
}
