import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/log/logger.js';
import { buildServer, type CustodyServer } from '../../src/server/app.js';
import { CONTENT_SECURITY_POLICY, defaultWebDir } from '../../src/server/web-assets.js';
import { REPO_ROOT } from '../helpers/conformance.js';
import { freshServices, type TestServices } from '../helpers/store.js';

// The built dashboard served at `/` (src/server/web-assets.ts), from a dist/web of the test's own.

const HTML = { accept: 'text/html,application/xhtml+xml' };

async function serve(
  s: TestServices,
  webDir: string,
): Promise<{ app: CustodyServer; base: string }> {
  const app = await buildServer({
    services: s,
    logger: createLogger('silent'),
    maxSbomBytes: 1024 * 1024,
    maxBodyBytes: 1024 * 1024,
    webDir,
  });
  await app.app.listen({ host: '127.0.0.1', port: 0 });
  return { app, base: `http://127.0.0.1:${(app.app.server.address() as AddressInfo).port}` };
}

describe('dashboard static serving', () => {
  let s: TestServices;
  let built: { app: CustodyServer; base: string };
  let missing: { app: CustodyServer; base: string };
  let dir: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-web-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="app"></div>');
    writeFileSync(join(dir, 'assets', 'index-AbC123.js'), 'console.log(1)');
    writeFileSync(join(dir, 'assets', 'index-AbC123.css'), 'body{}');
    writeFileSync(join(dir, 'favicon.svg'), '<svg/>');
    s = await freshServices('sqlite', undefined, { tlog: false });
    built = await serve(s, dir);
    missing = await serve(s, join(dir, 'not-there'));
  });
  after(async () => {
    await built?.app.app.close();
    await missing?.app.app.close();
    await s?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('/ is index.html, never cached, with the security headers', async () => {
    const r = await fetch(`${built.base}/`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'text/html; charset=utf-8');
    assert.equal(r.headers.get('cache-control'), 'no-cache');
    const csp = r.headers.get('content-security-policy') ?? '';
    assert.equal(csp, CONTENT_SECURITY_POLICY);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(r.headers.get('referrer-policy'), 'no-referrer');
    assert.match(await r.text(), /id="app"/);
  });

  it('hashed assets: their content type, cached for good', async () => {
    const js = await fetch(`${built.base}/assets/index-AbC123.js`);
    assert.equal(js.status, 200);
    assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
    assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
    const css = await fetch(`${built.base}/assets/index-AbC123.css`);
    assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
    const svg = await fetch(`${built.base}/favicon.svg`);
    assert.equal(svg.headers.get('content-type'), 'image/svg+xml');
    assert.equal(svg.headers.get('cache-control'), 'no-cache');
    // A missing asset is a 404, not the page.
    const gone = await fetch(`${built.base}/assets/index-Gone.js`, { headers: HTML });
    assert.equal(gone.status, 404);
  });

  it('the page’s own routes fall back to index.html when HTML is asked for', async () => {
    const r = await fetch(`${built.base}/releases/42?tab=components`, { headers: HTML });
    assert.equal(r.status, 200);
    assert.match(await r.text(), /id="app"/);
    assert.ok(r.headers.get('content-security-policy'));
    // Without Accept: text/html (a script, curl) it is the API's 404.
    const plain = await fetch(`${built.base}/releases/42`);
    assert.equal(plain.status, 404);
    assert.equal(((await plain.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });

  it('unknown service paths stay JSON 404s, whatever Accept says', async () => {
    for (const path of ['/api/v1/nope', '/api', '/tlog/nope', '/metrics/x', '/admission/x']) {
      const r = await fetch(`${built.base}${path}`, { headers: HTML });
      assert.equal(r.status, 404, path);
      assert.match(r.headers.get('content-type') ?? '', /application\/json/, path);
      assert.equal(((await r.json()) as { error: { code: string } }).error.code, 'NOT_FOUND', path);
    }
    const health = await fetch(`${built.base}/healthz`, { headers: HTML });
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
    // Tokens are still needed for the API behind the page.
    const api = await fetch(`${built.base}/api/v1/dashboard/overview`, { headers: HTML });
    assert.equal(api.status, 401);
  });

  it('without a build, / says to run npm run build', async () => {
    const r = await fetch(`${missing.base}/`);
    assert.equal(r.status, 503);
    assert.match(await r.text(), /npm run build/);
    const api = await fetch(`${missing.base}/api/v1/nope`);
    assert.equal(api.status, 404);
  });

  it('the default folder is the package’s dist/web, whatever the working directory', () => {
    assert.equal(defaultWebDir(), join(REPO_ROOT, 'dist', 'web'));
  });
});
