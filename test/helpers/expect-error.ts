import assert from 'node:assert/strict';
import type { CustodyError } from '../../src/core/errors.js';

type ErrorClass = abstract new (...args: never[]) => CustodyError;

/** Assert that `fn` throws an instance of `cls` with `code` (and return it for more checks). */
export function expectCustodyError(
  fn: () => unknown,
  cls: ErrorClass,
  code?: string,
): CustodyError {
  try {
    fn();
  } catch (e) {
    assert.ok(
      e instanceof cls,
      `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
    );
    if (code !== undefined) assert.equal((e as CustodyError).code, code, (e as Error).message);
    return e as CustodyError;
  }
  assert.fail(`expected ${cls.name}${code ? ` ${code}` : ''} to be thrown`);
}

/** The async form of expectCustodyError. */
export async function expectCustodyErrorAsync(
  fn: () => Promise<unknown>,
  cls: ErrorClass,
  code?: string,
): Promise<CustodyError> {
  try {
    await fn();
  } catch (e) {
    assert.ok(
      e instanceof cls,
      `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
    );
    if (code !== undefined) assert.equal((e as CustodyError).code, code, (e as Error).message);
    return e as CustodyError;
  }
  assert.fail(`expected ${cls.name}${code ? ` ${code}` : ''} to be thrown`);
}
