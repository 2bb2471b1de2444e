import type { EvidenceCheck } from '../api/index.js';

export function ok(name: string, detail: string): EvidenceCheck {
  return { name, ok: true, detail };
}

/** A failed check: what failed, and what the person reading the report should do. */
export function fail(name: string, detail: string, remedy: string): EvidenceCheck {
  return { name, ok: false, detail, remedy };
}

/** A message from whatever was thrown, for a report line. */
export function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
