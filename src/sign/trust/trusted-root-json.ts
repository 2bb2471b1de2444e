import { createHash } from 'node:crypto';
import { SignError } from '../errors.js';

/**
 * Sigstore's trusted root in its JSON form (protobuf-specs TrustedRoot, what `trusted_root.json`
 * holds and @sigstore/verify reads): built and edited here, parsed for verification elsewhere
 * (src/sign/trusted-root.ts). Times are RFC 3339 strings; keys and certificates base64 DER.
 */
export const TRUSTED_ROOT_MEDIA_TYPE = 'application/vnd.dev.sigstore.trustedroot+json;version=0.1';

export interface ValidForJson {
  start: string;
  end?: string;
}

export interface CertificateAuthorityJson {
  subject: { organization: string; commonName: string };
  uri: string;
  /** Issuing certificate first, root last. */
  certChain: { certificates: { rawBytes: string }[] };
  validFor: ValidForJson;
}

export interface TransparencyLogJson {
  baseUrl: string;
  hashAlgorithm: string;
  publicKey: { rawBytes: string; keyDetails: string; validFor: ValidForJson };
  logId: { keyId: string };
}

export interface TrustedRootJson {
  mediaType: string;
  tlogs: TransparencyLogJson[];
  certificateAuthorities: CertificateAuthorityJson[];
  ctlogs: TransparencyLogJson[];
  timestampAuthorities: CertificateAuthorityJson[];
}

export function emptyTrustedRoot(): TrustedRootJson {
  return {
    mediaType: TRUSTED_ROOT_MEDIA_TYPE,
    tlogs: [],
    certificateAuthorities: [],
    ctlogs: [],
    timestampAuthorities: [],
  };
}

export interface CertificateAuthorityInput {
  /** DER, issuing certificate first, root last. */
  chain: readonly Uint8Array[];
  uri: string;
  subject: { organization: string; commonName: string };
  validFrom: Date;
  validUntil?: Date;
}

export function certificateAuthorityJson(i: CertificateAuthorityInput): CertificateAuthorityJson {
  return {
    subject: { ...i.subject },
    uri: i.uri,
    certChain: {
      certificates: i.chain.map((d) => ({ rawBytes: Buffer.from(d).toString('base64') })),
    },
    validFor: validFor(i.validFrom, i.validUntil),
  };
}

/** What `custody trust list` shows: one row per trusted CA, log, CT log or TSA. */
export interface TrustEntry {
  kind: 'ca' | 'tlog' | 'ctlog' | 'tsa';
  /** SHA-256 of the issuing certificate (CAs, TSAs) or the log ID (logs), hex. */
  id: string;
  uri: string;
  validFor: ValidForJson;
}

export function listTrust(root: TrustedRootJson): TrustEntry[] {
  const ca = (kind: 'ca' | 'tsa') => (c: CertificateAuthorityJson) => ({
    kind,
    id: caId(c),
    uri: c.uri,
    validFor: c.validFor,
  });
  const log = (kind: 'tlog' | 'ctlog') => (t: TransparencyLogJson) => ({
    kind,
    id: Buffer.from(t.logId.keyId, 'base64').toString('hex'),
    uri: t.baseUrl,
    validFor: t.publicKey.validFor,
  });
  return [
    ...root.certificateAuthorities.map(ca('ca')),
    ...root.tlogs.map(log('tlog')),
    ...root.ctlogs.map(log('ctlog')),
    ...root.timestampAuthorities.map(ca('tsa')),
  ];
}

/**
 * Adds a CA, or replaces the entry with the same issuing certificate. Several CAs can be trusted
 * at once, so a new one is added before the old one is retired — pipelines see no gap.
 */
export function addCertificateAuthority(
  root: TrustedRootJson,
  ca: CertificateAuthorityJson,
): TrustedRootJson {
  const id = caId(ca);
  return {
    ...root,
    certificateAuthorities: [...root.certificateAuthorities.filter((c) => caId(c) !== id), ca],
  };
}

/** Adds a transparency log, or replaces the one with the same log ID. */
export function addTransparencyLog(
  root: TrustedRootJson,
  tlog: TransparencyLogJson,
): TrustedRootJson {
  return {
    ...root,
    tlogs: [...root.tlogs.filter((t) => t.logId.keyId !== tlog.logId.keyId), tlog],
  };
}

/**
 * Removes the entries whose id (hex, as `listTrust` shows it; a unique prefix of at least 8
 * digits is enough) matches.
 * @throws SignError SIGN_TRUSTED_ROOT_INVALID when no entry, or more than one, matches
 */
export function removeTrust(root: TrustedRootJson, idPrefix: string): TrustedRootJson {
  const id = resolveId(root, idPrefix);
  return {
    ...root,
    certificateAuthorities: root.certificateAuthorities.filter((c) => caId(c) !== id),
    timestampAuthorities: root.timestampAuthorities.filter((c) => caId(c) !== id),
    tlogs: root.tlogs.filter((t) => logHex(t) !== id),
    ctlogs: root.ctlogs.filter((t) => logHex(t) !== id),
  };
}

