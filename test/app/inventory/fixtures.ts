import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Caller, Role } from '../../../src/access/index.js';
import { generateSbom, type OutputFormat } from '../../../src/app/generate-sbom.js';
import type { Services } from '../../../src/app/services.js';
import { CLI_CALLER, createToken, TokenAuthenticator } from '../../../src/app/tokens.js';
import { conformancePath, REPO_ROOT } from '../../helpers/conformance.js';

/** Shared inputs of the inventory use-case tests: real SBOMs and callers. */

// Reproducible bytes (so a second push is byte-identical), but recent, so freshness checks pass.
const EPOCH = String(Math.floor(Date.now() / 1000) - 3600);

const generated = new Map<string, Promise<Uint8Array>>();

/** demo-app (1.0.0) or demo-app-1.1 (1.1.0), generated once per process and format. */
export function demoSbom(
  which: 'demo-app' | 'demo-app-1.1',
  format: OutputFormat = 'cyclonedx-json',
): Promise<Uint8Array> {
  const key = `${which}:${format}`;
  let p = generated.get(key);
  if (!p) {
    p = generateSbom(join(REPO_ROOT, 'examples', which), {
      format,
      env: { SOURCE_DATE_EPOCH: EPOCH },
    }).then((g) => new TextEncoder().encode(g.text));
    generated.set(key, p);
  }
  return p;
}

export const SAMPLES = 'sbom-samples/cyclonedx-bom-examples/SBOM';

/** A file of the shared conformance data, as bytes. */
export function sample(...parts: string[]): Uint8Array {
  return readFileSync(conformancePath(...parts));
}

export function caller(role: Role, teams?: string[], name: string = role): Caller {
  return {
    principal: { actor: `token:0:${name}`, person: name, role, teams },
    source: '192.0.2.1',
  };
}

/** The same document with a JSON edit: new bytes, same content otherwise. */
export function edited(
  bytes: Uint8Array,
  edit: (doc: Record<string, unknown>) => void,
): Uint8Array {
  const doc = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  edit(doc);
  return new TextEncoder().encode(JSON.stringify(doc, null, 2));
}

/**
 * A caller holding a real token in `s` (admin use cases re-read the caller's token inside their
 * transaction, so `caller()`'s made-up token does not pass them).
 */
export async function tokenCaller(
  s: Services,
  role: Role,
  teams?: string[],
  person: string = role,
): Promise<Caller> {
  const t = await createToken(s, CLI_CALLER, { role, person, ...(teams ? { teams } : {}) });
  return { principal: await new TokenAuthenticator(s).authenticate(t.token), source: '192.0.2.1' };
}
