import assert from 'node:assert/strict';
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import {
  armorSignedMessage,
  dearmorSignedMessage,
  keySigner,
  signDetached,
  verifyDetached,
} from '../../src/sign/cms.js';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

async function selfSigned() {
  const alg = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
  const keys = (await webcrypto.subtle.generateKey(alg, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: 'CN=cms test',
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 600_000),
    keys: keys as unknown as Parameters<
      typeof x509.X509CertificateGenerator.createSelfSigned
    >[0]['keys'],
    signingAlgorithm: alg,
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const { createPrivateKey } = await import('node:crypto');
  return {
    privateKey: createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' }),
    der: new Uint8Array(cert.rawData),
  };
}

describe('detached CMS signatures (git x509)', () => {
  it('signs and verifies; a changed byte of data fails', async () => {
    const s = await selfSigned();
    const data = Buffer.from('tree 123\nauthor a <a@b> 1 +0000\n\nmessage\n');
    const when = new Date('2026-11-30T00:00:00Z');
    const signed = await signDetached(data, keySigner(s.privateKey, [s.der]), when);
    const sig = signed.der;
    const armored = armorSignedMessage(sig);
    assert.match(armored, /^-----BEGIN SIGNED MESSAGE-----\n/);
    const v = await verifyDetached(dearmorSignedMessage(armored), data);
    assert.deepEqual(Buffer.from(v.chain[0] as Uint8Array), Buffer.from(s.der));
    assert.equal(v.signingTime?.toISOString(), when.toISOString());
    assert.deepEqual(Buffer.from(v.signedAttributes), Buffer.from(signed.signedAttributes));
    assert.deepEqual(Buffer.from(v.signature), Buffer.from(signed.signature));
    const changed = Buffer.from(data);
    changed[0] = 0x54;
    await assert.rejects(verifyDetached(sig, changed), { code: 'SIGN_SIGNATURE_INVALID' });
    await assert.rejects(verifyDetached(new Uint8Array([1, 2, 3]), data), {
      code: 'SIGN_BUNDLE_MALFORMED',
    });
    assert.throws(() => dearmorSignedMessage('nope'), { code: 'SIGN_BUNDLE_MALFORMED' });
  });

  it('refuses keys it cannot sign CMS with', async () => {
    const { privateKey } = generateKeyPairSync('ed25519');
    const s = await selfSigned();
    assert.throws(() => keySigner(privateKey, [s.der]), { code: 'SIGN_KEY_INVALID' });
  });
});
