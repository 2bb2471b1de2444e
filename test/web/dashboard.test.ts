import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { BROWSER_SKIP, launchBrowser, VIEWPORTS } from '../helpers/browser.js';
import { REPO_ROOT } from '../helpers/conformance.js';
import { type Served, serveProcess } from '../helpers/serve-process.js';
import { api, printedToken, type Seeded, seedPortfolio } from './seed.js';

/**
 * The dashboard in a real browser (Debian's chromium through playwright-core) against a real
 * `custody serve` child on loopback, seeded through the public API and the CLI only: log in with
 * the printed token, search a purl, approve a draft VEX as a second person (the drafter is
 * refused with the service's message), open a release and see its inclusion proofs checked in the
 * page (and fail when a byte of the proof changes), export the evidence, reach the search box and
 * the main navigation by keyboard, and no view scrolls sideways at 375 px. Screenshots of every
 * main view at laptop and phone widths go to test-artifacts/screenshots/ (not committed).
 */

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const SHOTS = join(REPO_ROOT, 'test-artifacts', 'screenshots');
const VIEWS = [
  { name: 'portfolio', hash: '#/', ready: '[data-testid="releases"], .error' },
  { name: 'vulnerabilities', hash: '#/vulnerabilities', ready: '[data-testid="advisories"]' },
  { name: 'admission', hash: '#/admission', ready: '#rec-h' },
  { name: 'tlog', hash: '#/tlog', ready: '[data-testid="reporters"]' },
  { name: 'figures', hash: '#/figures', ready: '#manual-h' },
] as const;

