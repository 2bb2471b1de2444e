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

// JSON.parse recurses natively and throws RangeError on deep input; we refuse earlier, with a code.
function assertDepth(text: string, what: string, maxDepth: number): void {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) {
        throw new CoreError(
          'INPUT_TOO_DEEP',
          `${what} nests deeper than ${maxDepth} levels; it is not a document Custody accepts`,
          { details: { file: what, limit: maxDepth } },
        );
      }
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
}
