import { readFileSync, statSync } from 'node:fs';
import type { OciSettings } from '../config/index.js';
import { parseDockerConfig, type RegistryCredential } from './auth.js';
import { OciError } from './errors.js';

const CONFIG_MAX_BYTES = 1024 * 1024;

/**
 * The registry credentials CUSTODY_OCI_AUTH names (a docker-style config.json, a path or inline).
 * @throws OciError OCI_CREDENTIALS_INVALID
 */
export function loadRegistryCredentials(
  auth: OciSettings['auth'],
): Map<string, RegistryCredential> {
  if (auth === undefined) return new Map();
  if (auth.kind === 'inline') return parseDockerConfig(auth.json, 'CUSTODY_OCI_AUTH');
  let text: string;
  try {
    if (statSync(auth.path).size > CONFIG_MAX_BYTES) throw new Error('over 1 MiB');
    text = readFileSync(auth.path, 'utf8');
  } catch (e) {
    throw new OciError(
      'OCI_CREDENTIALS_INVALID',
      `Registry credentials: ${auth.path} cannot be read (${(e as Error).message}); CUSTODY_OCI_AUTH names a docker-style config.json.`,
      { cause: e },
    );
  }
  return parseDockerConfig(text, auth.path);
}