/**
 * Ends an entry's validity at `end` instead of removing it: signatures made before stay
 * verifiable, later ones are refused — how a retired CA or log key is rotated out.
 * @throws SignError SIGN_TRUSTED_ROOT_INVALID when no entry, or more than one, matches
 */
export function retireTrust(root: TrustedRootJson, idPrefix: string, end: Date): TrustedRootJson {
  const id = resolveId(root, idPrefix);
  const endCa = (c: CertificateAuthorityJson) =>
    caId(c) === id ? { ...c, validFor: { ...c.validFor, end: end.toISOString() } } : c;
  const endLog = (t: TransparencyLogJson) =>
    logHex(t) === id
      ? {
          ...t,
          publicKey: {
            ...t.publicKey,
            validFor: { ...t.publicKey.validFor, end: end.toISOString() },
          },
        }
      : t;
  return {
    ...root,
    certificateAuthorities: root.certificateAuthorities.map(endCa),
    timestampAuthorities: root.timestampAuthorities.map(endCa),
    tlogs: root.tlogs.map(endLog),
    ctlogs: root.ctlogs.map(endLog),
  };
}

/**
 * Parses a trusted root's JSON for editing (untrusted): the lists must be there and each entry
 * must have the fields `listTrust` and the edits rely on; unknown fields are kept.
 * @throws SignError SIGN_TRUSTED_ROOT_INVALID with details.problems listing every problem
 */
export function parseTrustedRootJson(text: string): TrustedRootJson {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new SignError('SIGN_TRUSTED_ROOT_INVALID', 'The trusted root is not JSON.', { cause: e });
  }
  const problems: string[] = [];
  const o = (v ?? {}) as Record<string, unknown>;
  if (typeof v !== 'object' || v === null) problems.push('/: not an object');
  if (
    typeof o['mediaType'] !== 'string' ||
    !o['mediaType'].startsWith('application/vnd.dev.sigstore.trustedroot')
  ) {
    problems.push('/mediaType: not a Sigstore trusted root media type');
  }
  for (const k of ['tlogs', 'certificateAuthorities', 'ctlogs', 'timestampAuthorities']) {
    if (o[k] === undefined) o[k] = [];
    if (!Array.isArray(o[k])) problems.push(`/${k}: not an array`);
  }
  const arr = (k: string) => (Array.isArray(o[k]) ? (o[k] as unknown[]) : []);
  for (const k of ['certificateAuthorities', 'timestampAuthorities']) {
    arr(k).forEach((c, i) => {
      const certs = (c as CertificateAuthorityJson | null)?.certChain?.certificates;
      if (
        !Array.isArray(certs) ||
        certs.length === 0 ||
        certs.some((x) => typeof x?.rawBytes !== 'string')
      ) {
        problems.push(`/${k}/${i}/certChain: no certificates`);
      }
      if (typeof (c as CertificateAuthorityJson | null)?.validFor?.start !== 'string') {
        problems.push(`/${k}/${i}/validFor/start: missing`);
      }
    });
  }
  for (const k of ['tlogs', 'ctlogs']) {
    arr(k).forEach((t, i) => {
      const l = t as TransparencyLogJson | null;
      if (typeof l?.logId?.keyId !== 'string') problems.push(`/${k}/${i}/logId/keyId: missing`);
      if (typeof l?.publicKey?.rawBytes !== 'string')
        problems.push(`/${k}/${i}/publicKey: missing`);
      if (typeof l?.publicKey?.validFor?.start !== 'string') {
        problems.push(`/${k}/${i}/publicKey/validFor/start: missing`);
      }
    });
  }
  if (problems.length > 0) {
    throw new SignError(
      'SIGN_TRUSTED_ROOT_INVALID',
      `The trusted root is malformed: ${problems.join('; ')}.`,
      {
        details: { problems },
      },
    );
  }
  return o as unknown as TrustedRootJson;
}

function resolveId(root: TrustedRootJson, prefix: string): string {
  const p = prefix.toLowerCase();
  const ids = [...new Set(listTrust(root).map((e) => e.id))].filter((id) =>
    p.length >= 8 ? id.startsWith(p) : id === p,
  );
  if (ids.length !== 1) {
    throw new SignError(
      'SIGN_TRUSTED_ROOT_INVALID',
      ids.length === 0
        ? `No trusted entry has the id ${prefix}; see \`custody trust list\`.`
        : `The id ${prefix} matches ${ids.length} entries; give more digits.`,
      { details: { id: prefix, matches: ids } },
    );
  }
  return ids[0] as string;
}

function caId(c: CertificateAuthorityJson): string {
  const first = c.certChain.certificates[0]?.rawBytes ?? '';
  return createHash('sha256').update(Buffer.from(first, 'base64')).digest('hex');
}

function logHex(t: TransparencyLogJson): string {
  return Buffer.from(t.logId.keyId, 'base64').toString('hex');
}

function validFor(start: Date, end?: Date): ValidForJson {
  return end === undefined
    ? { start: start.toISOString() }
    : { start: start.toISOString(), end: end.toISOString() };
}
