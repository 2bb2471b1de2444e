import { OsvError } from './errors.js';

/** Limits on one OSV record (untrusted input). */
export interface OsvLimits {
  /** Largest record, in bytes (the largest real records, Linux kernel ones, are a few MiB). */
  maxBytes: number;
  /** Deepest nesting of arrays and objects (database_specific included). */
  maxDepth: number;
  /** Longest array anywhere in the record (a `versions` list, `references`, …). */
  maxArrayLength: number;
  /** Longest string anywhere in the record (`details` is the long one). */
  maxStringLength: number;
  /** Longest identifier: id, alias, ecosystem, package name, version, event. */
  maxTokenLength: number;
}

export const DEFAULT_OSV_LIMITS: Readonly<OsvLimits> = {
  maxBytes: 16 * 1024 * 1024,
  maxDepth: 32,
  maxArrayLength: 100_000,
  maxStringLength: 1024 * 1024,
  maxTokenLength: 1024,
};

/**
 * Walk a parsed value once and refuse it when it nests too deep or holds an array or string over
 * the limits. Iterative, so a hostile value cannot overflow the stack.
 * @throws OsvError OSV_RECORD_TOO_DEEP, OSV_RECORD_TOO_LARGE
 */
export function assertOsvLimits(value: unknown, what: string, limits: OsvLimits): void {
  const stack: [unknown, number, string][] = [[value, 1, '']];
  while (stack.length > 0) {
    const [v, depth, pointer] = stack.pop() as [unknown, number, string];
    if (typeof v === 'string') {
      if (v.length > limits.maxStringLength)
        tooLarge(what, pointer, 'string', limits.maxStringLength);
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth > limits.maxDepth) {
      throw new OsvError(
        'OSV_RECORD_TOO_DEEP',
        `${what} nests deeper than ${limits.maxDepth} levels at ${pointer || '/'}; it is not an OSV record Custody accepts`,
        { details: { what, pointer, limit: limits.maxDepth } },
      );
    }
    if (Array.isArray(v)) {
      if (v.length > limits.maxArrayLength) tooLarge(what, pointer, 'array', limits.maxArrayLength);
      for (let i = 0; i < v.length; i++) stack.push([v[i], depth + 1, `${pointer}/${i}`]);
    } else {
      for (const [k, x] of Object.entries(v)) {
        if (k.length > limits.maxStringLength)
          tooLarge(what, pointer, 'key', limits.maxStringLength);
        stack.push([x, depth + 1, `${pointer}/${escapePointer(k)}`]);
      }
    }
  }
}

function tooLarge(what: string, pointer: string, kind: string, limit: number): never {
  throw new OsvError(
    'OSV_RECORD_TOO_LARGE',
    `${what}: the ${kind} at ${pointer || '/'} is longer than ${limit}; split the record or raise the limit`,
    { details: { what, pointer, limit } },
  );
}

/** RFC 6901 escaping of one reference token. */
export function escapePointer(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}
