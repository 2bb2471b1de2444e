import { compareVersions, versContains } from '../core/vers/index.js';
import type { VexProduct } from '../formats/index.js';
import { VexLifecycleError } from './errors.js';
import { productKey, productScheme, sharedVersions, versionSetOf } from './products.js';
import type { LifecycleStatement } from './statement.js';

/**
 * Throw when two statements on one vulnerability give one product version two statuses: seed
 * 001's edge case 2 ("clearly indicate which versions affected vs fixed"), so affected and fixed
 * (or not affected) versions are never merged into, or overlap across, statements.
 * @throws VexLifecycleError VEX_SCOPE_CONFLICT naming both statuses and a shared version
 */
export function assertNoScopeConflict(statements: readonly LifecycleStatement[]): void {
  for (let i = 0; i < statements.length; i++) {
    for (let j = i + 1; j < statements.length; j++) {
      const a = statements[i] as LifecycleStatement;
      const b = statements[j] as LifecycleStatement;
      if (a.vulnerability !== b.vulnerability || a.status === b.status) continue;
      for (const p of a.products) {
        for (const q of b.products) {
          const shared = sharedVersions(p, q);
          if (shared === undefined) continue;
          throw new VexLifecycleError(
            'VEX_SCOPE_CONFLICT',
            `${productKey(p)} ${shared} would be both ${a.status} and ${b.status} for ${a.vulnerability}: keep affected and fixed versions in separate statements with disjoint versions`,
            {
              details: {
                vulnerability: a.vulnerability,
                product: productKey(p),
                version: shared,
                statuses: [a.status, b.status],
              },
            },
          );
        }
      }
    }
  }
}

/**
 * `products` with `added` merged in: versions of a package listed in an existing list join it
 * (sorted by the ecosystem's order); versions an existing range already holds change nothing;
 * any other product is appended. Subcomponents are united. Same order and content in, same out.
 */
export function mergeProducts(
  products: readonly VexProduct[],
  added: readonly VexProduct[],
): VexProduct[] {
  const out = products.map((p) => ({ ...p }));
  for (const a of added) {
    const base = productKey(a);
    const scheme = productScheme(a);
    const aSet = versionSetOf(a);
    const covered = out.some((p) => {
      if (productKey(p) !== base) return false;
      const set = versionSetOf(p);
      if (set.kind === 'all') return true;
      if (aSet.kind !== 'list') return false;
      return aSet.versions.every((v) =>
        set.kind === 'range'
          ? versContains(set.range, v)
          : set.versions.some((w) => compareVersions(scheme, v, w) === 0),
      );
    });
    const listed = out.findIndex(
      (p) => productKey(p) === base && p.versions !== undefined && 'list' in p.versions,
    );
    if (covered) {
      if (listed >= 0) out[listed] = withSubcomponents(out[listed] as VexProduct, a);
      continue;
    }
    if (listed >= 0 && aSet.kind === 'list') {
      const p = out[listed] as VexProduct;
      const have = (p.versions as { list: readonly string[] }).list;
      const list = [...have, ...aSet.versions.filter((v) => !have.includes(v))].sort((x, y) =>
        compareVersions(scheme, x, y),
      );
      out[listed] = withSubcomponents({ ...p, versions: { list } }, a);
    } else {
      out.push({ ...a });
    }
  }
  return out;
}

function withSubcomponents(p: VexProduct, a: VexProduct): VexProduct {
  const subs = [...(p.subcomponents ?? [])];
  for (const s of a.subcomponents ?? []) if (!subs.includes(s)) subs.push(s);
  return subs.length === 0 ? p : { ...p, subcomponents: subs };
}
