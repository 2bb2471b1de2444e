import { generateKeyPairSync } from 'node:crypto';
import { CoreError } from '../../core/index.js';
import {
  type CaKeyType,
  type CaPaths,
  caKeyExists,
  caPaths,
  readCaFiles,
  toPem,
  writeCaFiles,
} from '../../fs/ca-files.js';
import { readTrustStore, writeTrustStore } from '../../fs/trusted-root-files.js';
import {
  addCertificateAuthority,
  type CertificateAuthority,
  certificateAuthorityJson,
  loadCertificateAuthority,
} from '../../sign/index.js';

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
  paths: CaPaths;
}

/**
 * `custody ca init`: a root and an intermediate with their keys in `<dataDir>/ca/` (0600), and
 * the CA added to `<dataDir>/trusted_root.json`.
 * @throws CoreError USAGE when a CA exists and `force` is not set
 */
export async function initCa(o: InitCaOptions): Promise<InitCaResult> {
  const p = caPaths(o.dataDir);
  if (caKeyExists(o.dataDir) && !o.force) {
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
  const { createCaCertificates } = await loadCertificateAuthority();
  const certs = await createCaCertificates({ rootKey, intermediateKey, subject, now: start });
  writeCaFiles(o.dataDir, {
    rootKey,
    intermediateKey,
    root: certs.root,
    intermediate: certs.intermediate,
  });
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
  const { intermediateKey, chain } = readCaFiles(dataDir);
  const { openCertificateAuthority } = await loadCertificateAuthority();
  return openCertificateAuthority({ intermediateKey, chain });
}
