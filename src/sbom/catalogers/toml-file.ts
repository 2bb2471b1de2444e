import { parse as parseToml } from 'smol-toml';
import { lockfileError } from './lockfile-support.js';

/**
 * Parse a TOML lockfile (uv, poetry, pdm, Cargo), naming the file on failure. Kept apart from
 * lockfile-support so the Go, Java, .NET, PHP and Ruby catalogers do not load the TOML parser.
 */
export function parseTomlFile(text: string, file: string): Record<string, unknown> {
  try {
    return parseToml(text) as Record<string, unknown>;
  } catch (e) {
    const first = ((e as Error)?.message ?? String(e)).split('\n')[0];
    throw lockfileError(file, `not valid TOML: ${first}`, e);
  }
}
