import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pkcs11js from 'pkcs11js';

/**
 * SoftHSM2 tokens for tests, each in its own temporary directory. SoftHSM2 reads SOFTHSM2_CONF
 * when the library is initialized, so a token made here is visible to the next `openPkcs11Signer`
 * once every signer of the previous token has been closed (the library is then finalized).
 */

export const SOFTHSM_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

const installed = spawnSync('softhsm2-util', ['--version']).status === 0;

/**
 * For `describe(…, { skip: SKIP })`: tests skip only when SoftHSM2 itself is absent. Node's runner
 * does not count a skipped group, so the skip is reported to scripts/run-tests.mjs, which prints
 * it in its summary; in CI (`CI=true`) a missing SoftHSM2 fails the test file instead.
 */
export const SKIP: string | false = installed ? false : missingSoftHsm();

function missingSoftHsm(): string {
  const reason = 'softhsm2 is not installed (apt-get install softhsm2)';
  if (process.env['CI'] === 'true')
    throw new Error(`SoftHSM2 is required in CI (CI=true): ${reason}`);
  const report = process.env['CUSTODY_TEST_SKIP_REPORT'];
  if (report) appendFileSync(report, `${process.argv[1] ?? 'a test file'}\t${reason}\n`);
  return reason;
}

export interface TestToken {
  label: string;
  pin: string;
  dir: string;
  /** `pkcs11:token=<label>…?module-path=…&pin-value=…` plus `extra` path attributes. */
  uri(extra?: string, query?: string): string;
  /** Imports a PKCS#8 key pair (or only its private half) with softhsm2-util. */
  importKey(key: KeyObject, o: { label: string; id: string; noPublicKey?: boolean }): void;
  /** Generates an EC P-256 key pair on the token itself, through pkcs11js. */
  generateEcKey(o: { label: string; id: string }): void;
  /** Stores only a public EC P-256 key object (e.g. one that does not match the private key). */
  createEcPublicKey(key: KeyObject, o: { label: string; id: string }): void;
  remove(): void;
}

export function createToken(label = 'custody-test', pin = '123456'): TestToken {
  const dir = mkdtempSync(join(tmpdir(), 'custody-softhsm-'));
  mkdirSync(join(dir, 'tokens'));
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `directories.tokendir = ${join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`,
  );
  process.env['SOFTHSM2_CONF'] = conf;
  run(['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', '87654321']);
  return {
    label,
    pin,
    dir,
    uri: (extra = '', query = '') =>
      `pkcs11:token=${encodeURIComponent(label)}${extra ? `;${extra}` : ''}?module-path=${SOFTHSM_MODULE}&pin-value=${pin}${query ? `&${query}` : ''}`,
    importKey(key, o) {
      const file = join(dir, `${o.id}.pem`);
      writeFileSync(file, key.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
      run([
        '--import',
        file,
        '--token',
        label,
        '--label',
        o.label,
        '--id',
        o.id,
        '--pin',
        pin,
        ...(o.noPublicKey ? ['--no-public-key'] : []),
      ]);
    },
    generateEcKey(o) {
      withSession(label, pin, (p, s) => generateOnToken(p, s, o));
    },
    createEcPublicKey(key, o) {
      const jwk = key.export({ format: 'jwk' });
      const point = Buffer.concat([
        Buffer.from([0x04]),
        Buffer.from(jwk.x as string, 'base64url'),
        Buffer.from(jwk.y as string, 'base64url'),
      ]);
      withSession(label, pin, (p, s) =>
        p.C_CreateObject(s, [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
          { type: pkcs11js.CKA_KEY_TYPE, value: pkcs11js.CKK_EC },
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_LABEL, value: o.label },
          { type: pkcs11js.CKA_ID, value: Buffer.from(o.id, 'hex') },
          { type: pkcs11js.CKA_EC_PARAMS, value: P256_PARAMS },
          // DER OCTET STRING around the point, as PKCS#11 2.40 §2.3.3 says.
          { type: pkcs11js.CKA_EC_POINT, value: Buffer.concat([Buffer.from([0x04, 65]), point]) },
        ]),
      );
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function ecKey(curve: 'P-256' | 'P-384' = 'P-256') {
  return generateKeyPairSync('ec', { namedCurve: curve });
}

function run(args: string[]): void {
  const r = spawnSync('softhsm2-util', args, { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(`softhsm2-util ${args[0]} failed: ${r.stderr || r.stdout || r.error}`);
}

// P-256 (RFC 5480 secp256r1) as a DER OID.
const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');

// Its own load, initialize and finalize: call it before opening signers on the token.
function withSession(
  label: string,
  pin: string,
  f: (p: pkcs11js.PKCS11, session: Buffer) => void,
): void {
  const p = new pkcs11js.PKCS11();
  p.load(SOFTHSM_MODULE);
  p.C_Initialize();
  try {
    const slot = p.C_GetSlotList(true).find((s) => p.C_GetTokenInfo(s).label.trimEnd() === label);
    if (slot === undefined) throw new Error(`no token ${label}`);
    const s = p.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
    p.C_Login(s, pkcs11js.CKU_USER, pin);
    f(p, s);
    p.C_CloseSession(s);
  } finally {
    p.C_Finalize();
    p.close();
  }
}

function generateOnToken(p: pkcs11js.PKCS11, s: Buffer, o: { label: string; id: string }): void {
  const common = [
    { type: pkcs11js.CKA_TOKEN, value: true },
    { type: pkcs11js.CKA_LABEL, value: o.label },
    { type: pkcs11js.CKA_ID, value: Buffer.from(o.id, 'hex') },
  ];
  p.C_GenerateKeyPair(
    s,
    { mechanism: pkcs11js.CKM_EC_KEY_PAIR_GEN },
    [
      ...common,
      { type: pkcs11js.CKA_VERIFY, value: true },
      { type: pkcs11js.CKA_EC_PARAMS, value: P256_PARAMS },
    ],
    [
      ...common,
      { type: pkcs11js.CKA_SIGN, value: true },
      { type: pkcs11js.CKA_PRIVATE, value: true },
      { type: pkcs11js.CKA_SENSITIVE, value: true },
      { type: pkcs11js.CKA_EXTRACTABLE, value: false },
    ],
  );
}
