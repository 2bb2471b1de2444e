import type { PreparedSbom } from '../inventory/index.js';

/**
 * A PreparedSbom as the prepare worker posts it: JSON text instead of an object graph. Structured
 * cloning ~2,000 index rows and the quality report's per-check component lists cost the main
 * thread about 10 ms an SBOM to deserialize; JSON.parse of the same data takes less than half,
 * and a string crosses threads as one copy. The report's categories (half the bytes, and read
 * by no part of ingest but the caller who asks for the full report) stay text until first read.
 */
export interface PreparedWire {
  json: string;
  categories: string;
}

export function preparedToWire(p: PreparedSbom): PreparedWire {
  const { categories, ...quality } = p.quality;
  return { json: JSON.stringify({ ...p, quality }), categories: JSON.stringify(categories) };
}

export function preparedFromWire(w: PreparedWire): PreparedSbom {
  const p = JSON.parse(w.json) as PreparedSbom;
  let categories: PreparedSbom['quality']['categories'] | undefined;
  Object.defineProperty(p.quality, 'categories', {
    enumerable: true,
    configurable: true,
    get: () => {
      categories ??= JSON.parse(w.categories) as PreparedSbom['quality']['categories'];
      return categories;
    },
    set: (v: PreparedSbom['quality']['categories']) => {
      categories = v;
    },
  });
  return p;
}
