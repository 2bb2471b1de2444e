/** A Map bounded by entries that forgets the least recently used first (get and set both use). */
export class Lru<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}

  get(k: K): V | undefined {
    const v = this.map.get(k);
    if (v !== undefined) {
      this.map.delete(k);
      this.map.set(k, v);
    }
    return v;
  }

  /** Read without making it recent (for stats and the refresh job). */
  peek(k: K): V | undefined {
    return this.map.get(k);
  }

  set(k: K, v: V): void {
    this.map.delete(k);
    this.map.set(k, v);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }

  delete(k: K): void {
    this.map.delete(k);
  }

  get size(): number {
    return this.map.size;
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.map.entries();
  }

  clear(): void {
    this.map.clear();
  }
}

/**
 * Concurrent calls for one key share one promise (single-flight): fifty pods of one image start
 * one verification, not fifty.
 */
export class SingleFlight<V> {
  private readonly inFlight = new Map<string, Promise<V>>();
  /** Calls that joined a flight already under way. */
  joined = 0;

  run(key: string, f: () => Promise<V>): Promise<V> {
    const running = this.inFlight.get(key);
    if (running !== undefined) {
      this.joined++;
      return running;
    }
    const p = f().finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, p);
    return p;
  }
}
