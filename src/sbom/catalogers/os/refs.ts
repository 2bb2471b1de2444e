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
