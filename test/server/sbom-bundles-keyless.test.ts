import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/cli/main.js';
import { type Served, serveProcess } from '../helpers/serve-process.js';
import { sbomFixtures } from '../helpers/server.js';

/**
 * Signed SBOMs with keyless certificates, against `custody serve --dev-oidc` as a user runs it:
 * the team admits an issuer and a subject pattern; a certificate for that subject (from the
 * service's CA, checked under the trusted root it serves) signs the SBOM; another subject from
 * the same issuer is refused.
 */
describe('signed SBOMs, keyless (custody serve --dev-oidc)', () => {
  let dir: string;
  let served: Served;
  let issuer: string;
  let admin: string;
  let publisher: string;

  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(served.url + path, {
      method,
      headers: {
        authorization: `Bearer ${admin}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  const cli = async (argv: string[], env: Record<string, string>) => {
    let stdout = '';
    let stderr = '';
    const io = {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { CUSTODY_URL: served.url, CUSTODY_TOKEN: publisher, ...env },
      cwd: dir,
    };
    const code = await run(argv, io as never);
    return { code, stdout, stderr };
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-signed-keyless-'));
    served = await serveProcess(join(dir, 'data'), { CUSTODY_TLOG_RATE: '0' }, [], ['--dev-oidc']);
    // The first start prints the admin token on stdout, just after it starts listening.
    for (let i = 0; i < 100 && !/CUSTODY_TOKEN=\S+\n/.test(served.stdout()); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    admin = /export CUSTODY_TOKEN=(\S+)/.exec(served.stdout())?.[1] as string;
    assert.ok(admin, served.stdout());
    const discovery = await fetch(`${served.url}/dev-oidc/.well-known/openid-configuration`);
    issuer = ((await discovery.json()) as { issuer: string }).issuer;
    assert.equal((await api('POST', '/api/v1/teams', { name: 'web' })).status, 201);
    const t = await api('POST', '/api/v1/tokens', {
      role: 'publisher',
      person: 'wes',
      teams: ['web'],
    });
    assert.equal(t.status, 201);
    publisher = t.json['token'] as string;
    const set = await api('PUT', '/api/v1/teams/web/signing-identities', {
      identities: [{ issuer, subject: 'releaser@example\\.com' }],
    });
    assert.equal(set.status, 200, JSON.stringify(set.json));
    writeFileSync(join(dir, 'sbom.json'), (await sbomFixtures()).demo);
  });

  after(async () => {
    served.child.kill('SIGTERM');
    await served.exit;
    rmSync(dir, { recursive: true, force: true });
  });

  it("a certificate for an admitted subject signs it; another subject's is refused", async () => {
    const stranger = await cli(['sign', 'sbom.json', '-o', 'stranger.bundle'], {
      CUSTODY_DEV_OIDC_SUBJECT: 'intruder@example.com',
    });
    assert.equal(stranger.code, 0, stranger.stderr);
    const refused = await cli(
      ['push', 'sbom', 'sbom.json', '--product', 'demo', '--release', '1.0.0'].concat([
        '--bundle',
        'stranger.bundle',
      ]),
      {},
    );
    assert.equal(refused.code, 1, refused.stderr);
    assert.match(
      refused.stderr,
      /SBOM_SIGNER_NOT_ADMITTED: bundle: The bundle is signed by intruder@example\.com/,
    );

    const s = await cli(['sign', 'sbom.json', '-o', 'sbom.bundle'], {
      CUSTODY_DEV_OIDC_SUBJECT: 'releaser@example.com',
    });
    assert.equal(s.code, 0, s.stderr);
    const pushed = await cli(
      ['push', 'sbom', 'sbom.json', '--product', 'demo', '--release', '1.0.0'].concat([
        '--bundle',
        'sbom.bundle',
      ]),
      {},
    );
    assert.equal(pushed.code, 0, pushed.stderr);
    assert.match(pushed.stdout, /already stored/);
    assert.match(
      pushed.stdout,
      new RegExp(
        `signed {2}sbom\\.json: by releaser@example\\.com \\(${issuer}\\), log index \\d+`,
      ),
    );
    const f = await api('GET', '/api/v1/portfolio');
    assert.deepEqual((f.json['signed'] as { teams: unknown }).teams, [
      { team: 'web', currentSboms: 1, signedSboms: 1, share: 1 },
    ]);
  });
});
