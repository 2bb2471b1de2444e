import { caExists, caPaths } from '../../fs/ca-files.js';
import { readTrustStore, writeTrustStore } from '../../fs/trusted-root-files.js';
import { addTransparencyLog, type TransparencyLogJson } from '../../sign/index.js';
import { type CaFailure, type CaFailureSink, caFailureSink } from './ca-failures.js';
import {
  type CaService,
  createCaService,
  type IssuedEvent,
  type OidcIssuerConfig,
} from './certificate-issuer.js';
import { type DevOidcIssuer, openDevOidcIssuer } from './dev-oidc-issuer.js';
import { initCa, loadCa } from './init-ca.js';

export interface Keyless {
  ca: CaService;
  devOidc?: DevOidcIssuer;
  /** The trust store as it is on disk now (`custody trust` may edit it while serving). */
  trustedRoot: () => unknown;
  /** Failed certificate requests by stage and kind (the server counts them for /metrics). */
  failures: CaFailureSink;
}

/**
 * What `custody serve` runs for keyless signing: the CA of the data directory (created on first
 * start when `--dev-oidc` asks for the one-machine setup), the OIDC issuers it trusts, and the
 * trust store, to which the service's own log is added once. Without a CA and without
 * `--dev-oidc`, keyless signing stays off.
 */
export async function openKeyless(o: {
  dataDir: string;
  publicUrl: string;
  devOidc: boolean;
  issuers: readonly OidcIssuerConfig[];
  /** Longest ID-token lifetime the CA accepts (default 600 s); the dev issuer's tokens fit in it. */
  maxTokenLifetimeSeconds?: number;
  logEntry?: () => TransparencyLogJson | undefined;
  onIssued?: (e: IssuedEvent) => void;
  /** Told of every failed certificate request (custody_ca_failures_total). */
  onFailure?: (f: CaFailure) => void;
  now?: () => Date;
}): Promise<Keyless | undefined> {
  const paths = caPaths(o.dataDir);
  const now = o.now ?? (() => new Date());
  const haveCa = caExists(o.dataDir);
  if (!haveCa && !o.devOidc) return undefined;
  if (!haveCa) await initCa({ dataDir: o.dataDir, uri: o.publicUrl, now: now() });
  const entry = o.logEntry?.();
  if (entry !== undefined) {
    const root = readTrustStore(paths.trustedRoot);
    const known = (root.tlogs ?? []).some((t) => t.logId.keyId === entry.logId.keyId);
    if (!known) writeTrustStore(paths.trustedRoot, addTransparencyLog(root, entry));
  }
  const devOidc = o.devOidc
    ? openDevOidcIssuer({
        dataDir: o.dataDir,
        issuer: `${o.publicUrl}/dev-oidc`,
        ...(o.maxTokenLifetimeSeconds !== undefined
          ? { maxTtlSeconds: o.maxTokenLifetimeSeconds }
          : {}),
      })
    : undefined;
  const failures = caFailureSink();
  const ca = createCaService({
    ca: await loadCa(o.dataDir),
    issuers: o.issuers,
    ...(o.maxTokenLifetimeSeconds !== undefined
      ? { maxTokenLifetimeSeconds: o.maxTokenLifetimeSeconds }
      : {}),
    ...(devOidc ? { devOidc } : {}),
    ...(o.onIssued ? { onIssued: o.onIssued } : {}),
    onFailure: (f) => {
      o.onFailure?.(f);
      failures.emit(f);
    },
    emergencyIssuer: emergencyIssuerUrl(o.publicUrl),
  });
  return {
    ca,
    ...(devOidc ? { devOidc } : {}),
    trustedRoot: () => readTrustStore(paths.trustedRoot),
    failures,
  };
}

/**
 * The issuer URL of Custody's emergency certificates: the service's own URL under `/emergency`,
 * so a verifier can tell them from any OIDC issuer's (`--certificate-oidc-issuer` names it).
 */
export function emergencyIssuerUrl(publicUrl: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/emergency`;
}
