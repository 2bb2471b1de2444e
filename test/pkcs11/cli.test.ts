import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { run } from '../../src/cli/main.js';
import { createToken, ecKey, SKIP, type TestToken } from './softhsm.js';

/** `custody sign --key pkcs11:…` and `custody verify --key` on the exported public key. */
describe('custody sign with a key in a hardware security module (SoftHSM2)', { skip: SKIP }, () => {
  let token: TestToken | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'custody-hsm-cli-'));
  after(() => {
    token?.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  const cli = async (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env: { SOFTHSM2_CONF: process.env['SOFTHSM2_CONF'] ?? '' },
      cwd: dir,
    };
    const code = await run(argv, io as never);
    return { code, out: out.join(''), err: err.join('') };
  };

  it('signs through the HSM; the bundle verifies with the public key and fails for another file', async () => {
    token = createToken('cli-token');
    const key = ecKey('P-256');
    token.importKey(key.privateKey, { label: 'release', id: '01' });
    writeFileSync(join(dir, 'app.bin'), 'an application binary\n');
    writeFileSync(
      join(dir, 'release.pub'),
      createPublicKey(key.privateKey).export({ type: 'spki', format: 'pem' }).toString(),
    );
    const s = await cli(
      'sign',
      'app.bin',
      '--key',
      token.uri('object=release'),
      '--no-log',
      '-o',
      'app.sigstore.json',
    );
    assert.equal(s.code, 0, s.err);
    assert.ok(JSON.parse(readFileSync(join(dir, 'app.sigstore.json'), 'utf8')).messageSignature);
    const v = await cli(
      'verify',
      'app.bin',
      '--bundle',
      'app.sigstore.json',
      '--key',
      'release.pub',
    );
    assert.equal(v.code, 0, v.err);
    writeFileSync(join(dir, 'other.bin'), 'something else\n');
    const bad = await cli(
      'verify',
      'other.bin',
      '--bundle',
      'app.sigstore.json',
      '--key',
      'release.pub',
    );
    assert.equal(bad.code, 1);
    const wrongPin = await cli(
      'sign',
      'app.bin',
      '--key',
      token.uri('object=release').replace('pin-value=123456', 'pin-value=000000'),
      '--no-log',
    );
    assert.equal(wrongPin.code, 2);
    assert.match(wrongPin.err, /SIGN_KEY_INVALID|PIN/i);
  });
});
