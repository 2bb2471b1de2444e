/**
 * Token buckets per client: `rate` requests a second on average, bursts up to `burst`. Buckets
 * of clients that stay quiet are dropped, so the map holds only recent clients.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private lastSweep = 0;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Take one token for `client`; returns 0 when allowed, else the seconds to wait. */
  take(client: string): number {
    const t = this.now();
    this.sweep(t);
    let b = this.buckets.get(client);
    if (b === undefined) {
      b = { tokens: this.burst, at: t };
      this.buckets.set(client, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.rate);
    b.at = t;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.rate));
  }

  private sweep(t: number): void {
    if (t - this.lastSweep < 60_000) return;
    this.lastSweep = t;
    const full = (this.burst / this.rate) * 1000;
    for (const [k, b] of this.buckets) if (t - b.at > full) this.buckets.delete(k);
  }
}
