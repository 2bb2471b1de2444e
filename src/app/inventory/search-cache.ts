/**
 * Answers to recent searches, valid until the next write. The inventory only changes through
 * writes, and every write increments the write generation (store/generation.ts) in its own
 * transaction, so it moves when the write commits; any replica reads it in one lookup, and an
 * entry made under another generation is never served. After a new CVE the same few questions are asked many times
 * over; this makes the repeats cost one lookup instead of a search.
 */
export class SearchCache<V> {
  private readonly entries = new Map<string, { generation: number; value: V }>();

  constructor(readonly capacity: number) {}

  get(key: string, generation: number): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    this.entries.delete(key);
    if (e.generation !== generation) return undefined;
    this.entries.set(key, e);
    return e.value;
  }

  set(key: string, generation: number, value: V): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    if (this.entries.size >= this.capacity) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, { generation, value });
  }
}
