import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Repository root (tests run from anywhere). */
export const REPO_ROOT = resolve(new URL('../..', import.meta.url).pathname);

/** The shared third-party conformance data, read in place (never copied into the repo). */
export const CONFORMANCE = resolve(REPO_ROOT, '../shared/conformance');

export function conformancePath(...parts: string[]): string {
  return join(CONFORMANCE, ...parts);
}

export function readConformance(...parts: string[]): Uint8Array {
  return readFileSync(conformancePath(...parts));
}

export function listConformance(...parts: string[]): string[] {
  return readdirSync(conformancePath(...parts)).sort();
}
