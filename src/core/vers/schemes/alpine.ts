import { defineScheme, isDigitCode } from './scheme.js';

/**
 * Alpine's apk version order (apk-tools src/version.c): number{.number}[letter]{_suffix[number]}
 * [-r#]. apk reads both strings token by token, and each side's tokens depend only on that side,
 * so the token list is the parse key and comparison replays apk's loop over two lists.
 */
const INVALID = -1;
const DIGIT_OR_ZERO = 0;
const DIGIT = 1;
const LETTER = 2;
const SUFFIX = 3;
const SUFFIX_NO = 4;
const REVISION_NO = 5;
const END = 6;

/** A token's value and the type apk expects next (what get_token leaves in *type). */
type Token = { value: number; next: number };

const PRE_SUFFIXES = ['alpha', 'beta', 'pre', 'rc'];
const POST_SUFFIXES = ['cvs', 'svn', 'git', 'hg', 'p'];

export const alpineScheme = defineScheme<Token[]>({
  parse: tokenize,
  // apk's own validity test: the tokens run to the end without an invalid one.
  versionProblem: (version) =>
    version !== '' && tokenize(version).at(-1)?.next === END
      ? null
      : `"${version.slice(0, 80)}" is not an Alpine (apk) version`,
  compare(a, b) {
    let i = 0;
    let av = 0;
    let bv = 0;
    let at = DIGIT;
    let bt = DIGIT;
    while (at === bt && at !== END && at !== INVALID && av === bv) {
      const ta = a[i] as Token;
      const tb = b[i] as Token;
      av = ta.value;
      at = ta.next;
      bv = tb.value;
      bt = tb.next;
      i++;
    }
    if (av !== bv) return av < bv ? -1 : 1;
    if (at === bt) return 0;
    // Equal so far: the longer version is newer unless a prerelease suffix follows.
    if (at === SUFFIX && (a[i]?.value ?? 0) < 0) return -1;
    if (bt === SUFFIX && (b[i]?.value ?? 0) < 0) return 1;
    return at > bt ? -1 : at < bt ? 1 : 0;
  },
});

function tokenize(s: string): Token[] {
  const tokens: Token[] = [];
  let type = DIGIT;
  let pos = 0;
  if (s.length === 0) return [{ value: 0, next: END }];
  while (type !== END && type !== INVALID) {
    const r = getToken(type, s, pos);
    tokens.push({ value: r.value, next: r.type });
    type = r.type;
    pos = r.pos;
  }
  return tokens;
}

/** apk's get_token: the value at pos for the expected type, then the type of what follows. */
function getToken(
  type: number,
  s: string,
  pos: number,
): { value: number; type: number; pos: number } {
  let i = pos;
  let v = 0;
  let nt = INVALID;
  if (type === DIGIT_OR_ZERO && s[i] === '0') {
    // Leading zeros after a dot: each zero but the last sorts lower ("1.001" < "1.01" < "1.1");
    // the last zero stays for the number that follows, so "1.0" still reads as 0.
    while (i + 1 < s.length && s[i + 1] === '0') i++;
    nt = DIGIT;
    v = -(i - pos);
  } else if (
    type === DIGIT_OR_ZERO ||
    type === DIGIT ||
    type === SUFFIX_NO ||
    type === REVISION_NO
  ) {
    while (i < s.length && isDigitCode(s.charCodeAt(i))) v = v * 10 + (s.charCodeAt(i++) - 48);
  } else if (type === LETTER) {
    v = s.charCodeAt(i++);
  } else if (type === SUFFIX) {
    const pre = PRE_SUFFIXES.findIndex((p) => s.startsWith(p, i));
    const post = pre === -1 ? POST_SUFFIXES.findIndex((p) => s.startsWith(p, i)) : -1;
    if (pre !== -1) {
      v = pre - PRE_SUFFIXES.length;
      i += (PRE_SUFFIXES[pre] as string).length;
    } else if (post !== -1) {
      v = post;
      i += (POST_SUFFIXES[post] as string).length;
    } else return { value: -1, type: INVALID, pos: i };
  } else return { value: -1, type: INVALID, pos: i };
  if (i >= s.length) return { value: v, type: END, pos: i };
  if (nt !== INVALID) return { value: v, type: nt, pos: i };
  const n = nextToken(type, s, i);
  return { value: v, type: n.type, pos: n.pos };
}

/** apk's next_token: classify the character at pos given the previous token type. */
function nextToken(prev: number, s: string, pos0: number): { type: number; pos: number } {
  let pos = pos0;
  let n = INVALID;
  const c = s.charCodeAt(pos);
  if ((prev === DIGIT || prev === DIGIT_OR_ZERO) && c >= 97 && c <= 122) n = LETTER;
  else if (prev === LETTER && isDigitCode(c)) n = DIGIT;
  else if (prev === SUFFIX && isDigitCode(c)) n = SUFFIX_NO;
  else {
    const ch = s[pos];
    if (ch === '.') n = DIGIT_OR_ZERO;
    else if (ch === '_') n = SUFFIX;
    else if (ch === '-') {
      if (s[pos + 1] === 'r') {
        n = REVISION_NO;
        pos++;
      }
    }
    pos++;
  }
  if (n < prev) {
    const allowed =
      (n === DIGIT_OR_ZERO && prev === DIGIT) ||
      (n === SUFFIX && prev === SUFFIX_NO) ||
      (n === DIGIT && prev === LETTER);
    if (!allowed) n = INVALID;
  }
  return { type: n, pos };
}
