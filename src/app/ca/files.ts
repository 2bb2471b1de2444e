import { createPrivateKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CoreError } from '../../core/index.js';
import {
  type CertificateAuthority,
  createCaCertificates,
  openCertificateAuthority,
} from '../../sign/ca/index.js';
import { SignError } from '../../sign/errors.js';
import {
  addCertificateAuthority,
  certificateAuthorityJson,
  emptyTrustedRoot,
  parseTrustedRootJson,
  type TrustedRootJson,
} from '../../sign/trust/index.js';

export type CaKeyType = 'ecdsa-p256' | 'ecdsa-p384';

/** Where the CA lives in the data directory. Keys are 0600 in a 0700 folder. */
export function caPaths(dataDir: string) {
  const dir = join(dataDir, 'ca');
  return {
    dir,
    rootKey: join(dir, 'root-key.pem'),
    rootCert: join(dir, 'root.pem'),
    intermediateKey: join(dir, 'intermediate-key.pem'),
    intermediateCert: join(dir, 'intermediate.pem'),
    devOidcKey: join(dir, 'dev-oidc-key.pem'),
    /** The trust store `custody trust` edits and `ca init` adds to. */
    trustedRoot: join(dataDir, 'trusted_root.json'),
  };
}

export interface InitCaOptions {
  dataDir: string;
  /** The CA's public URL (the trusted root's `uri`), e.g. the service's base URL. */
  uri: string;
  organization?: string;
  commonName?: string;
  keyType?: CaKeyType;
  now: Date;
  /** Replace an existing CA; the old one stays in the trust store until removed. */
  force?: boolean;
}

export interface InitCaResult {
  chainPem: string[];
  trustedRootPath: string;
  paths: ReturnType<typeof caPaths>;
}

/**
 * `custody ca init`: a root and an intermediate with their keys in `<dataDir>/ca/` (0600), and
 * the CA added to `<dataDir>/trusted_root.json`.
 * @throws CoreError USAGE when a CA exists and `force` is not set
 */
export async function initCa(o: InitCaOptions): Promise<InitCaResult> {
  const p = caPaths(o.dataDir);
  if (existsSync(p.intermediateKey) && !o.force) {
    throw new CoreError(
      'USAGE',
      `A CA already exists in ${p.dir}; pass --force to make a new one (the old one stays trusted until \`custody trust remove\`).`,
    );
  }
  const gen = () =>
    generateKeyPairSync('ec', { namedCurve: o.keyType === 'ecdsa-p384' ? 'P-384' : 'P-256' })
      .privateKey;
  const rootKey = gen();
  const intermediateKey = gen();
  const subject = {
    organization: o.organization ?? 'Custody',
    commonName: o.commonName ?? 'custody',
  };
  // Backdated a minute and to whole seconds: a log's integrated time is in whole seconds (rounded
  // down), so a signature made in the CA's first second would otherwise predate its CA.
  const start = new Date(Math.floor(o.now.getTime() / 1000) * 1000 - 60_000);
  const certs = await createCaCertificates({ rootKey, intermediateKey, subject, now: start });
  mkdirSync(p.dir, { recursive: true, mode: 0o700 });
  writeSecret(p.rootKey, rootKey.export({ type: 'pkcs8', format: 'pem' }) as string);
  writeSecret(
    p.intermediateKey,
    intermediateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
  );
  writeAtomic(p.rootCert, toPem(certs.root));
  writeAtomic(p.intermediateCert, toPem(certs.intermediate));
  const root = addCertificateAuthority(
    readTrustStore(p.trustedRoot),
    certificateAuthorityJson({
      chain: [certs.intermediate, certs.root],
      uri: o.uri,
      subject,
      validFrom: start,
    }),
  );
  writeTrustStore(p.trustedRoot, root);
  return {
    chainPem: [toPem(certs.intermediate), toPem(certs.root)],
    trustedRootPath: p.trustedRoot,
    paths: p,
  };
}

/**
 * The CA of a data directory, ready to issue.
 * @throws SignError SIGN_KEY_INVALID when there is none (run `custody ca init`) or it is unreadable
 */
export async function loadCa(dataDir: string): Promise<CertificateAuthority> {
  const p = caPaths(dataDir);
  if (!existsSync(p.intermediateKey)) {
    throw new SignError('SIGN_KEY_INVALID', `No CA in ${p.dir}: run \`custody ca init\` first.`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(p.intermediateKey));
  } catch (e) {
    throw new SignError('SIGN_KEY_INVALID', `Cannot read the CA key ${p.intermediateKey}.`, {
      cause: e,
    });
  }
  const chain = [p.intermediateCert, p.rootCert].map((f) => fromPem(readFileSync(f, 'utf8')));
  return openCertificateAuthority({ intermediateKey: key, chain });
}

/** The trust store, or an empty trusted root when the file does not exist yet. */
export function readTrustStore(path: string): TrustedRootJson {
  if (!existsSync(path)) return emptyTrustedRoot();
  return parseTrustedRootJson(readFileSync(path, 'utf8'));
}

export function writeTrustStore(path: string, root: TrustedRootJson): void {
  mkdirSync(dirname(path), { recursive: true });
  writeAtomic(path, `${JSON.stringify(root, null, 2)}\n`);
}

/** Loads a private key, creating it on first use with 0600 permissions. */
export function loadOrCreateKey(path: string, create: () => KeyObject): KeyObject {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeSecret(path, create().export({ type: 'pkcs8', format: 'pem' }) as string);
  }
  return createPrivateKey(readFileSync(path));
}

export function toPem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

export function fromPem(pem: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]+?)-----END CERTIFICATE-----/.exec(pem);
  if (!m) throw new SignError('SIGN_KEY_INVALID', 'Not a PEM certificate.');
  return new Uint8Array(Buffer.from((m[1] as string).replace(/\s+/g, ''), 'base64'));
}

// Written to a temporary name (0600 from the start), then renamed: never a readable partial key.
function writeSecret(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

function writeAtomic(path: string, text: string): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
