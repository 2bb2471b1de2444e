import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AdmissionFace } from '../../app/admission/face.js';
import type { AdmissionTlsSettings } from '../../config/index.js';
import { CoreError } from '../../core/index.js';
import type { Logger } from '../../log/logger.js';
import { errorBody, fromFastifyError } from '../errors.js';
import { ADMISSION_MAX_BODY_BYTES, registerAdmissionWebhook } from './webhook.js';

export interface AdmissionListenerOptions {
  face: AdmissionFace;
  /** See AdmissionWebhookOptions (default 50 a second per address; 0: no limit). */
  unidentifiedRatePerS?: number;
  tls: AdmissionTlsSettings;
  logger: Logger;
  maxBodyBytes?: number;
  /** A review must arrive within this; the API server's own webhook time-out is at most 30 s. */
  requestTimeoutMs?: number;
}

export interface AdmissionListener {
  app: FastifyInstance;
  /** `https://host:port` */
  url: string;
  close(): Promise<void>;
}

/**
 * The webhook's HTTPS listener (CUSTODY_ADMISSION_LISTEN): /admission/* only, with the configured
 * certificate. With a client CA it asks every caller for a certificate but refuses none:
 * a certificate the CA verifies identifies its cluster, any other caller is answered unidentified.
 * @throws CoreError FILE_NOT_FOUND, FILE_UNREADABLE (a certificate, key or CA file)
 */
export async function startAdmissionListener(
  o: AdmissionListenerOptions,
): Promise<AdmissionListener> {
  const cert = readPem(o.tls.certFile, 'CUSTODY_ADMISSION_TLS_CERT');
  const key = readPem(o.tls.keyFile, 'CUSTODY_ADMISSION_TLS_KEY');
  const ca =
    o.tls.clientCaFile === undefined
      ? undefined
      : readPem(o.tls.clientCaFile, 'CUSTODY_ADMISSION_CLIENT_CA');
  const requestMs = o.requestTimeoutMs ?? 30_000;
  const https = Fastify({
    loggerInstance: o.logger as FastifyBaseLogger,
    https: {
      cert,
      key,
      headersTimeout: requestMs,
      ...(ca !== undefined ? { ca, requestCert: true, rejectUnauthorized: false } : {}),
    },
    bodyLimit: o.maxBodyBytes ?? ADMISSION_MAX_BODY_BYTES,
    trustProxy: false,
    return503OnClosing: true,
    requestTimeout: requestMs,
    connectionTimeout: 120_000,
  });
  // The routes take no notice of the server type; one registration serves both listeners.
  const app = https as unknown as FastifyInstance;
  app.setErrorHandler(async (err, req, reply) => {
    const mapped = fromFastifyError(err as Parameters<typeof fromFastifyError>[0]);
    if (mapped) {
      req.log.info({ code: mapped.body.error.code, status: mapped.status }, 'request refused');
      return reply.code(mapped.status).send(mapped.body);
    }
    req.log.error({ err }, 'internal error');
    return reply
      .code(500)
      .send(
        errorBody(
          'INTERNAL',
          'Something went wrong inside Custody; the server log has the details',
        ),
      );
  });
  app.setNotFoundHandler(async (req, reply) =>
    reply
      .code(404)
      .send(
        errorBody(
          'NOT_FOUND',
          `There is no ${req.method} ${req.url.split('?')[0]} here: this listener serves /admission/validate, /admission/mutate and /admission/imagereview`,
        ),
      ),
  );
  await registerAdmissionWebhook(app, {
    face: o.face,
    ...(o.maxBodyBytes !== undefined ? { maxBodyBytes: o.maxBodyBytes } : {}),
    ...(o.unidentifiedRatePerS !== undefined
      ? { unidentifiedRatePerS: o.unidentifiedRatePerS }
      : {}),
  });
  await app.listen({ host: o.tls.listen.host, port: o.tls.listen.port });
  const { address, port } = app.server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return { app, url: `https://${host}:${port}`, close: () => app.close() };
}

function readPem(path: string, setting: string): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as { code?: string }).code;
    throw new CoreError(
      code === 'ENOENT' ? 'FILE_NOT_FOUND' : 'FILE_UNREADABLE',
      `${setting}: ${path} ${code === 'ENOENT' ? 'does not exist' : 'cannot be read'}`,
      { cause: e },
    );
  }
}
