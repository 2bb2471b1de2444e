import { type Certificate, isCa, isSelfSigned, parseCertificate } from './certificate.js';
import { NotationError } from './errors.js';
import type { TrustStoreType } from './trust-policy.js';

/** One file of a named store, as an adapter read it (`x509/<type>/<store>/<file>`). */
export interface TrustStoreFile {
  type: TrustStoreType;
  store: string;
  file: string;
  bytes: Uint8Array;
}

/**
 * Named stores of trusted roots. A store that is missing, empty or holds a file the
 * specification refuses is kept with its problem: a signature that needs it fails the validation
 * that uses it (authenticity, authentic timestamp), as notation-go's lazy loading does; a
 * signature that does not need it is unaffected.
 */
export type TrustStores = ReadonlyMap<
  string,
  { certificates: Certificate[] } | { problem: string }
>;

const MAX_FILES = 1000;
const key = (type: TrustStoreType, store: string): string => `${type}:${store}`;

export function trustStoreEntry(
  stores: TrustStores,
  type: TrustStoreType,
  store: string,
): Certificate[] | string {
  const e = stores.get(key(type, store));
  if (e === undefined) return `the trust store "${store}" of type "${type}" does not exist`;
  return 'problem' in e ? e.problem : e.certificates;
}

/**
 * Builds trust stores from their files (trust-store-trust-policy "Trust Store"): PEM or DER,
 * one or more certificates a file; each a CA certificate or a self-signed one; in `tsa` stores,
 * root CA certificates only (notation-go's truststore package). `stores` lists named stores that
 * exist but may be empty.
 * @throws NotationError SIGN_NOTATION_TRUST_STORE_INVALID when there are too many files
 */
export function buildTrustStores(
  files: readonly TrustStoreFile[],
  stores: readonly { type: TrustStoreType; store: string; problem?: string }[] = [],
): TrustStores {
  if (files.length > MAX_FILES)
    throw new NotationError(
      'SIGN_NOTATION_TRUST_STORE_INVALID',
      `Over ${MAX_FILES} trust store files.`,
    );
  const out = new Map<string, { certificates: Certificate[] } | { problem: string }>();
  for (const s of stores)
    out.set(key(s.type, s.store), s.problem ? { problem: s.problem } : { certificates: [] });
  for (const f of files) {
    const k = key(f.type, f.store);
    const cur = out.get(k) ?? { certificates: [] };
    if ('problem' in cur) continue;
    try {
      cur.certificates.push(...parseTrustStoreFile(f));
      out.set(k, cur);
    } catch (e) {
      out.set(k, { problem: (e as Error).message });
    }
  }
  for (const [k, v] of out)
    if ('certificates' in v && v.certificates.length === 0)
      out.set(k, { problem: `no x509 certificates were found in trust store "${k}"` });
  return out;
}

/**
 * The certificates of one trust store file.
 * @throws NotationError SIGN_NOTATION_TRUST_STORE_INVALID
 */
export function parseTrustStoreFile(f: TrustStoreFile): Certificate[] {
  const where = `trust store file ${f.file} in ${f.type}:${f.store}`;
  let ders: Uint8Array[];
  try {
    ders = certificatesOf(f.bytes);
  } catch (e) {
    throw new NotationError(
      'SIGN_NOTATION_TRUST_STORE_INVALID',
      `The ${where} is not a PEM or DER certificate file.`,
      { cause: e, details: { file: f.file } },
    );
  }
  const certs = ders.map((d) => parseCertificate(d, 'SIGN_NOTATION_TRUST_STORE_INVALID'));
  for (const c of certs) {
    if (!isCa(c) && !isSelfSigned(c))
      throw new NotationError(
        'SIGN_NOTATION_TRUST_STORE_INVALID',
        `The ${where} holds "${c.subject}", neither a CA nor a self-signed certificate.`,
        { details: { file: f.file } },
      );
    if (f.type === 'tsa' && !(isCa(c) && isSelfSigned(c)))
      throw new NotationError(
        'SIGN_NOTATION_TRUST_STORE_INVALID',
        `The ${where} holds "${c.subject}", not a root CA certificate (tsa stores hold roots only).`,
        { details: { file: f.file } },
      );
  }
  return certs;
}

const PEM = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]*?)-----END CERTIFICATE-----/g;

/** DER certificates of a PEM (one or more blocks) or DER file. */
export function certificatesOf(bytes: Uint8Array): Uint8Array[] {
  if (bytes.byteLength > 1024 * 1024) throw new Error('over 1 MiB');
  const text = Buffer.from(bytes).toString('latin1');
  if (text.includes('-----BEGIN')) {
    const out = [...text.matchAll(PEM)].map(
      (m) => new Uint8Array(Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64')),
    );
    if (out.length === 0) throw new Error('no CERTIFICATE block');
    return out;
  }
  if (bytes[0] !== 0x30) throw new Error('not DER');
  return [bytes];
}
