import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/cli/main.js';
import { type Served, serveProcess } from '../helpers/serve-process.js';

/**
 * README's emergency-certificate flow, as written, against a real `custody serve`: an admin names
 * the team's signing identities, alice (publisher) requests, bob (approver) approves, alice
 * fetches the certificate and signs with it; `custody verify` refuses the bundle unless
 * `--allow-emergency`, and then reports the approver and the reason.
 */

const IDENTITY = 'releaser@example.com';
const REASON = 'OIDC outage INC-4711: 2.4.1 must ship';

describe('custody ca emergency request / approve / fetch → sign → verify', () => {
  let dir: string;
  let dataDir: string;
  let served: Served;
  let url: string;
  const tokens: Record<string, string> = {};

  const cli = async (token: string | undefined, ...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env: { CUSTODY_URL: url, ...(token ? { CUSTODY_TOKEN: token } : {}) },
      cwd: dir,
    };
    const code = await run(argv, io as never);
    return { code, out: out.join(''), err: err.join('') };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-emergency-'));
    dataDir = join(dir, '.custody');
    // A fixed port, so that the service's URL (and so its emergency issuer) is $CUSTODY_URL.
    const port = await freePort();
    served = await serveProcess(
      dataDir,
      { CUSTODY_TLOG_RATE: '0' },
      [],
      ['--dev-oidc', '--listen', `127.0.0.1:${port}`],
    );
    url = served.url;
    assert.equal(url, `http://127.0.0.1:${port}`);
    // The first start prints an admin token on stdout, just after it says it listens.
    for (let i = 0; i < 100 && !/export CUSTODY_TOKEN=\S+\n/.test(served.stdout()); i++)
      await new Promise((r) => setTimeout(r, 50));
    tokens['admin'] = /export CUSTODY_TOKEN=(\S+)/.exec(served.stdout())?.[1] as string;
    assert.ok(tokens['admin'], served.stdout());
    for (const [who, role, person] of [
      ['alice', 'publisher', 'alice@example.com'],
      ['aliceApprover', 'approver', 'alice@example.com'],
      ['bob', 'approver', 'bob@example.com'],
    ] as const) {
      const t = await cli(
        undefined,
        'token',
        'create',
        '--role',
        role,
        '--person',
        person,
        '--team',
        'web',
        '--data-dir',
        dataDir,
      );
      assert.equal(t.code, 0, t.err);
      tokens[who] = t.out.trim().split('\n').pop() as string;
    }
    // README: curl -X PUT … /api/v1/teams/web/signing-identities
    const put = await fetch(`${url}/api/v1/teams/web/signing-identities`, {
      method: 'PUT',
      headers: {
        authorization: `Bearer ${tokens['admin']}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        identities: [{ issuer: 'https://accounts.example.com', subject: 'releaser@example\\.com' }],
      }),
    });
    assert.equal(put.status, 200, await put.text());
    writeFileSync(join(dir, 'release.tar'), 'the release artifact\n');
    writeFileSync(join(dir, 'provenance.json'), '{"buildDefinition":{"buildType":"x"}}\n');
  });

  after(async () => {
    served.child.kill('SIGTERM');
    await served.exit;
    rmSync(dir, { recursive: true, force: true });
  });

  it('the whole flow; verify refuses without --allow-emergency and reports approver and reason with it', async () => {
    const k = await cli(undefined, 'keys', 'generate', '-o', 'release.key');
    assert.equal(k.code, 0, k.err);
    const asked = await cli(
      tokens['alice'],
      ...['ca', 'emergency', 'request', '--team', 'web', '--identity', IDENTITY],
      ...['--key', 'release.key', '--reason', REASON, '--hours', '24'],
    );
    assert.equal(asked.code, 0, asked.err);
    const id = asked.out.trim();
    assert.match(id, /^\d+$/);
    assert.match(asked.err, /waits for another person's approval/);

    const early = await cli(tokens['alice'], 'ca', 'emergency', 'fetch', id, '-o', 'release.crt');
    assert.equal(early.code, 1, 'nothing to fetch before the approval');

    const self = await cli(tokens['aliceApprover'], 'ca', 'emergency', 'approve', id);
    assert.equal(self.code, 2);
    assert.match(self.err, /AUTH_SAME_PERSON/);

    const ok = await cli(tokens['bob'], 'ca', 'emergency', 'approve', id);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /approved by bob@example\.com/);
    assert.match(ok.out, new RegExp(`issuer ${url}/emergency`));

    const got = await cli(tokens['alice'], 'ca', 'emergency', 'fetch', id, '-o', 'release.crt');
    assert.equal(got.code, 0, got.err);
    assert.match(readFileSync(join(dir, 'release.crt'), 'utf8'), /BEGIN CERTIFICATE/);

    const list = await cli(tokens['bob'], 'ca', 'emergency', 'list', '--json');
    assert.equal(JSON.parse(list.out)[0].status, 'issued');

    const signed = await cli(
      undefined,
      ...['sign', 'release.tar', '--key', 'release.key', '--certificate', 'release.crt'],
      ...['-o', 'release.sigstore.json'],
    );
    assert.equal(signed.code, 0, signed.err);
    assert.match(signed.err, /logged at index \d+/);

    const policy = [
      ...['--certificate-identity', IDENTITY, '--certificate-oidc-issuer', `${url}/emergency`],
      ...['--trusted-root', '.custody/trusted_root.json'],
    ];
    const refused = await cli(
      undefined,
      ...['verify', 'release.tar', '--bundle', 'release.sigstore.json', ...policy],
    );
    assert.equal(refused.code, 1, refused.err);
    assert.match(refused.err, /SIGN_EMERGENCY_CERTIFICATE/);
    assert.match(refused.err, /approved by bob@example\.com/);

    const text = await cli(
      undefined,
      ...['verify', 'release.tar', '--bundle', 'release.sigstore.json', ...policy],
      '--allow-emergency',
    );
    assert.equal(text.code, 0, text.err);
    assert.match(
      text.out,
      /EMERGENCY certificate: approved by bob@example\.com, requested by alice@example\.com; reason: OIDC outage INC-4711/,
    );

    const json = await cli(
      undefined,
      ...['verify', 'release.tar', '--bundle', 'release.sigstore.json', ...policy],
      ...['--allow-emergency', '--json'],
    );
    assert.equal(json.code, 0, json.err);
    const v = JSON.parse(json.out);
    assert.equal(v.signer.identity, IDENTITY);
    assert.equal(v.signer.issuer, `${url}/emergency`);
    assert.deepEqual(v.signer.emergency, {
      approver: 'bob@example.com',
      requester: 'alice@example.com',
      reason: REASON,
      request: id,
    });

    const vb = ['verify-bundle', '--bundle', 'release.sigstore.json', ...policy, 'release.tar'];
    const vbRefused = await cli(undefined, ...vb);
    assert.equal(vbRefused.code, 1);
    assert.match(vbRefused.err, /SIGN_EMERGENCY_CERTIFICATE/);
    const vbOk = await cli(undefined, ...vb, '--allow-emergency', '--json');
    assert.equal(vbOk.code, 0, vbOk.err);
    assert.equal(JSON.parse(vbOk.out).signer.emergency.approver, 'bob@example.com');

    const att = await cli(
      undefined,
      ...['attest', 'release.tar', '--predicate', 'provenance.json', '--type', 'slsaprovenance1'],
      ...['--key', 'release.key', '--certificate', 'release.crt', '-o', 'att.sigstore.json'],
    );
    assert.equal(att.code, 0, att.err);
    const va = [
      ...['verify-attestation', 'release.tar', '--bundle', 'att.sigstore.json'],
      ...['--type', 'slsaprovenance1', ...policy],
    ];
    const vaRefused = await cli(undefined, ...va);
    assert.equal(vaRefused.code, 1);
    assert.match(vaRefused.err, /SIGN_EMERGENCY_CERTIFICATE/);
    const vaOk = await cli(undefined, ...va, '--allow-emergency');
    assert.equal(vaOk.code, 0, vaOk.err);
    assert.match(vaOk.out, /EMERGENCY certificate: approved by bob@example\.com/);
  });

  it('signing with a certificate that is not for the key is refused', async () => {
    const other = await cli(undefined, 'keys', 'generate', '-o', 'other.key');
    assert.equal(other.code, 0, other.err);
    const r = await cli(
      undefined,
      ...['sign', 'release.tar', '--key', 'other.key', '--certificate', 'release.crt'],
    );
    assert.equal(r.code, 2);
    assert.match(r.err, /SIGN_KEY_INVALID/);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
