import { appendFileSync, existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/**
 * Debian's chromium driven by playwright-core, for the dashboard's browser tests (test/web/).
 * `chromium.launch` gives every browser a fresh temporary profile (user-data dir) and deletes it
 * on close, so no state leaks between files or runs.
 */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * For `describe(…, { skip: BROWSER_SKIP })`, as test/pkcs11/softhsm.ts does for SoftHSM2: the group
 * skips when chromium is absent and says so in scripts/run-tests.mjs's summary; in CI (`CI=true`,
 * where .ci/run installs it) a missing chromium fails the file instead.
 */
export const BROWSER_SKIP: string | false = existsSync(CHROMIUM) ? false : missingChromium();

function missingChromium(): string {
  const reason = 'chromium is not installed (apt-get install chromium)';
  if (process.env['CI'] === 'true')
    throw new Error(`chromium is required in CI (CI=true): ${reason}`);
  const report = process.env['CUSTODY_TEST_SKIP_REPORT'];
  if (report) appendFileSync(report, `${process.argv[1] ?? 'a test file'}\t${reason}\n`);
  return reason;
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export const VIEWPORTS = {
  laptop: { width: 1366, height: 768 },
  phone: { width: 375, height: 812 },
} as const;