describe('the dashboard in a browser', { skip: BROWSER_SKIP }, () => {
  let served: Served;
  let dataDir: string;
  let browser: Browser;
  let seeded: Seeded;
  let base: string;

  /** A fresh tab (its own sessionStorage) logged in with `token` through the login form. */
  async function loggedIn(
    token: string,
    viewport: keyof typeof VIEWPORTS = 'laptop',
  ): Promise<Page> {
    const page = await browser.newPage({ viewport: VIEWPORTS[viewport] });
    await page.goto(base);
    await page.fill('#token', token);
    await page.click('button[type="submit"]');
    await page.waitForSelector('header.top .who');
    return page;
  }

  before(async () => {
    if (!existsSync(join(REPO_ROOT, 'dist/web/index.html'))) {
      const b = spawnSync(
        'npx',
        ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
        {
          cwd: REPO_ROOT,
          encoding: 'utf8',
        },
      );
      assert.equal(b.status, 0, b.stderr);
    }
    dataDir = mkdtempSync(join(tmpdir(), 'custody-web-'));
    mkdirSync(SHOTS, { recursive: true });
    // --dev-oidc: the development issuer, so that "Log in with OIDC" runs the real flow too. Its
    // issuer URL is the listening address as given, so a real port (not :0), given last, wins.
    const port = await freePort();
    [served, browser] = await Promise.all([
      serveProcess(dataDir, {}, [], ['--dev-oidc', '--listen', `127.0.0.1:${port}`]),
      launchBrowser(),
    ]);
    base = served.url;
    const admin = await printedToken(served);
    seeded = await seedPortfolio(base, admin);
  });

  after(async () => {
    await browser?.close();
    served?.child.kill('SIGTERM');
    await served?.exit;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('logs in with the printed token; a wrong token shows the service’s code and message', async () => {
    const page = await browser.newPage({ viewport: VIEWPORTS.laptop });
    await page.goto(base);
    await page.fill('#token', 'cust_not-a-real-token');
    await page.click('button[type="submit"]');
    const alert = page.locator('[role="alert"]');
    await alert.waitFor();
    assert.match(await alert.innerText(), /AUTH_/);
    await page.fill('#token', seeded.admin);
    await page.click('button[type="submit"]');
    await page.waitForSelector('header.top .who');
    assert.match(await page.locator('header.top .who').innerText(), /admin/);
    await page.close();
  });

  it('picks the token up from #login=<token> and clears the fragment', async () => {
    const page = await browser.newPage({ viewport: VIEWPORTS.laptop });
    await page.goto(`${base}/#login=${encodeURIComponent(seeded.bob)}`);
    await page.waitForSelector('header.top .who');
    assert.match(await page.locator('header.top .who').innerText(), /approver/);
    assert.doesNotMatch(page.url(), /login=/);
    await page.close();
  });

  it('Log in with OIDC runs the provider’s flow; Log out ends that session on the service', async () => {
    const page = await browser.newPage({ viewport: VIEWPORTS.laptop });
    await page.goto(base);
    await page.click('text=Log in with OIDC');
    await page.waitForSelector('header.top .who', { timeout: 10_000 }).catch(async (e) => {
      throw new Error(`${page.url()}: ${(await page.content()).slice(0, 600)}`, { cause: e });
    });
    assert.doesNotMatch(page.url(), /login=/);
    const token = await page.evaluate<string>("sessionStorage.getItem('custody.token')");
    assert.notEqual(token, seeded.admin, 'a session token of its own');
    assert.ok((await api(base, token, 'GET', '/api/v1/whoami')).person);
    await page.click('text=Log out');
    await page.waitForSelector('#token');
    await assert.rejects(api(base, token, 'GET', '/api/v1/whoami'), /401/);
    await page.close();
  });

  it('Tab reaches the search box and the main navigation', async () => {
    const page = await loggedIn(seeded.admin);
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      seen.add(
        // A string, evaluated in the page: the tests' own tsconfig has no DOM library.
        await page.evaluate<string>(`(() => {
          const a = document.activeElement;
          if (a?.id === 'q') return 'search';
          if (a?.closest('nav[aria-label="Main"]')) return 'nav';
          if (a?.classList.contains('skip-link')) return 'skip';
          return a?.tagName ?? '';
        })()`),
      );
    }
    assert.ok(seen.has('skip'), [...seen].join());
    assert.ok(seen.has('search'), [...seen].join());
    assert.ok(seen.has('nav'), [...seen].join());
    await page.close();
  });

  it('a purl search lists every release that has it', async () => {
    const page = await loggedIn(seeded.alice);
    await page.fill('#q', seeded.purl);
    await page.press('#q', 'Enter');
    const rows = page.locator('[data-testid="search-results"] tr');
    await rows.first().waitFor();
    const text = await page.locator('[data-testid="search-results"]').innerText();
    assert.match(text, /shop 1\.0\.0/);
    assert.match(text, /shop 1\.1\.0/);
    assert.doesNotMatch(text, /portal/);
    await page.close();
  });

  it('a draft VEX: the person who moved it is refused; a second person approves it', async () => {
    const aliceApprover = (
      await api(base, seeded.admin, 'POST', '/api/v1/tokens', {
        role: 'approver',
        person: 'alice@example.com',
        teams: ['web'],
      })
    ).token as string;
    const viewer = (
      await api(base, seeded.admin, 'POST', '/api/v1/tokens', {
        role: 'viewer',
        person: 'vic@example.com',
      })
    ).token as string;

    const v = await loggedIn(viewer);
    await v.goto(`${base}/#/vulnerabilities`);
    await v.locator('[data-testid="queue"] tr').first().waitFor();
    assert.equal(
      await v.locator('[data-testid="queue"] button').count(),
      0,
      'a viewer gets no Approve button',
    );
    await v.close();

    const same = await loggedIn(aliceApprover);
    await same.goto(`${base}/#/vulnerabilities`);
    await same.locator('[data-testid="queue"] button').first().click();
    const refused = same.locator('[data-testid="queue-result"] .error');
    await refused.waitFor();
    assert.match(await refused.innerText(), /^[A-Z_]+: .*(second|another|same|drafted)/i);
    await same.close();

    const bob = await loggedIn(seeded.bob);
    await bob.goto(`${base}/#/vulnerabilities`);
    await bob.locator('[data-testid="queue"] button').first().click();
    await bob.locator('[data-testid="queue-result"] .good').waitFor();
    const st = await api(base, seeded.bob, 'GET', `/api/v1/vex-statements/${seeded.statement}`);
    assert.equal(st.approvedBy, 'bob@example.com');
    assert.equal(st.needsApproval, false);
    await bob.locator('text=Nothing waits for approval.').waitFor();
    await bob.close();
  });

  it('the release view: signatures, component search, and inclusion proofs checked in the page (✓; ✗ once a byte changes)', async () => {
    const page = await loggedIn(seeded.alice);
    await page.goto(`${base}/#/releases/${seeded.releaseId}`);
    const cell = page.locator('[data-testid^="proof-"]').first();
    await cell.locator('.status').waitFor();
    assert.match(await cell.innerText(), /✓ included/);
    assert.match(await page.locator('[data-testid="signatures"]').innerText(), /web release key/);
    // Pages follow the API's cursor: the next page holds other components, the first page again
    // the same ones.
    const firstRow = page.locator('[data-testid="components"] tr').first();
    await firstRow.waitFor();
    const onFirst = await firstRow.innerText();
    const pager = page.locator('section:has([data-testid="components"]) .pager').first();
    await pager.getByRole('button', { name: 'Next page' }).click();
    for (const deadline = Date.now() + 10_000; (await firstRow.innerText()) === onFirst; ) {
      assert.ok(Date.now() < deadline, 'Next page showed the same components');
      await page.waitForTimeout(50);
    }
    await pager.getByRole('button', { name: 'First page' }).click();
    for (const deadline = Date.now() + 10_000; (await firstRow.innerText()) !== onFirst; ) {
      assert.ok(Date.now() < deadline, 'First page did not come back to the first components');
      await page.waitForTimeout(50);
    }
    await page.fill('#comp-q', 'traverse');
    await page.press('#comp-q', 'Enter');
    const rows = page.locator('[data-testid="components"] tr');
    // The first page holds 25 of the release's 648 components; the search narrows it.
    const narrowed = async () => {
      const n = await rows.count();
      return n > 0 && n < 25;
    };
    for (const deadline = Date.now() + 10_000; !(await narrowed()); ) {
      assert.ok(Date.now() < deadline, `still ${await rows.count()} rows after the search`);
      await page.waitForTimeout(50);
    }
    for (const row of await rows.allInnerTexts()) assert.match(row, /traverse/);
    assert.match((await rows.allInnerTexts()).join('\n'), /traverse@7\.21\.5/);

    // The same answer with one byte of the leaf changed: the page must notice on its own.
    await page.route(`**/api/v1/dashboard/releases/${seeded.releaseId}`, async (route) => {
      const res = await route.fetch();
      const body = await res.json();
      const leaf = Buffer.from(body.logEntries[0].leaf, 'base64');
      leaf[0] = (leaf[0] as number) ^ 1;
      body.logEntries[0].leaf = leaf.toString('base64');
      await route.fulfill({ response: res, json: body });
    });
    await page.reload();
    const bad = page.locator('[data-testid^="proof-"]').first();
    await bad.locator('.status').waitFor();
    assert.match(await bad.innerText(), /✗ not proven/);
    await page.close();
  });

  it('Export evidence downloads the release’s tar', async () => {
    const page = await loggedIn(seeded.admin);
    await page.goto(`${base}/#/releases/${seeded.releaseId}`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('text=Export evidence'),
    ]);
    const file = join(dataDir, 'evidence.tar');
    await download.saveAs(file);
    assert.ok(statSync(file).size > 0);
    assert.match(download.suggestedFilename(), /\.tar$/);
    const { run } = await import('../../src/cli/main.js');
    let out = '';
    const io = {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: (s: string) => (out += s) },
      env: {},
      cwd: dataDir,
    };
    assert.equal(await run(['evidence', 'verify', file], io), 0, out);
    await page.close();
  });

  for (const viewport of ['laptop', 'phone'] as const)
    it(`every main view at ${viewport} width: screenshot, and no sideways scrolling`, async () => {
      const page = await loggedIn(seeded.admin, viewport);
      const views = [
        ...VIEWS,
        {
          name: 'release',
          hash: `#/releases/${seeded.releaseId}`,
          ready: '[data-testid="components"]',
        },
      ];
      for (const v of views) {
        await page.goto(`${base}/${v.hash}`);
        await page.waitForSelector(v.ready);
        await page.waitForSelector('.loading', { state: 'detached' });
        await page.screenshot({ path: join(SHOTS, `${v.name}-${viewport}.png`), fullPage: true });
        const width = await page.evaluate<number>('document.documentElement.scrollWidth');
        assert.ok(
          width <= VIEWPORTS[viewport].width,
          `${v.name} is ${width}px wide at ${viewport} width`,
        );
      }
      await page.close();
    });
});
