import { InventoryError } from '../../inventory/index.js';

// Query-string parsing shared by the dashboard's listings: limits and opaque cursors.

export function invalid(message: string, field: string): InventoryError {
  return new InventoryError('INVENTORY_QUERY_INVALID', message, { details: { field } });
}

/**
 * A page size within 1–max (default `dflt`).
 * @throws InventoryError INVENTORY_QUERY_INVALID
 */
export function limitOf(v: string | undefined, dflt: number, max: number): number {
  if (v === undefined || v === '') return dflt;
  if (!/^\d{1,4}$/.test(v) || Number(v) < 1 || Number(v) > max)
    throw invalid(`limit must be a whole number from 1 to ${max}`, 'limit');
  return Number(v);
}

/** A cursor is the last row's key as base64url JSON: opaque to the page, checked here. */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/**
 * @throws InventoryError INVENTORY_QUERY_INVALID when the cursor is not one this API gave out
 */
export function decodeCursor<T extends readonly ('string' | 'number')[]>(
  v: string | undefined,
  shape: T,
): { [K in keyof T]: T[K] extends 'string' ? string : number } | undefined {
  if (v === undefined || v === '') return undefined;
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(v, 'base64url').toString('utf8'));
  } catch {
    key = undefined;
  }
  const ok =
    Array.isArray(key) &&
    key.length === shape.length &&
    key.every((k, i) =>
      shape[i] === 'number' ? Number.isSafeInteger(k) : typeof k === 'string' && k.length <= 400,
    );
  if (!ok)
    throw invalid('cursor is not one this listing gave; pass nextCursor as it came', 'cursor');
  return key as { [K in keyof T]: T[K] extends 'string' ? string : number };
}

/** 0–1 with three decimals; 0 when there is nothing to divide. */
export function ratio(a: number, b: number): number {
  return b === 0 ? 0 : Math.round((a / b) * 1000) / 1000;
}

export type Severities = { critical: number; high: number; medium: number; low: number };

export const noFindings = (): Severities => ({ critical: 0, high: 0, medium: 0, low: 0 });

/** Add a count under its rating; ratings other than the four (none, unknown) are not shown. */
export function addSeverity(to: Severities, rating: string, n: number): void {
  if (rating === 'critical' || rating === 'high' || rating === 'medium' || rating === 'low')
    to[rating] += n;
}
