import { CoreError } from '../core/index.js';
import { parseListen } from './config.js';

/** The admission modes (admission/types.ts's ADMISSION_MODES; config/ sits below the domains). */
export const ADMISSION_DEFAULT_MODES = ['enforce', 'warn', 'audit'] as const;
export type AdmissionDefaultMode = (typeof ADMISSION_DEFAULT_MODES)[number];

/** The admission webhook's settings (CUSTODY_ADMISSION_*). */
export interface AdmissionSettings {
  /**
   * CUSTODY_ADMISSION_DEFAULT_MODE (`--admission-default-mode`): the mode of a namespace with no
   * configuration. Default `enforce`: an unsigned image is denied out of the box.
   */
  defaultMode: AdmissionDefaultMode;
  /**
   * A second listener, HTTPS, serving only /admission/*: for clusters, whose API servers call
   * webhooks over TLS only. Absent: the webhook is served on the service's own listener alone.
   */
  tls: AdmissionTlsSettings | undefined;
  /**
   * CUSTODY_ADMISSION_UNIDENTIFIED_RATE: reviews a second an unidentified caller may send per
   * address (default 50, burst twice that; 0: no limit). Registered clusters are not limited.
   */
  unidentifiedRatePerS: number;
}

export interface AdmissionTlsSettings {
  /** CUSTODY_ADMISSION_LISTEN: `host:port`. */
  listen: { host: string; port: number };
  /** CUSTODY_ADMISSION_TLS_CERT: PEM certificate chain file. */
  certFile: string;
  /** CUSTODY_ADMISSION_TLS_KEY: PEM private key file. */
  keyFile: string;
  /**
   * CUSTODY_ADMISSION_CLIENT_CA: PEM CA file for client certificates (mutual TLS). A caller whose
   * certificate this CA verifies is identified by it; others are still answered, unidentified.
   */
  clientCaFile: string | undefined;
}

/**
 * @throws CoreError USAGE naming every variable at fault
 */
export function loadAdmissionSettings(
  env: Readonly<Record<string, string | undefined>>,
  flags: { defaultMode?: string | undefined } = {},
): AdmissionSettings {
  const problems: string[] = [];
  const mode = (flags.defaultMode ?? nonEmpty(env['CUSTODY_ADMISSION_DEFAULT_MODE']) ?? 'enforce')
    .trim()
    .toLowerCase();
  if (!(ADMISSION_DEFAULT_MODES as readonly string[]).includes(mode))
    problems.push(
      `CUSTODY_ADMISSION_DEFAULT_MODE (--admission-default-mode) must be one of ${ADMISSION_DEFAULT_MODES.join(', ')}, got ${JSON.stringify(mode)}`,
    );
  const listenText = nonEmpty(env['CUSTODY_ADMISSION_LISTEN']);
  const certFile = nonEmpty(env['CUSTODY_ADMISSION_TLS_CERT']);
  const keyFile = nonEmpty(env['CUSTODY_ADMISSION_TLS_KEY']);
  const clientCaFile = nonEmpty(env['CUSTODY_ADMISSION_CLIENT_CA']);
  let listen: { host: string; port: number } | undefined;
  if (listenText !== undefined) {
    try {
      listen = parseListen(listenText);
    } catch {
      problems.push(
        `CUSTODY_ADMISSION_LISTEN must be host:port (e.g. 0.0.0.0:8443), got ${JSON.stringify(listenText)}`,
      );
    }
    if (certFile === undefined || keyFile === undefined)
      problems.push(
        'CUSTODY_ADMISSION_LISTEN starts an HTTPS listener: set CUSTODY_ADMISSION_TLS_CERT and CUSTODY_ADMISSION_TLS_KEY to its PEM certificate and key files',
      );
  } else if (certFile !== undefined || keyFile !== undefined || clientCaFile !== undefined) {
    problems.push(
      'CUSTODY_ADMISSION_TLS_CERT, _TLS_KEY and _CLIENT_CA are for the webhook listener: set CUSTODY_ADMISSION_LISTEN (host:port) as well',
    );
  }
  const rateText = nonEmpty(env['CUSTODY_ADMISSION_UNIDENTIFIED_RATE']);
  const rate = rateText === undefined ? 50 : Number(rateText);
  if (!Number.isInteger(rate) || rate < 0 || rate > 1_000_000)
    problems.push(
      `CUSTODY_ADMISSION_UNIDENTIFIED_RATE must be a whole number of reviews a second (0: no limit), got ${JSON.stringify(rateText)}`,
    );
  if (problems.length > 0)
    throw new CoreError('USAGE', problems.join('; '), { details: { problems } });
  return Object.freeze({
    defaultMode: mode as AdmissionDefaultMode,
    unidentifiedRatePerS: rate,
    tls:
      listen !== undefined && certFile !== undefined && keyFile !== undefined
        ? Object.freeze({ listen, certFile, keyFile, clientCaFile })
        : undefined,
  });
}

function nonEmpty(v: string | undefined): string | undefined {
  const t = v?.trim();
  return t === undefined || t === '' ? undefined : t;
}
