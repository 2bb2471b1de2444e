import { createHash } from 'node:crypto';

/** A certificate authority of a trusted root, for people: where it is and its root's fingerprint. */
export interface CaSummary {
  uri: string;
  commonName: string;
  /** SHA-256 of the root certificate's DER, hex (what `openssl x509 -fingerprint -sha256` shows). */
  rootFingerprint: string;
  validFrom: string | null;
}

/** A transparency log of a trusted root: its URL, origin, key fingerprint and log ID. */
export interface LogSummary {
  baseUrl: string;
  origin: string;
  /** SHA-256 of the key's SPKI DER, hex. */
  keyFingerprint: string;
  /** Base64 log ID (SHA-256 of the key, as Rekor names it). */
  logId: string;
  publicKeyPem: string;
}

export interface TrustSummary {
  cas: CaSummary[];
  logs: LogSummary[];
}

interface RootShape {
  certificateAuthorities?: {
    uri?: string;
    subject?: { commonName?: string };
    certChain?: { certificates?: { rawBytes: string }[] };
    validFor?: { start?: string };
  }[];
  tlogs?: { baseUrl?: string; publicKey?: { rawBytes?: string }; logId?: { keyId?: string } }[];
}

/** What a trusted root's JSON trusts, summarised; malformed parts are left out, not thrown. */
export function summarizeTrust(rootJson: unknown): TrustSummary {
  const r = (rootJson ?? {}) as RootShape;
  const cas = (r.certificateAuthorities ?? []).flatMap((ca) => {
    const certs = ca.certChain?.certificates ?? [];
    const root = certs[certs.length - 1];
    if (root === undefined) return [];
    return [
      {
        uri: ca.uri ?? '',
        commonName: ca.subject?.commonName ?? '',
        rootFingerprint: sha256Hex(Buffer.from(root.rawBytes, 'base64')),
        validFrom: ca.validFor?.start ?? null,
      },
    ];
  });
  const logs = (r.tlogs ?? []).flatMap((t) => {
    const raw = t.publicKey?.rawBytes;
    if (raw === undefined || t.baseUrl === undefined) return [];
    const der = Buffer.from(raw, 'base64');
    return [
      {
        baseUrl: t.baseUrl,
        origin: t.baseUrl.replace(/^https?:\/\//, ''),
        keyFingerprint: sha256Hex(der),
        logId: t.logId?.keyId ?? '',
        publicKeyPem: `-----BEGIN PUBLIC KEY-----\n${(der.toString('base64').match(/.{1,64}/g) ?? []).join('\n')}\n-----END PUBLIC KEY-----\n`,
      },
    ];
  });
  return { cas, logs };
}

function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}
