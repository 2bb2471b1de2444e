import { isCustodyError } from '../../../core/index.js';
import { SbomError } from '../../errors.js';

/** A SBOM_LOCKFILE_PARSE error naming the file and what is wrong with it. */
export function lockfileError(path: string, problem: string, cause?: unknown): SbomError {
  return new SbomError('SBOM_LOCKFILE_PARSE', `${path}: ${problem}`, {
    cause,
    details: { file: path },
  });
}

/**
 * Run a lockfile reader so that whatever it meets surfaces as SBOM_LOCKFILE_PARSE. The readers
 * guard every field they touch; this is the safety net for what the guards miss (a stack overflow
 * on a pathological document, a size limit from the JSON reader), because a lockfile is untrusted
 * input and must never escape as a TypeError.
 *
 * @throws SbomError SBOM_LOCKFILE_PARSE
 */
export function guardLockfile<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (e) {
    if (e instanceof SbomError) throw e;
    const why = isCustodyError(e) ? e.message : `unexpected content (${(e as Error)?.message})`;
    throw lockfileError(path, why, e);
  }
}
