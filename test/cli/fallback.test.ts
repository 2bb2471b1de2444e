import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FALLBACK_MARK } from '../../src/admission/types.js';
import { run } from '../../src/cli/main.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createToken, ecKey, SKIP, type TestToken } from '../pkcs11/softhsm.js';

/**
 * `custody sign --fallback-key pkcs11:…`: keyless first (a real keyless Custody server: dev OIDC,
 * CA, log); when the CA and OIDC provider cannot be reached (a closed port), the SoftHSM key signs
 * and the signature says so inside what is signed. A refused identity never falls back.
 */

async function closedPort(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

const SUBJECT = 'releaser@example.com';

describe('custody sign --fallback-key (keyless → HSM)', { skip: SKIP }, () => {
  let dir: string;
  let srv: TestServer;
  let token: TestToken;
  let down: string;
  let uri: string;
  const cli = async (env: Record<string, string>, ...argv: string[]) => {
    let out = '';
    let err = '';
    const io = {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (err += s) },
      env: { HOME: dir, ...env },
      cwd: dir,
    };
    const code = await run(argv, io as never);
    return { code, out, err };
  };
  const dev = { CUSTODY_DEV_OIDC_SUBJECT: SUBJECT };
  const statementOf = (file: string) => {
    const b = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    return JSON.parse(Buffer.from(b.dsseEnvelope.payload, 'base64').toString('utf8'));
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-fallback-'));
    srv = await startServer('sqlite', { keyless: true, tlog: { ratePerClient: 0 } });
    down = await closedPort();
    token = createToken('fallback-token');
    const key = ecKey();
    token.importKey(key.privateKey, { label: 'fallback', id: '01' });
    uri = token.uri('object=fallback');
    writeFileSync(join(dir, 'hsm.pub'), key.publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(join(dir, 'artifact.tgz'), 'the release artifact\n');
    writeFileSync(join(dir, 'predicate.json'), JSON.stringify({ buildType: 'x' }));
    writeFileSync(
      join(dir, 'root.json'),
      await (await fetch(`${srv.base}/api/v1/trusted-root`)).text(),
    );
  });
  after(async () => {
    await srv.close();
    token.remove();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keyless up: keyless signs, no fallback, no mark', async () => {
    const r = await cli(
      dev,
      'sign',
      'artifact.tgz',
      '--fallback-key',
      uri,
      '--url',
      srv.base,
      '-o',
      'keyless.json',
    );
    assert.equal(r.code, 0, r.err);
    assert.doesNotMatch(r.err, /FALLBACK/);
    const b = JSON.parse(readFileSync(join(dir, 'keyless.json'), 'utf8'));
    assert.ok(b.verificationMaterial.certificate, 'a keyless certificate');
    assert.ok(b.messageSignature);
    assert.equal(b.verificationMaterial.tlogEntries.length, 1);
  });

  it('CA and OIDC unreachable: the HSM key signs, marked inside the signed statement, logged, verifiable', async () => {
    const r = await cli(
      dev,
      'sign',
      'artifact.tgz',
      '--fallback-key',
      uri,
      '--ca-url',
      down,
      '--url',
      srv.base,
      '-o',
      'fallback.json',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /signed with the FALLBACK key/);
    assert.match(r.err, /pin-value=\*\*\*/);
    assert.doesNotMatch(r.err, /pin-value=123456/);
    const b = JSON.parse(readFileSync(join(dir, 'fallback.json'), 'utf8'));
    assert.equal(b.verificationMaterial.certificate, undefined, 'the HSM key, not a certificate');
    assert.equal(b.verificationMaterial.tlogEntries.length, 1);
    const st = statementOf('fallback.json');
    const mark = st.subject[0].annotations[FALLBACK_MARK];
    assert.equal(mark.from, 'keyless');
    assert.match(mark.reason, /OIDC identity provider|certificate authority/);
    assert.ok(!Number.isNaN(Date.parse(mark.at)));
    const v = await cli(
      {},
      'verify',
      'artifact.tgz',
      '--bundle',
      'fallback.json',
      '--key',
      'hsm.pub',
      '--trusted-root',
      'root.json',
      '--require-tlog',
    );
    assert.equal(v.code, 0, v.err);
  });

  it('attest: the mark goes into the subjects of the statement', async () => {
    const { attestResilient } = await import('../../src/app/sign/resilient-sign.js');
    const r = await attestResilient(
      {
        subject: join(dir, 'artifact.tgz'),
        predicateFile: join(dir, 'predicate.json'),
        predicateType: 'https://example.com/p/v1',
        keyless: {
          caUrl: down,
          idToken: async () => {
            throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
          },
        },
        env: {},
        url: srv.base,
      },
      { fallbackKey: uri },
      undefined,
    );
    assert.equal(r.fallback?.from, 'keyless');
    const sub = r.statement.subject[0] as { annotations?: Record<string, { from: string }> };
    assert.equal(sub.annotations?.[FALLBACK_MARK]?.from, 'keyless');
    assert.deepEqual(r.statement.predicate, { buildType: 'x' });
  });

  it('a refused identity (the CA answers 401) does NOT fall back', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const jwt = `${b64({ alg: 'RS256', kid: 'k' })}.${b64({ iss: 'https://untrusted.example', sub: 'mallory', aud: 'sigstore', iat: now, exp: now + 300 })}.${b64({ s: 1 })}`;
    const r = await cli(
      { SIGSTORE_ID_TOKEN: jwt },
      'sign',
      'artifact.tgz',
      '--fallback-key',
      uri,
      '--url',
      srv.base,
      '-o',
      'refused.json',
    );
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /SIGN_SERVICE_FAILED/);
    assert.doesNotMatch(r.err, /FALLBACK/);
    assert.equal(existsSync(join(dir, 'refused.json')), false);
  });

  it('the HSM down too: SIGN_FALLBACK_UNAVAILABLE naming both failures', async () => {
    const r = await cli(
      dev,
      'sign',
      'artifact.tgz',
      '--fallback-key',
      token.uri('object=fallback').replace('fallback-token', 'no-such-token'),
      '--ca-url',
      down,
      '--url',
      srv.base,
      '-o',
      'none.json',
    );
    assert.equal(r.code, 2, r.err);
    assert.match(
      r.err,
      /SIGN_FALLBACK_UNAVAILABLE: Nothing could sign: keyless signing failed \(.+\), and so did the fallback key \(.+\)/,
    );
    assert.equal(existsSync(join(dir, 'none.json')), false);
  });

  it('keyless up, log down, --log-later: refused (a 10-minute certificate cannot be logged later)', async () => {
    const r = await cli(
      dev,
      'sign',
      'artifact.tgz',
      '--fallback-key',
      uri,
      '--ca-url',
      srv.base,
      '--url',
      down,
      '--log-later',
      '--spool',
      'spool-keyless',
      '-o',
      'keyless-later.json',
    );
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /SIGN_SERVICE_FAILED: .*--log-later cannot help here/);
    assert.equal(existsSync(join(dir, 'spool-keyless')), false);
    assert.equal(existsSync(join(dir, 'keyless-later.json')), false);
  });

  it('--fallback-key with --key is a usage error', async () => {
    const r = await cli(
      dev,
      'sign',
      'artifact.tgz',
      '--key',
      'x.key',
      '--fallback-key',
      uri,
      '--url',
      srv.base,
    );
    assert.equal(r.code, 2);
    assert.match(r.err, /USAGE: --fallback-key stands in for keyless signing/);
  });

  it('CA and log down with --log-later: the fallback signature is spooled, uploaded later, verifies', async () => {
    const r = await cli(
      dev,
      'sign',
      'artifact.tgz',
      '--fallback-key',
      uri,
      '--ca-url',
      down,
      '--url',
      down,
      '--log-later',
      '--spool',
      'spool',
      '-o',
      'both.json',
    );
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /FALLBACK key/);
    assert.match(r.err, /NOT logged yet/);
    assert.equal(readdirSync(join(dir, 'spool')).length, 1);
    const u = await cli({}, 'log', 'upload', '--spool', 'spool', '--url', srv.base);
    assert.equal(u.code, 0, u.err);
    const v = await cli(
      {},
      'verify',
      'artifact.tgz',
      '--bundle',
      'both.json',
      '--key',
      'hsm.pub',
      '--trusted-root',
      'root.json',
      '--require-tlog',
    );
    assert.equal(v.code, 0, v.err);
    assert.equal(statementOf('both.json').subject[0].annotations[FALLBACK_MARK].from, 'keyless');
  });

  it('attestResilientCommand (what attest.ts calls): the HSM key signs the statement, marked', async () => {
    const { Command } = await import('commander');
    const { attestResilientCommand, withKeyedOptions, withResilienceOptions } = await import(
      '../../src/cli/commands/sign.js'
    );
    let err = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (s: string) => (err += s) },
      env: { HOME: dir, ...dev },
      cwd: dir,
    };
    let handled: boolean | undefined;
    const program = new Command('custody').exitOverride();
    withResilienceOptions(
      withKeyedOptions(
        program
          .command('attest <subject>')
          .requiredOption('--predicate <file>', 'p')
          .requiredOption('--type <type>', 't'),
      ),
    ).action(async (subject: string, o: Parameters<typeof attestResilientCommand>[1]) => {
      handled = await attestResilientCommand(subject, o, io as never);
    });
    await program.parseAsync(
      [
        'attest',
        'artifact.tgz',
        '--predicate',
        'predicate.json',
        '--type',
        'slsaprovenance1',
        '--fallback-key',
        uri,
        '--ca-url',
        down,
        '--url',
        srv.base,
        '-o',
        'att.json',
      ],
      { from: 'user' },
    );
    assert.equal(handled, true);
    assert.match(err, /FALLBACK key/);
    const st = statementOf('att.json');
    assert.equal(st.predicateType, 'https://slsa.dev/provenance/v1');
    assert.equal(st.subject[0].annotations[FALLBACK_MARK].from, 'keyless');
  });
});
