// The one way the page talks to the service: same origin, the session's token as a bearer, and
// every failure turned into an ApiError carrying the service's own code and message.
import { clearToken, readToken } from './session.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Called when the service says the token is no good, so the app can show the login page. */
let onUnauthorized: () => void = () => {};
export function whenUnauthorized(f: () => void): void {
  onUnauthorized = f;
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  const token = readToken();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (e) {
    throw new ApiError(0, 'NETWORK', `The service did not answer (${(e as Error).message})`);
  }
  if (res.ok) return res;
  let code = `HTTP_${res.status}`;
  let message = res.statusText || 'The service refused the request';
  try {
    const j = (await res.json()) as { error?: { code?: string; message?: string } };
    code = j.error?.code ?? code;
    message = j.error?.message ?? message;
  } catch {
    // not JSON: keep the status line
  }
  if (res.status === 401) {
    clearToken();
    onUnauthorized();
  }
  throw new ApiError(res.status, code, message);
}

export async function get<T>(path: string): Promise<T> {
  return (await (await send('GET', path)).json()) as T;
}

export async function post<T>(path: string, body?: unknown): Promise<T> {
  const res = await send('POST', path, body ?? {});
  const text = await res.text();
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

/** Bytes of a download (evidence tar), with the file name the service suggests. */
export async function download(path: string): Promise<{ blob: Blob; name: string | null }> {
  const res = await send('GET', path);
  const cd = res.headers.get('content-disposition') ?? '';
  const m = /filename="?([^";]+)"?/.exec(cd);
  return { blob: await res.blob(), name: m?.[1] ?? null };
}

/** `path?k=v…` without the empty values. */
export function withQuery(path: string, q: Record<string, string | number | null | undefined>) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q))
    if (v !== null && v !== undefined && v !== '') p.set(k, String(v));
  const s = p.toString();
  return s === '' ? path : `${path}?${s}`;
}
