/**
 * Reading a registry's answers: bodies under a cap, statuses with the registry's error message,
 * RFC 8288 next links, digests.
 */
import { createHash } from 'node:crypto';
import { CustodyError } from '../core/index.js';
import { OciError } from './errors.js';

/** A repository in a registry: where manifests and blobs live. */
export interface Repository {
  registry: string;
  repository: string;
}

const ERROR_BODY_MAX = 64 * 1024;

/** sha256:<hex> of bytes. */
export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/**
 * The body, refused past `max` bytes: first by Content-Length, then while reading (a registry
 * may lie about the length or send none).
 * @throws OciError OCI_RESPONSE_TOO_LARGE
 */
export async function readCapped(r: Response, max: number, what: string): Promise<Uint8Array> {
  const tooLarge = () =>
    new OciError('OCI_RESPONSE_TOO_LARGE', `${what} is over the ${max}-byte cap Custody reads.`, {
      details: { max },
    });
  const length = Number(r.headers.get('content-length'));
  if (Number.isFinite(length) && length > max) {
    await drain(r);
    throw tooLarge();
  }
  if (r.body === null) return new Uint8Array();
  const reader = r.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    let next: Awaited<ReturnType<typeof reader.read>>;
    try {
      next = await reader.read();
    } catch (e) {
      throw new OciError(
        'OCI_REGISTRY_UNAVAILABLE',
        `${what} was cut off: ${(e as Error).message}`,
        { cause: e },
      );
    }
    if (next.done) break;
    total += next.value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      throw tooLarge();
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks, total);
}

export async function expectStatus(
  r: Response,
  ok: number[],
  repo: Repository,
  what: string,
): Promise<void> {
  if (ok.includes(r.status)) return;
  let detail = '';
  try {
    const body = await readCapped(r, ERROR_BODY_MAX, 'the error body');
    const doc = JSON.parse(new TextDecoder().decode(body)) as {
      errors?: Array<{ code?: string; message?: string }>;
    };
    const e = doc.errors?.[0];
    if (e !== undefined)
      detail = `: ${String(e.code ?? '')} ${String(e.message ?? '')}`.slice(0, 300);
  } catch (e) {
    if (e instanceof CustodyError && e.code === 'OCI_REGISTRY_UNAVAILABLE') throw e;
  }
  throw new OciError(
    'OCI_REGISTRY_UNAVAILABLE',
    `${where(repo)} answered ${what} with HTTP ${r.status}${detail}.`,
    {
      details: { ...repo, status: r.status },
    },
  );
}

export async function drain(r: Response): Promise<void> {
  await r.body?.cancel().catch(() => {});
}

/** RFC 8288 `Link: <url>; rel="next"`, on the same origin only. */
export function nextLink(header: string | null, base: URL): URL | undefined {
  if (header === null) return undefined;
  const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(header);
  if (m === null) return undefined;
  const next = new URL(m[1] as string, base);
  if (next.origin !== base.origin)
    throw new OciError(
      'OCI_REDIRECT_FORBIDDEN',
      `The referrers list continues on ${next.origin}, not the registry.`,
    );
  return next;
}

export function where(repo: Repository): string {
  return `${repo.registry}/${repo.repository}`;
}
