import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Served, serveProcess } from '../helpers/serve-process.js';
import { freePort, logIn } from './flow.js';

/** What `npm start` users get: `custody serve --dev-oidc` with no CUSTODY_LOGIN_* settings. */
describe('custody serve --dev-oidc: "Log in with OIDC" works out of the box', () => {
  let dir: string;
  let served: Served;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-login-serve-'));
    const port = await freePort();
    served = await serveProcess(dir, {}, [], ['--dev-oidc', '--listen', `127.0.0.1:${port}`]);
  });
  after(async () => {
    served.child.kill('SIGTERM');
    await served.exit;
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs the dev identity in as the bootstrap admin, and says so at start', async () => {
    // The start-up lines after "listening" arrive a moment later.
    while (!/Dashboard login with OIDC/.test(served.stderr()))
      await once(served.child.stderr as NodeJS.ReadableStream, 'data');
    assert.match(
      served.stderr(),
      /Dashboard login with OIDC at http:\/\/127\.0\.0\.1:\d+\/login\/oidc/,
    );
    const l = await logIn({ base: served.url });
    assert.equal(l.answer.status, 303, l.answer.text);
    const me = await fetch(`${served.url}/api/v1/whoami`, {
      headers: { authorization: `Bearer ${l.token}` },
    });
    const body = (await me.json()) as { person: string; role: string; expiresAt: string };
    assert.equal(body.person, 'bootstrap admin');
    assert.equal(body.role, 'admin');
    assert.ok(Date.parse(body.expiresAt) > Date.now());
    assert.doesNotMatch(served.stderr(), /cust_/);
  });
});
