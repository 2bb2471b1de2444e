import { createRequire } from 'node:module';
import { SbomError } from '../../sbom/index.js';

// The yaml package takes ~30 ms to load and only SPDX YAML needs it here: it loads on first use
// (through require, as the readers are synchronous), so importing formats/ stays cheap.
const requireOnUse = createRequire(import.meta.url);
let yaml: typeof import('yaml') | undefined;

/**
 * Read SPDX YAML (untrusted): the same structure as SPDX JSON, in YAML 1.2. Aliases are capped
 * by the yaml package's defaults (no billion-laughs expansion).
 *
 * @throws SbomError SBOM_PARSE when it is not YAML or not a mapping at the top
 */
export function parseSpdxYaml(text: string, what: string): Record<string, unknown> {
  let data: unknown;
  try {
    yaml ??= requireOnUse('yaml') as typeof import('yaml');
    data = yaml.parse(text, { maxAliasCount: 100, prettyErrors: false });
  } catch (cause) {
    throw new SbomError('SBOM_PARSE', `${what} is not valid YAML: ${(cause as Error).message}`, {
      cause,
      details: { file: what },
    });
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new SbomError('SBOM_PARSE', `${what} is YAML but not a mapping of SPDX fields`, {
      details: { file: what },
    });
  }
  return data as Record<string, unknown>;
}
