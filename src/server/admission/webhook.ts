import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  type AdmissionFace,
  certificateFingerprint,
  type ReviewCallOptions,
} from '../../app/admission/face.js';
import { CustodyError } from '../../core/index.js';
import { RateLimiter } from '../rate-limit.js';

/**
 * Largest review body taken. The API server sends the object and, on UPDATE, the old object: each
 * at most what etcd stores (1.5 MiB by default, 3 MiB requests), so two of them and the envelope
 * fit in 8 MiB.
 */
export const ADMISSION_MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface AdmissionWebhookOptions {
  face: AdmissionFace;
  /** Default ADMISSION_MAX_BODY_BYTES. */
  maxBodyBytes?: number;
  /**
   * Reviews a second an unidentified caller may send, per address (burst twice that); 0: no
   * limit. Default 50. Identified clusters are never limited: their API servers send what their
   * workloads need, while an unknown caller's reviews are only decided and stored, and must not
   * be able to fill the decision records.
   */
  unidentifiedRatePerS?: number;
}

type Who = Awaited<ReturnType<AdmissionFace['identify']>>;
type Timeout = Pick<ReviewCallOptions, 'timeoutMs'>;

const ROUTES = [
  {
    path: '/validate',
    summary:
      'Kubernetes validating admission webhook: an AdmissionReview (admission.k8s.io/v1 or v1beta1) in, the decision out',
    call: (f: AdmissionFace, body: unknown, who: Who, t: Timeout) =>
      f.review(body, who, { mutate: false, ...t }),
  },
  {
    path: '/mutate',
    summary:
      'Kubernetes mutating admission webhook: as /admission/validate, and a JSONPatch pinning each admitted image tag to its digest',
    call: (f: AdmissionFace, body: unknown, who: Who, t: Timeout) =>
      f.review(body, who, { mutate: true, ...t }),
  },
  {
    path: '/imagereview',
    summary:
      'Kubernetes ImagePolicyWebhook backend: an ImageReview (imagepolicy.k8s.io/v1alpha1) in, its status filled',
    call: (f: AdmissionFace, body: unknown, who: Who, _t: Timeout) => f.imageReview(body, who),
  },
] as const;

/**
 * The admission webhook under /admission, as an encapsulated plugin: no API token check (the
 * routes are public; the caller is identified by its client certificate or its bearer token, and
 * an unidentified one is still answered), and its own answer to an oversized body.
 */
export async function registerAdmissionWebhook(
  app: FastifyInstance,
  o: AdmissionWebhookOptions,
): Promise<void> {
  const bodyLimit = o.maxBodyBytes ?? ADMISSION_MAX_BODY_BYTES;
  const rate = o.unidentifiedRatePerS ?? 50;
  const limiter = rate > 0 ? new RateLimiter(rate, Math.max(1, rate * 2)) : undefined;
  await app.register(
    async (webhook) => {
      // Thrown on to the service's own handler, which answers every CustodyError in the coded form.
      webhook.setErrorHandler(async (err: Error & { code?: string }) => {
        if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
          throw new CustodyError(
            'ADMISSION_REVIEW_TOO_LARGE',
            `The review is over ${Math.floor(bodyLimit / 1024)} KiB, more than any Kubernetes object and its old version take`,
            { details: { limit: bodyLimit } },
          );
        throw err;
      });
      // Kubernetes sends JSON; a text body would only reach the parser to be refused there.
      webhook.removeContentTypeParser('text/plain');
      for (const r of ROUTES) {
        webhook.post(
          r.path,
          {
            bodyLimit,
            config: { public: true },
            schema: { summary: r.summary, tags: ['admission'] },
          },
          async (req, reply) => {
            const who = await o.face.identify(callerCredentials(req));
            const wait = who.known || limiter === undefined ? 0 : limiter.take(req.ip);
            if (wait > 0) {
              reply.header('retry-after', String(wait));
              throw new CustodyError(
                'ADMISSION_RATE_LIMITED',
                `Too many reviews from the unidentified caller ${req.ip}; retry after ${wait} s, or register the cluster (custody admission cluster add) and send its token or client certificate`,
                { details: { retryAfter: wait } },
              );
            }
            return r.call(o.face, req.body, who, apiServerTimeout(req.query));
          },
        );
      }
    },
    { prefix: '/admission' },
  );
}

/**
 * What the caller presented: the SHA-256 fingerprint of a client certificate the listener's
 * client CA verified (an unverified one identifies nobody), and a bearer token.
 */
export function callerCredentials(req: FastifyRequest): {
  certFingerprint?: string;
  bearerToken?: string;
} {
  const out: { certFingerprint?: string; bearerToken?: string } = {};
  const socket = req.raw.socket as Partial<TLSSocket>;
  if (socket.encrypted === true && socket.authorized === true && socket.getPeerCertificate) {
    const cert = socket.getPeerCertificate();
    if (cert?.raw) out.certFingerprint = certificateFingerprint(cert.raw);
  }
  const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
  if (m) out.bearerToken = m[1] as string;
  return out;
}

/**
 * The API server appends `?timeout=<Go duration>` (`10s`, `1m0s`, `500ms`) to a webhook's URL:
 * how long it waits. Anything else is ignored (the decision then keeps its own time limits).
 */
export function apiServerTimeout(query: unknown): Pick<ReviewCallOptions, 'timeoutMs'> {
  const v = (query as { timeout?: unknown } | undefined)?.timeout;
  if (typeof v !== 'string' || v.length > 32) return {};
  const m = /^(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?(?:(\d+)ms)?$/.exec(v);
  if (!m || v === '') return {};
  const ms = Number(m[1] ?? 0) * 60_000 + Number(m[2] ?? 0) * 1000 + Number(m[3] ?? 0);
  return ms > 0 && ms <= 3_600_000 ? { timeoutMs: Math.round(ms) } : {};
}
