import autocannon from 'autocannon';
import type { QueryStats } from './_autocannon.js';

export interface ReviewLoad {
  /** Where reviews go: `http://127.0.0.1:port/admission/validate`. */
  url: string;
  connections: number;
  durationS: number;
  /** AdmissionReview bodies, each connection cycling through them (offset per connection). */
  bodies: readonly string[];
  /** Request headers (default: JSON content type only). */
  headers?: Record<string, string>;
  /** Whether an answer body is the one expected (every warm answer allowed, say). */
  verify: (body: string) => boolean;
}

export interface ReviewStats extends QueryStats {
  /** 2xx answers whose body `verify` refused. */
  wrongAnswers: number;
}

/**
 * POST `bodies` with autocannon, closed loop, as bench/_autocannon.ts GETs paths: every response
 * time is kept (autocannon has no p95) and every answer body is read and checked, so a service
 * that answers fast but wrongly does not win.
 */
export async function measureReviews(load: ReviewLoad): Promise<ReviewStats> {
  const u = new URL(load.url);
  const times: number[] = [];
  let next = 0;
  let wrong = 0;
  let instance: autocannon.Instance | undefined;
  const done = new Promise<autocannon.Result>((res, rej) => {
    instance = autocannon(
      {
        url: `${u.protocol}//${u.host}`,
        connections: load.connections,
        duration: load.durationS,
        method: 'POST',
        headers: load.headers ?? { 'content-type': 'application/json' },
        setupClient: (client) => {
          const start = next++ % load.bodies.length;
          const rotated = [...load.bodies.slice(start), ...load.bodies.slice(0, start)];
          client.setRequests(
            rotated.map((body) => ({
              method: 'POST',
              path: `${u.pathname}${u.search}`,
              body,
              ...(load.headers !== undefined ? { headers: load.headers } : {}),
            })),
          );
        },
        requests: [{ method: 'POST', path: `${u.pathname}${u.search}`, body: load.bodies[0] }],
        verifyBody: (body) => {
          const ok = load.verify(String(body ?? ''));
          if (!ok) wrong++;
          // Counted here rather than as autocannon's mismatches, which would stop the run.
          return true;
        },
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
    wrongAnswers: wrong,
  };
}
