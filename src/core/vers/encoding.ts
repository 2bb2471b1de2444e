import { VersError } from './errors.js';

const HEX = '0123456789ABCDEF';
const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** Characters the spec requires encoded in a version, besides anything not printable ASCII. */
const MUST_ENCODE = new Set(['>', '<', '=', '!', '*', '|', '%']);

/** Canonical percent-encoding of a version: only what must be encoded, upper-case hex, UTF-8. */
export function encodeVersion(version: string): string {
  let out = '';
  for (const ch of version) {
    const c = ch.codePointAt(0) as number;
    if (c > 0x20 && c < 0x7f && !MUST_ENCODE.has(ch)) {
      out += ch;
      continue;
    }
    for (const byte of utf8.encode(ch)) out += `%${HEX[byte >> 4]}${HEX[byte & 15]}`;
  }
  return out;
}

/**
 * Decode percent-encoding exactly once. Each '%' must start a triplet of two hex digits, and the
 * bytes must be UTF-8. `canonical` additionally requires the form encodeVersion produces.
 * @throws VersError VERS_INVALID (bad triplet or bytes), VERS_NON_CANONICAL
 */
export function decodeVersion(raw: string, canonical: boolean): string {
  if (!raw.includes('%')) {
    if (canonical && encodeVersion(raw) !== raw) throw notCanonical(raw, raw);
    return raw;
  }
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const ch = raw.charCodeAt(i);
    if (ch !== 37 /* % */) {
      bytes.push(ch);
      continue;
    }
    const hi = hexValue(raw.charCodeAt(i + 1));
    const lo = hexValue(raw.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) {
      throw new VersError(
        'VERS_INVALID',
        `non-canonical VERS: invalid percent-encoding in version "${raw.slice(0, 80)}"; each % must start %XX with two hex digits`,
        { details: { version: raw.slice(0, 200) } },
      );
    }
    bytes.push(hi * 16 + lo);
    i += 2;
  }
  let decoded: string;
  try {
    decoded = utf8Strict.decode(new Uint8Array(bytes));
  } catch (cause) {
    throw new VersError(
      'VERS_INVALID',
      `invalid VERS: percent-encoded bytes in version "${raw.slice(0, 80)}" are not UTF-8`,
      { cause, details: { version: raw.slice(0, 200) } },
    );
  }
  if (canonical && encodeVersion(decoded) !== raw) throw notCanonical(raw, decoded);
  return decoded;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

function notCanonical(raw: string, decoded: string): VersError {
  const expected = encodeVersion(decoded);
  return new VersError(
    'VERS_NON_CANONICAL',
    `non-canonical VERS: percent-encoding in version is not canonical ("${raw.slice(0, 80)}" should be "${expected.slice(0, 80)}"); encode only > < = ! * | % with upper-case hex`,
    { details: { version: raw.slice(0, 200), expected: expected.slice(0, 200) } },
  );
}
