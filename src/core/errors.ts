/**
 * The one error type users can cause. Codes are public API (`DOMAIN_REASON`): never renamed or
 * reused. Messages are for people and say what to do; `details` carries evidence (paths, pointers,
 * expected vs found) for machines.
 */
export class CustodyError<C extends string = string> extends Error {
  readonly code: C;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: C,
    message: string,
    opts: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = opts.details;
  }

  toJSON(): { code: C; message: string; details?: Readonly<Record<string, unknown>> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export type CoreErrorCode =
  | 'INPUT_TOO_LARGE'
  | 'INPUT_TOO_DEEP'
  | 'JSON_PARSE'
  | 'PURL_INVALID'
  | 'FILE_NOT_FOUND'
  | 'FILE_UNREADABLE'
  | 'USAGE';

export class CoreError extends CustodyError<CoreErrorCode> {}

/** True when `e` is a CustodyError (optionally with one of `codes`). */
export function isCustodyError(e: unknown, ...codes: string[]): e is CustodyError {
  return e instanceof CustodyError && (codes.length === 0 || codes.includes(e.code));
}
