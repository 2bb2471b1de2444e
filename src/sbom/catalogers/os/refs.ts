/**
 * Hands out component refs unique within one catalog result: the purl itself, or the purl plus
 * `|<n>` for the second and later packages with the same purl (a corrupt or merged database).
 */
export function createRefAllocator(): (purl: string) => string {
  const counts = new Map<string, number>();
  return (purl) => {
    const n = (counts.get(purl) ?? 0) + 1;
    counts.set(purl, n);
    return n === 1 ? purl : `${purl}|${n}`;
  };
}

/**
 * Name → ref for resolving dependencies by name: each package's own name first, then the names it
 * provides (the first provider of a name wins, as package managers pick one).
 */
export function indexProviders(
  packages: readonly { name: string; provides: readonly string[] }[],
  refs: readonly string[],
): Map<string, string> {
  const byName = new Map<string, string>();
  for (let i = 0; i < packages.length; i++) byName.set(packages[i]?.name ?? '', refs[i] ?? '');
  for (let i = 0; i < packages.length; i++) {
    for (const name of packages[i]?.provides ?? []) {
      if (!byName.has(name)) byName.set(name, refs[i] ?? '');
    }
  }
  return byName;
}
