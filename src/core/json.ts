import { CoreError } from './errors.js';

export interface JsonLimits {
  /** Largest accepted input, in bytes. */
  maxBytes?: number;
  /** Deepest accepted nesting of arrays and objects. */
  maxDepth?: number;
}

export const DEFAULT_JSON_LIMITS: Required<JsonLimits> = {
  maxBytes: 512 * 1024 * 1024,
  maxDepth: 256,
};

/**
 * Parse untrusted JSON bytes within size and depth limits. `what` names the input in errors
 * (a file path or "request body").
 *
 * @throws CoreError INPUT_TOO_LARGE, INPUT_TOO_DEEP, JSON_PARSE
 */
export function parseJson(
  input: Uint8Array | string,
  what: string,
  limits: JsonLimits = {},
): unknown {
  const maxBytes = limits.maxBytes ?? DEFAULT_JSON_LIMITS.maxBytes;
  const maxDepth = limits.maxDepth ?? DEFAULT_JSON_LIMITS.maxDepth;
  const size = typeof input === 'string' ? Buffer.byteLength(input) : input.byteLength;
  if (size > maxBytes) {
    throw new CoreError(
      'INPUT_TOO_LARGE',
      `${what} is ${size} bytes, over the limit of ${maxBytes}; split it or raise the limit`,
      { details: { file: what, size, limit: maxBytes } },
    );
  }
  const text = typeof input === 'string' ? input : decodeUtf8(input);
  assertDepth(text, what, maxDepth);
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new CoreError('JSON_PARSE', `${what} is not valid JSON: ${(cause as Error).message}`, {
      cause,
      details: { file: what },
    });
  }
}

/** UTF-8 decode, dropping a leading byte-order mark (some Windows tools write one). */
export function decodeUtf8(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

// Refused before parsing, with a code, so that no recursive walker downstream meets a document
// deeper than the limit. Only brackets and string boundaries matter: a native regex finds the next
// one and indexOf skips whole strings, which is several times faster than a per-character loop.
const STRUCTURAL = /["[\]{}]/g;

function assertDepth(text: string, what: string, maxDepth: number): void {
  let depth = 0;
  STRUCTURAL.lastIndex = 0;
  for (let m = STRUCTURAL.exec(text); m !== null; m = STRUCTURAL.exec(text)) {
    const c = text.charCodeAt(m.index);
    if (c === 0x22) {
      STRUCTURAL.lastIndex = stringEnd(text, m.index + 1);
    } else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) {
        throw new CoreError(
          'INPUT_TOO_DEEP',
          `${what} nests deeper than ${maxDepth} levels; it is not a document Custody accepts`,
          { details: { file: what, limit: maxDepth } },
        );
      }
    } else depth--;
  }
}

// Index just past the quote that closes the string opened before `from` (text.length if none).
function stringEnd(text: string, from: number): number {
  let q = text.indexOf('"', from);
  while (q !== -1) {
    let backslashes = 0;
    for (let k = q - 1; k >= from && text.charCodeAt(k) === 0x5c; k--) backslashes++;
    if (backslashes % 2 === 0) return q + 1;
    q = text.indexOf('"', q + 1);
  }
  return text.length;
}
