import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateSbom } from '../../src/app/generate-sbom.js';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { conformancePath, REPO_ROOT } from '../helpers/conformance.js';
import type { Served } from '../helpers/serve-process.js';

/**
 * A small portfolio for the dashboard's browser tests, seeded only through the public API and the
 * CLI as a user runs them against a `custody serve` child: a team, a publisher (alice) and an
 * approver (bob), a signing key registered for the team, two releases of `shop` (the second signed
 * and logged), a critical advisory that matches both, and the system's draft VEX for it moved to
 * not_affected by alice so that it waits for a second person's approval.
 */

/** Critical, CVE-2023-45133: @babel/traverse < 7.23.2 (the demo SBOM below has 7.21.5). */
export const BABEL = 'GHSA-67hx-6x53-jw92';
export const BABEL_CVE = 'CVE-2023-45133';
const LOCK = conformancePath('lockfiles', 'npm', 'cdxgen__cdxgen.package-lock.v3.json');

// biome-ignore lint/suspicious/noExplicitAny: API answers are poked at freely
type Json = any;

export interface Seeded {
  admin: string;
  alice: string;
  bob: string;
  /** The pending statement's id (alice moved it to not_affected; bob approves it). */
  statement: number;
  /** The signed release's id. */
  releaseId: number;
  /** A purl of a component in both releases. */
  purl: string;
}

/** The admin token `custody serve` prints on its first start (stdout may trail stderr). */
export function printedToken(served: Served): Promise<string> {
  return new Promise((resolve, reject) => {
    const look = () => {
      const m = /CUSTODY_TOKEN=(\S+)/.exec(served.stdout());
      if (!m) return false;
      served.child.stdout?.off('data', look);
      resolve(m[1] as string);
      return true;
    };
    if (look()) return;
    served.child.stdout?.on('data', look);
    void served.exit.then(() =>
      reject(new Error(`serve exited without a token: ${served.stderr()}`)),
    );
  });
}

export async function api(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<Json> {
  const res = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': contentType } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 400)}`);
  return text === '' ? undefined : JSON.parse(text);
}

async function until<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function seedPortfolio(base: string, admin: string): Promise<Seeded> {
  const dir = mkdtempSync(join(tmpdir(), 'custody-web-seed-'));
  try {
    await api(base, admin, 'POST', '/api/v1/teams', { name: 'web' });
    const token = async (role: string, person: string) =>
      (await api(base, admin, 'POST', '/api/v1/tokens', { role, person, teams: ['web'] }))
        .token as string;
    const alice = await token('publisher', 'alice@example.com');
    const bob = await token('approver', 'bob@example.com');
    const cli = async (argv: string[]) => {
      let out = '';
      const io: CliIO = {
        stdout: { write: (s: string) => (out += s) },
        stderr: { write: (s: string) => (out += s) },
        env: { CUSTODY_URL: base, CUSTODY_TOKEN: alice },
        cwd: dir,
      };
      const code = await run(argv, io);
      if (code !== 0) throw new Error(`custody ${argv.join(' ')}: ${out}`);
      return out;
    };
    await cli(['keys', 'generate', '-o', 'release.key']);
    await api(base, admin, 'PUT', '/api/v1/teams/web/signing-identities', {
      identities: [
        { publicKey: readFileSync(join(dir, 'release.pub'), 'utf8'), name: 'web release key' },
      ],
    });
    const sbom = (await generateSbom(LOCK, { deterministic: true })).text;
    writeFileSync(join(dir, 'sbom.json'), sbom);
    const push = ['push', 'sbom', 'sbom.json', '--product', 'shop', '--team', 'web'];
    await cli([...push, '--release', '1.0.0']);
    await cli(['sign', 'sbom.json', '--key', 'release.key', '-o', 'sbom.bundle']);
    await cli([...push, '--release', '1.1.0', '--ticket', 'CHG-42', '--bundle', 'sbom.bundle']);
    const demo = (await generateSbom(join(REPO_ROOT, 'examples/demo-app'), { deterministic: true }))
      .text;
    await api(
      base,
      alice,
      'POST',
      '/api/v1/sboms?product=portal&release=2.0.0&team=web',
      demo,
      'application/vnd.cyclonedx+json',
    );

    const osv = JSON.parse(readFileSync(conformancePath('osv', 'npm', `${BABEL}.json`), 'utf8'));
    await api(base, admin, 'POST', '/api/v1/advisories', [osv]);
    const st = await until('the system drafts a VEX statement', async () => {
      const r = await api(base, bob, 'GET', '/api/v1/vex/shop/statements');
      return (r.items as Json[]).find((x) => x.vulnerability === BABEL);
    });
    await api(base, alice, 'POST', `/api/v1/vex-statements/${st.id}/transition`, {
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      impactStatement: 'shop never compiles untrusted code with babel',
    });
    // A monitor that follows this log and reports what it verified (`--report-to`).
    const log = await api(base, admin, 'GET', '/api/v1/tlog');
    await api(base, admin, 'POST', '/api/v1/tlog/reports', {
      name: 'monitor-eu-1',
      kind: 'monitor',
      origin: log.origin,
      size: log.size,
      rootHash: log.rootHash,
      verifiedAt: new Date().toISOString(),
    });
    const release = await api(base, alice, 'GET', '/api/v1/products/shop/releases/1.1.0');
    const comps = await api(
      base,
      alice,
      'GET',
      '/api/v1/components?name=%40babel%2Ftraverse&limit=1',
    );
    return {
      admin,
      alice,
      bob,
      statement: st.id,
      releaseId: release.id,
      purl: comps.items?.[0]?.purl ?? 'pkg:npm/%40babel/traverse@7.21.5',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
