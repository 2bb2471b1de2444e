/**
 * Answers to recent searches, valid until the next write. The inventory only changes through
 * writes, and every write adds an audit event in its own transaction, so the newest audit event id
 * is a generation number that any replica can read in one indexed lookup: an entry made under an
 * older generation is never served. After a new CVE the same few questions are asked many times
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
