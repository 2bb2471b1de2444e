import { CoreError } from '../errors.js';

// purl spec §5.4: the allowed set is the alphanumerics and `.-_~`; the colon is never encoded.
// Everything else (separators used as data, space, non-ASCII) becomes %XX of its UTF-8 bytes.
const SAFE = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789.-_~:') {
  SAFE[c.charCodeAt(0)] = 1;
}
const HEX = '0123456789ABCDEF';
const TRIPLETS: readonly string[] = Array.from(
  { length: 128 },
  (_, c) => `%${HEX[c >> 4]}${HEX[c & 15]}`,
);

/**
 * Percent-encode one purl component (a segment, name, version, qualifier value) as the purl spec
 * requires. Returns `s` itself when nothing needs encoding (the common case, no allocation).
 * @throws CoreError PURL_INVALID when `s` holds a lone surrogate (not encodable as UTF-8).
 */
export function percentEncode(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || SAFE[c] === 0) return encodeFrom(s, i);
  }
  return s;
}

/**
 * Decode %XX sequences (UTF-8). `+` stays a plus sign: purls are not form-encoded.
 * @throws CoreError PURL_INVALID on a malformed escape or bytes that are not UTF-8.
 */
export function percentDecode(s: string, what: string): string {
  if (s.indexOf('%') < 0) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    throw new CoreError('PURL_INVALID', `the ${what} "${s}" has a malformed percent-encoding`);
  }
}

// The slow path, from the first character that needs encoding: copy the safe runs as slices.
function encodeFrom(s: string, from: number): string {
  let out = '';
  let run = 0; // start of the pending run of safe characters
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 128) {
      if (SAFE[c] === 1) continue;
      out += `${s.slice(run, i)}${TRIPLETS[c]}`;
      run = i + 1;
      continue;
    }
    // A surrogate pair is one code point: encode both halves together.
    const wide = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length;
    const end = wide ? i + 2 : i + 1;
    try {
      out += `${s.slice(run, i)}${encodeURIComponent(s.slice(i, end))}`;
    } catch {
      throw new CoreError('PURL_INVALID', 'a purl component holds a lone UTF-16 surrogate');
    }
    run = end;
    i = end - 1;
  }
  return out + s.slice(run);
}
