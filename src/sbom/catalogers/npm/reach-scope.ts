import type { Scope } from '../../model.js';
import type { ComponentSet } from './component-set.js';

const RANK: Record<Scope, number> = { required: 3, optional: 2, dev: 1 };
const BY_RANK: readonly Scope[] = ['dev', 'dev', 'optional', 'required'];

/** A project's direct dependency and the scope its manifest gives it. */
export interface ScopedRoot {
  ref: string;
  scope: Scope;
}

/**
 * Scopes for lockfiles that do not record them (yarn, pnpm 9): a package is `required` when a
 * production dependency reaches it through required edges, else `optional` when it is reached
 * through an optional dependency, else `dev` when only development dependencies reach it. An edge
 * in `edgeCaps` (keyed `from\nto`) passes at most its scope (an optional dependency, or a
 * workspace's devDependency). Packages no root reaches keep the scope they had (or none).
 * Linear: a scope only rises, at most twice per node.
 */
export function assignScopesByReach(
  set: ComponentSet,
  roots: readonly ScopedRoot[],
  edgeCaps: ReadonlyMap<string, Scope> = new Map(),
): void {
  const level = new Map<string, number>();
  const work: string[] = [];
  const raise = (ref: string, rank: number): void => {
    if ((level.get(ref) ?? 0) >= rank || !set.has(ref)) return;
    level.set(ref, rank);
    work.push(ref);
  };
  for (const r of roots) raise(r.ref, RANK[r.scope]);
  while (work.length > 0) {
    const ref = work.pop() as string;
    const rank = level.get(ref) ?? 0;
    for (const to of set.edgesOf(ref) ?? []) {
      const cap = edgeCaps.size > 0 ? edgeCaps.get(`${ref}\n${to}`) : undefined;
      raise(to, cap ? Math.min(rank, RANK[cap]) : rank);
    }
  }
  for (const [ref, rank] of level) set.setScope(ref, BY_RANK[rank] ?? 'dev');
}
