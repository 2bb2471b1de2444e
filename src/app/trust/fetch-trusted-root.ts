import { createPublicKey, type KeyObject } from 'node:crypto';
import { resolve } from 'node:path';
import { writeTrustStore } from '../../fs/trusted-root-files.js';
import { sharedHttpClient, underlyingError } from '../../net/http.js';
import {
  parseTrustedRoot,
  parseTrustedRootJson,
  SignError,
  type TrustedRootJson,
} from '../../sign/index.js';
import { formatVerifierKey, parseVerifierKey } from '../../tlog/index.js';

export interface FetchedTrustedRoot {
  /** Where it was written. */
  path: string;
  /** The service's log: origin, verifier key, and how many CAs and logs the root trusts. */
  origin: string;
  vkey: string;
  certificateAuthorities: number;
  tlogs: number;
}

/**
 * `custody trust fetch <url> -o trusted_root.json`: the trusted root a `custody serve` publishes
 * (GET /api/v1/trusted-root), checked before it is written:
 * - it parses as a Sigstore trusted root;
 * - it trusts, now, the key the service's log signs with (GET /api/v1/tlog: its public key, and
 *   the vkey made from that key, must agree), so a keyed signature logged there verifies with it;
 * - with `expectVkey` (the verifier key `custody serve` printed at its first start, obtained
 *   out of band), that key is the log's. Only this pins the log: without it the file is as
 *   trustworthy as the connection it came over, so the vkey is reported for the caller to compare.
 * @throws SignError SIGN_TRUSTED_ROOT_INVALID (malformed, or the log key is not in it or not the
 *   expected one), SIGN_SERVICE_FAILED (the service answered an error); TlogError TLOG_KEY_INVALID
 *   (a malformed `expectVkey`); NetError when it cannot be reached
 */
export async function fetchTrustedRoot(
  serviceUrl: string,
  out: string,
  o: { cwd: string; expectVkey?: string },
): Promise<FetchedTrustedRoot> {
  const base = serviceUrl.replace(/\/+$/, '');
  const expected = o.expectVkey === undefined ? undefined : parseVerifierKey(o.expectVkey.trim());
  const rootJson = await getJson(`${base}/api/v1/trusted-root`);
  const log = (await getJson(`${base}/api/v1/tlog`)) as {
    origin?: unknown;
    vkey?: unknown;
    publicKey?: unknown;
  };
  const root = parseTrustedRoot(rootJson);
  const stored: TrustedRootJson = parseTrustedRootJson(JSON.stringify(rootJson));
  if (typeof log.publicKey !== 'string' || typeof log.origin !== 'string')
    throw invalid(`${base}/api/v1/tlog names no log public key and origin`);
  const logKey = readPem(log.publicKey, `${base}/api/v1/tlog`);
  const vkey = formatVerifierKey(log.origin, logKey);
  if (log.vkey !== vkey)
    throw invalid(`${base}/api/v1/tlog gives a verifier key that is not its public key's`);
  const now = new Date();
  const trusted = root.tlogs.some(
    (t) =>
      sameKey(t.publicKey, logKey) &&
      t.validFor.start <= now &&
      (t.validFor.end === undefined || now <= t.validFor.end),
  );
  if (!trusted)
    throw invalid(
      `the trusted root of ${base} does not trust its own log's key (${vkey}); the service's trust store is out of date`,
    );
  if (expected !== undefined && vkey !== o.expectVkey?.trim())
    throw invalid(
      `the log of ${base} signs with ${vkey}, not with the --vkey given (${expected.name}); do not trust this service until you know why`,
    );
  const path = resolve(o.cwd, out);
  // Public material, meant to be handed to whoever verifies: readable like any output file.
  writeTrustStore(path, stored, 0o644);
  return {
    path,
    origin: log.origin,
    vkey,
    certificateAuthorities: root.certificateAuthorities.length,
    tlogs: root.tlogs.length,
  };
}

async function getJson(url: string): Promise<unknown> {
  let res: Response;
  try {
    res = (await sharedHttpClient().request(url, { timeoutMs: 10_000 })).response;
  } catch (e) {
    throw new SignError(
      'SIGN_SERVICE_FAILED',
      `Cannot reach ${url}: ${(underlyingError(e) as Error).message}`,
      { cause: e, details: { service: url } },
    );
  }
  const text = await res.text();
  if (!res.ok)
    throw new SignError(
      'SIGN_SERVICE_FAILED',
      `${url} answered ${res.status}: ${text.slice(0, 300)}`,
      {
        details: { service: url, status: res.status },
      },
    );
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw invalid(`${url} did not answer JSON`, e);
  }
}

function readPem(pem: string, where: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch (e) {
    throw invalid(`${where} gives a public key that is not PEM`, e);
  }
}

function sameKey(a: KeyObject, b: KeyObject): boolean {
  const der = (k: KeyObject) => k.export({ type: 'spki', format: 'der' });
  return der(a).equals(der(b));
}

function invalid(message: string, cause?: unknown): SignError {
  return new SignError('SIGN_TRUSTED_ROOT_INVALID', message, cause ? { cause } : {});
}
