import { AdmissionGovernanceError } from './governance-errors.js';

/**
 * Image patterns for exceptions: a glob over an image reference without its digest
 * (`registry/repo:tag` or `registry/repo`).
 * - `*` matches any run of characters within one path segment (never `/`);
 * - `**` matches any run of characters across segments (`/` included, possibly none); written as
 *   a whole segment followed by `/` (`registry/**\/app`), it also matches no segment at all;
 * - every other character matches itself.
 * A pattern whose last segment has no `:` names the repository under any tag
 * (`ghcr.io/acme/*` covers `ghcr.io/acme/web:1.2`); with a `:` it names tags too
 * (`ghcr.io/acme/web:1.*`). The subject's `@digest` is never looked at: an exception is about
 * what a workload names, and the digest check still runs.
 *
 * Matching simulates the pattern as a small automaton (a set of positions advanced one character
 * at a time), so its time is O(subject × pattern) whatever the pattern: no backtracking, no
 * regular expression built from user input.
 */

export const MAX_PATTERN_LENGTH = 256;
const PATTERN_CHARS = /^[A-Za-z0-9._\-/:*]+$/;

type Token =
  | { k: 'lit'; c: string }
  /** `*`: within a segment. */
  | { k: 'star' }
  /** `**`: anything. */
  | { k: 'any' }
  /** Consumes nothing: stands both here and `skip` tokens further (`**\/` matching no segment). */
  | { k: 'skip'; skip: number };

export interface ImagePattern {
  readonly source: string;
  /** The pattern names tags (its last segment holds a `:`). */
  readonly withTag: boolean;
  test(image: string): boolean;
}

/** @throws AdmissionGovernanceError ADMISSION_PATTERN_INVALID */
export function compileImagePattern(source: string): ImagePattern {
  const bad = (why: string): never => {
    throw new AdmissionGovernanceError(
      'ADMISSION_PATTERN_INVALID',
      `The image pattern ${JSON.stringify(source.slice(0, 80))} ${why}; write it as registry/repository[:tag] with * (within a segment) and ** (across segments)`,
      { details: { pattern: source.slice(0, MAX_PATTERN_LENGTH), reason: why } },
    );
  };
  if (typeof source !== 'string') {
    throw new AdmissionGovernanceError(
      'ADMISSION_PATTERN_INVALID',
      'The image pattern is a string',
    );
  }
  if (source.length === 0) bad('is empty');
  if (source.length > MAX_PATTERN_LENGTH) bad(`is over ${MAX_PATTERN_LENGTH} characters`);
  if (!PATTERN_CHARS.test(source)) bad('holds a character an image reference cannot (or a digest)');
  if (source.includes('***')) bad('has three stars in a row');
  if (source.startsWith('/') || source.endsWith('/') || source.includes('//'))
    bad('has an empty path segment');
  const tokens: Token[] = [];
  for (let i = 0; i < source.length; ) {
    const c = source[i] as string;
    if (c === '*' && source[i + 1] === '*') {
      if (source[i + 2] === '/' && (i === 0 || source[i - 1] === '/')) {
        // `**/` is "nothing, or anything ending with /": skip over [any, '/'], or go through them.
        tokens.push({ k: 'skip', skip: 3 }, { k: 'any' }, { k: 'lit', c: '/' });
        i += 3;
      } else {
        tokens.push({ k: 'any' });
        i += 2;
      }
    } else if (c === '*') {
      tokens.push({ k: 'star' });
      i += 1;
    } else {
      tokens.push({ k: 'lit', c });
      i += 1;
    }
  }
  const last = source.slice(source.lastIndexOf('/') + 1);
  const withTag = last.includes(':');
  return {
    source,
    withTag,
    test(image: string): boolean {
      let subject = stripDigest(image);
      if (!withTag) subject = repositoryOf(subject);
      return run(tokens, subject);
    },
  };
}

/** Whether `image` (digest ignored) matches `pattern`. */
export function matchesImagePattern(pattern: string, image: string): boolean {
  return compileImagePattern(pattern).test(image);
}

/** The reference without `@sha256:…`. */
export function stripDigest(image: string): string {
  const at = image.indexOf('@');
  return at < 0 ? image : image.slice(0, at);
}

/** The reference without its tag (a `:` in the last segment; a registry's port is not a tag). */
export function repositoryOf(ref: string): string {
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  return colon > slash ? ref.slice(0, colon) : ref;
}

function run(tokens: readonly Token[], subject: string): boolean {
  const n = tokens.length;
  let current = new Uint8Array(n + 1);
  let next = new Uint8Array(n + 1);
  const close = (set: Uint8Array): void => {
    // Wildcards may match nothing: a position before one also stands after it. Tokens only move
    // forward, so one pass in order closes the set.
    for (let i = 0; i < n; i++) {
      if (!set[i]) continue;
      const t = tokens[i] as Token;
      if (t.k !== 'lit') set[i + 1] = 1;
      if (t.k === 'skip') set[i + t.skip] = 1;
    }
  };
  current[0] = 1;
  close(current);
  for (const ch of subject) {
    next.fill(0);
    let any = false;
    for (let i = 0; i < n; i++) {
      if (!current[i]) continue;
      const t = tokens[i] as Token;
      switch (t.k) {
        case 'lit':
          if (t.c === ch) next[i + 1] = 1;
          break;
        case 'star':
          if (ch !== '/') next[i] = 1;
          break;
        case 'any':
          next[i] = 1;
          break;
        case 'skip':
          break;
      }
    }
    for (let i = 0; i <= n; i++) if (next[i]) any = true;
    if (!any) return false;
    close(next);
    [current, next] = [next, current];
  }
  return current[n] === 1;
}
