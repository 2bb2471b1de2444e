import autocannon from 'autocannon';

export interface QueryStats {
  requests: number;
  requestsPerS: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Responses other than 2xx, plus connection errors (time-outs included). */
  errors: number;
  /** What the errors were: `503: 2, timeout: 1`, empty when there were none. */
  errorKinds: string;
}

export interface QueryLoad {
  base: string;
  token: string;
  connections: number;
  durationS: number;
  /** Request paths, each connection cycling through them (offset per connection). */
  paths: readonly string[];
  /** Offered load in requests/s over all connections; undefined: as fast as answers come. */
  rate?: number;
  /** Send Cache-Control: no-cache, so the service searches its index for every request. */
  noCache?: boolean;
}

/**
 * GET `paths` with autocannon for `durationS` seconds over `connections` keep-alive connections.
 * autocannon reports p97.5 and p99 but not p95, so every response time is kept (from its
 * `response` event) and the percentiles are computed from those.
 */
export async function measureQueries(load: QueryLoad): Promise<QueryStats> {
  const times: number[] = [];
  let next = 0;
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((res, rej) => {
    instance = autocannon(
      {
        url: load.base,
        connections: load.connections,
        duration: load.durationS,
        headers: {
          authorization: `Bearer ${load.token}`,
          ...(load.noCache ? { 'cache-control': 'no-cache' } : {}),
        },
        ...(load.rate ? { overallRate: load.rate } : {}),
        // Every connection starts elsewhere in the list, so all paths are in flight at once rather
        // than fifty connections asking for the same purl in step.
        setupClient: (client) => {
          const start = next++ % load.paths.length;
          const rotated = [...load.paths.slice(start), ...load.paths.slice(0, start)];
          client.setRequests(rotated.map((path) => ({ method: 'GET', path })));
        },
        requests: [{ method: 'GET', path: load.paths[0] ?? '/' }],
      },
      (err, result) => (err ? rej(err) : res(result)),
    );
  });
  const kinds = new Map<string, number>();
  const count = (k: string) => kinds.set(k, (kinds.get(k) ?? 0) + 1);
  instance?.on('response', (_client, status, _bytes, responseTime) => {
    times.push(responseTime);
    if (status < 200 || status > 299) count(String(status));
  });
  instance?.on('reqError', (err: { code?: string; message?: string }) => {
    count(err?.code ?? err?.message ?? 'error');
  });
  const result = await done;
  const sorted = Float64Array.from(times).sort();
  const pct = (p: number) =>
    sorted.length === 0
      ? Number.NaN
      : (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number);
  return {
    requests: result.requests.total,
    requestsPerS: result.requests.total / (result.duration || load.durationS),
    p50Ms: pct(50),
    p95Ms: pct(95),
    p99Ms: pct(99),
    errors: result.non2xx + result.errors,
    errorKinds: [...kinds].map(([k, n]) => `${k}: ${n}`).join(', '),
  };
}
