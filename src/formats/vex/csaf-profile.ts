/**
 * CSAF 2.0 rules beyond the schema (OASIS CSAF 2.0, section 6.1), for a schema-valid document:
 * the product-id tests every CSAF document must pass (6.1.1, 6.1.2), and for category
 * `csaf_vex` the VEX profile (section 4.5) and its mandatory tests 6.1.27.x.
 */
import type { SchemaError } from '../validate.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');

/** The four product statuses the VEX profile requires one of (6.1.27.7). */
const VEX_PROFILE_STATUSES = [
  'fixed',
  'known_affected',
  'known_not_affected',
  'under_investigation',
];

export function checkCsafProfile(doc: Json): SchemaError[] {
  const out: SchemaError[] = [];
  const fail = (pointer: string, rule: string, message: string) =>
    out.push({ pointer, keyword: 'csaf-vex-profile', message: `${rule}: ${message}` });
  const tree = isObj(doc['product_tree']) ? doc['product_tree'] : undefined;
  const defined = definedProductIds(tree, fail);
  const groups = new Map<string, string[]>();
  arr(tree?.['product_groups']).forEach((g) => {
    if (isObj(g) && typeof g['group_id'] === 'string')
      groups.set(g['group_id'], strs(g['product_ids']));
  });
  const checkRefs = (ids: string[], pointer: string) =>
    ids.forEach((id, k) => {
      if (!defined.has(id))
        fail(
          `${pointer}/${k}`,
          '6.1.1 missing definition of product id',
          `${id} is not defined in the product tree`,
        );
    });
  arr(tree?.['relationships']).forEach((r, i) => {
    if (!isObj(r)) return;
    for (const m of ['product_reference', 'relates_to_product_reference']) {
      const id = r[m];
      if (typeof id === 'string' && !defined.has(id))
        fail(
          `/product_tree/relationships/${i}/${m}`,
          '6.1.1 missing definition of product id',
          `${id} is not defined in the product tree`,
        );
    }
  });
  arr(tree?.['product_groups']).forEach((g, i) => {
    if (isObj(g))
      checkRefs(strs(g['product_ids']), `/product_tree/product_groups/${i}/product_ids`);
  });
  const vex = isObj(doc['document']) && doc['document']['category'] === 'csaf_vex';
  if (vex && tree === undefined)
    fail('', '6.1.27.4 product tree', 'a csaf_vex document needs /product_tree');
  if (vex && doc['vulnerabilities'] === undefined)
    fail('', '6.1.27.11 vulnerabilities', 'a csaf_vex document needs /vulnerabilities');
  arr(doc['vulnerabilities']).forEach((v, i) => {
    if (!isObj(v)) return;
    const at = `/vulnerabilities/${i}`;
    const ps = isObj(v['product_status']) ? v['product_status'] : {};
    for (const [k, ids] of Object.entries(ps)) checkRefs(strs(ids), `${at}/product_status/${k}`);
    for (const m of ['flags', 'threats', 'remediations', 'scores']) {
      arr(v[m]).forEach((x, j) => {
        if (isObj(x))
          checkRefs(
            strs(x[m === 'scores' ? 'products' : 'product_ids']),
            `${at}/${m}/${j}/${m === 'scores' ? 'products' : 'product_ids'}`,
          );
      });
    }
    if (!vex) return;
    if (!VEX_PROFILE_STATUSES.some((k) => strs(ps[k]).length > 0))
      fail(
        `${at}/product_status`,
        '6.1.27.7 VEX product status',
        'needs fixed, known_affected, known_not_affected or under_investigation',
      );
    if (v['cve'] === undefined && v['ids'] === undefined)
      fail(at, '6.1.27.8 vulnerability id', 'needs cve or ids');
    if (v['notes'] === undefined) fail(at, '6.1.27.5 vulnerability notes', 'needs notes');
    const covered = (member: string, ok: (x: Json) => boolean) => {
      const ids = new Set<string>();
      for (const x of arr(v[member])) {
        if (!isObj(x) || !ok(x)) continue;
        for (const id of strs(x['product_ids'])) ids.add(id);
        for (const g of strs(x['group_ids'])) for (const id of groups.get(g) ?? []) ids.add(id);
      }
      return ids;
    };
    const explained = new Set([
      ...covered('flags', () => true),
      ...covered('threats', (t) => t['category'] === 'impact'),
    ]);
    strs(ps['known_not_affected']).forEach((id, k) => {
      if (!explained.has(id))
        fail(
          `${at}/product_status/known_not_affected/${k}`,
          '6.1.27.9 impact statement',
          `${id} is known_not_affected without a flag or an impact threat`,
        );
    });
    const remedied = covered('remediations', () => true);
    strs(ps['known_affected']).forEach((id, k) => {
      if (!remedied.has(id))
        fail(
          `${at}/product_status/known_affected/${k}`,
          '6.1.27.10 action statement',
          `${id} is known_affected without a remediation`,
        );
    });
  });
  return out;
}

/** Product ids the tree defines (branches, full product names, relationships), reporting duplicates (6.1.2). */
function definedProductIds(
  tree: Json | undefined,
  fail: (pointer: string, rule: string, message: string) => void,
): Set<string> {
  const ids = new Set<string>();
  const define = (fpn: unknown, pointer: string) => {
    if (!isObj(fpn) || typeof fpn['product_id'] !== 'string') return;
    const id = fpn['product_id'];
    if (ids.has(id))
      fail(
        `${pointer}/product_id`,
        '6.1.2 multiple definition of product id',
        `${id} is defined more than once`,
      );
    ids.add(id);
  };
  const walk = (branches: unknown, pointer: string) =>
    arr(branches).forEach((b, i) => {
      if (!isObj(b)) return;
      define(b['product'], `${pointer}/${i}/product`);
      walk(b['branches'], `${pointer}/${i}/branches`);
    });
  walk(tree?.['branches'], '/product_tree/branches');
  arr(tree?.['full_product_names']).forEach((f, i) => {
    define(f, `/product_tree/full_product_names/${i}`);
  });
  arr(tree?.['relationships']).forEach((r, i) => {
    if (isObj(r))
      define(r['full_product_name'], `/product_tree/relationships/${i}/full_product_name`);
  });
  return ids;
}
