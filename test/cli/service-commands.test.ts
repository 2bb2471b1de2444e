import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TokenAuthenticator } from '../../src/app/tokens.js';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { demoSbom, SAMPLES } from '../app/inventory/fixtures.js';
import { conformancePath, REPO_ROOT } from '../helpers/conformance.js';
import { type Served, serveProcess } from '../helpers/serve-process.js';
import { freshServices } from '../helpers/store.js';

/** Run the CLI in-process with captured streams. */
async function cli(argv: string[], env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env,
    cwd: REPO_ROOT,
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

describe('custody token (CLI, in-process, on the data directory)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'custody-token-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('create prints the token alone on the last stdout line', async () => {
    const r = await cli([
      'token',
      'create',
      '--role',
      'publisher',
      '--person',
      'pat@example.com',
      '--team',
      'web',
      '--data-dir',
      dir,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.equal(out.length, 1);
    assert.match(out[out.length - 1] ?? '', /^cust_[A-Za-z0-9_-]{43}$/);
    assert.match(r.stderr, /for pat@example.com: role publisher, teams web/);
    assert.match(r.stderr, /shown once/);
  });

  it('create --json, list and revoke', async () => {
    const r = await cli([
      'token',
      'create',
      '--role',
      'viewer',
      '--person',
      'pat@example.com',
      '--name',
      'dash',
      '--expires-days',
      '7',
      '--data-dir',
      dir,
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const t = JSON.parse(r.stdout) as {
      id: number;
      token: string;
      role: string;
      teams: unknown;
      expiresAt: string;
    };
    assert.equal(t.role, 'viewer');
    assert.ok(t.expiresAt);
    const list = await cli(['token', 'list', '--data-dir', dir, '--json']);
    assert.equal(list.code, 0);
    assert.ok(!list.stdout.includes(t.token));
    const views = JSON.parse(list.stdout) as { id: number; name: string }[];
    assert.ok(views.some((v) => v.id === t.id && v.name === 'dash'));
    assert.equal((await cli(['token', 'revoke', String(t.id), '--data-dir', dir])).code, 0);
    const table = await cli(['token', 'list', '--data-dir', dir]);
    assert.match(table.stdout, /revoked\s+dash/);
    const again = await cli(['token', 'revoke', String(t.id), '--data-dir', dir]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /INVENTORY_NOT_FOUND/);
    assert.equal((await cli(['token', 'revoke', 'abc', '--data-dir', dir])).code, 2);
  });

  it('a bad role, team name or missing --role is exit 2', async () => {
    const bad = await cli([
      'token',
      'create',
      '--role',
      'root',
      '--person',
      'pat',
      '--data-dir',
      dir,
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /INVENTORY_INPUT_INVALID.*role must be one of/);
    assert.equal(bad.stdout, '');
    assert.equal(
      (
        await cli([
          'token',
          'create',
          '--role',
          'viewer',
          '--person',
          'pat',
          '--team',
          'Web!',
          '--data-dir',
          dir,
        ])
      ).code,
      2,
    );
    assert.equal((await cli(['token', 'create', '--data-dir', dir])).code, 2);
    // Every token names its person: decisions that need two people compare it.
    const noPerson = await cli(['token', 'create', '--role', 'viewer', '--data-dir', dir]);
    assert.equal(noPerson.code, 2);
    assert.match(noPerson.stderr, /--person/);
  });

  it('CUSTODY_DATABASE_URL selects PostgreSQL', async () => {
    const s = await freshServices('postgres');
    try {
      const r = await cli(
        [
          'token',
          'create',
          '--role',
          'auditor',
          '--person',
          'pat',
          '--team',
          'ops',
          '--data-dir',
          dir,
        ],
        {
          CUSTODY_DATABASE_URL: s.databaseUrl as string,
        },
      );
      assert.equal(r.code, 0, r.stderr);
      const token = lines(r.stdout).at(-1) as string;
      const p = await new TokenAuthenticator(s).authenticate(token);
      assert.equal(p.role, 'auditor');
      assert.deepEqual(p.teams, ['ops']);
    } finally {
      await s.close();
    }
  });
});

/** `custody serve` as a child process, run from the TypeScript sources (dist/ may be older). */
function serve(dataDir: string): Promise<Served> {
  return serveProcess(dataDir);
}

/** Wait for the child's output to show something (its two pipes are read independently). */
async function until(ok: () => boolean, ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe('custody serve, push and search (service as a child process)', () => {
  let dir: string;
  let server: Served;
  let env: Record<string, string>;
  let files: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'custody-serve-'));
    server = await serve(join(dir, 'data'));
    await until(() => server.stdout().includes('CUSTODY_TOKEN='));
    const token = /export CUSTODY_TOKEN=(cust_\S+)/.exec(server.stdout())?.[1];
    assert.ok(token, `no admin token on stdout: ${server.stdout()}`);
    assert.match(server.stdout(), new RegExp(`export CUSTODY_URL=${server.url}`));
    env = { CUSTODY_URL: server.url, CUSTODY_TOKEN: token };
    files = join(dir, 'sboms');
    mkdirSync(join(files, 'nested'), { recursive: true });
    writeFileSync(join(files, 'demo-app.cdx.json'), await demoSbom('demo-app'));
    writeFileSync(join(files, 'nested', 'demo-app-1.1.cdx.json'), await demoSbom('demo-app-1.1'));
    writeFileSync(join(files, 'README.txt'), 'not an SBOM');
  });
  after(async () => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('push sbom <file> --product --release stores it; again, it is already stored', async () => {
    const file = join(files, 'demo-app.cdx.json');
    const r = await cli(['push', 'sbom', file, '--product', 'shop', '--release', '1.0.0'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^stored {2}.*demo-app\.cdx\.json → SBOM \d+ of shop 1\.0\.0 \(75 components, score [\d.]+, sha256:/,
    );
    const again = await cli(['push', 'sbom', file, '--product', 'shop', '--release', '1.0.0'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /^already stored {2}/);
  });

  it('push sbom <dir> pushes every SBOM in it, filed under each subject', async () => {
    const r = await cli(['push', 'sbom', files, '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const outcomes = JSON.parse(r.stdout) as {
      file: string;
      ok: boolean;
      sbom: { product: string; release: string; componentCount: number };
    }[];
    assert.deepEqual(
      outcomes.map((o) => [o.ok, o.sbom.product, o.sbom.release, o.sbom.componentCount]),
      [
        [true, 'demo-app', '1.0.0', 75],
        [true, 'demo-app', '1.1.0', 81],
      ],
    );
    const table = await cli(['push', 'sbom', files], env);
    assert.equal(table.code, 0);
    assert.match(table.stderr, /2 of 2 SBOMs pushed/);
  });

  // Regression test: a team's push into a product of another team said "product demo-app does
  // not exist", sending the user looking for a typo.
  it('push sbom <dir> with a token of another team: the product belongs to another team’s scope', async () => {
    const created = await cli([
      'token',
      'create',
      '--role',
      'publisher',
      '--team',
      'elsewhere',
      '--data-dir',
      join(dir, 'data'),
    ]);
    assert.equal(created.code, 0, created.stderr);
    const token = lines(created.stdout).at(-1) as string;
    const r = await cli(['push', 'sbom', files], { ...env, CUSTODY_TOKEN: token });
    assert.equal(r.code, 2, r.stderr);
    assert.match(
      r.stderr,
      /failed {2}.*demo-app\.cdx\.json: INVENTORY_CONFLICT: product demo-app belongs to another team's scope; /,
    );
    assert.doesNotMatch(r.stderr, /does not exist/);
    assert.doesNotMatch(r.stderr, /\bdefault\b/, 'the owner team is not named');
    assert.match(r.stderr, /0 of 2 SBOMs pushed/);
  });

  it('a gate failure is exit 1 with the failing checks on stderr', async () => {
    // A real CycloneDX 1.4 document whose components carry no hashes (and nothing says why).
    const laravel = conformancePath(SAMPLES, 'laravel-7.12.0/bom.1.4.json');
    const r = await cli(
      ['push', 'sbom', laravel, '--product', 'laravel', '--release', '7.12.0'],
      env,
    );
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /failed {2}.*bom\.1\.4\.json: SBOM_GATE_FAILED/);
    assert.match(r.stderr, /^ {2}- integrity\.source-hash: .* \(\d+ components\)$/m);
    assert.equal(r.stdout, '');
  });

  it('gate warnings pass (exit 0) and are listed with the follow-ups they opened', async () => {
    const keycloak = conformancePath(SAMPLES, 'keycloak-10.0.2/bom.json');
    const r = await cli(
      ['push', 'sbom', keycloak, '--product', 'keycloak', '--release', '10.0.2'],
      env,
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^stored {2}.*bom\.json → SBOM \d+ of keycloak 10\.0\.2/);
    assert.match(
      r.stdout,
      /warnings \(flagged for follow-up, due within 30 days; they did not block the push\)/,
    );
    assert.match(r.stdout, /^ {2}! licensing\.valid-spdx: 80 components to follow up/m);
    assert.match(r.stdout, /^ {2}80 follow-up\(s\) open: GET \/api\/v1\/follow-ups\?sbom=\d+$/m);
  });

  it('usage errors and an unreachable service are exit 2', async () => {
    const file = join(files, 'demo-app.cdx.json');
    const down = await cli(['push', 'sbom', file], { ...env, CUSTODY_URL: 'http://127.0.0.1:1' });
    assert.equal(down.code, 2);
    assert.match(down.stderr, /SERVICE_UNREACHABLE/);
    const badToken = await cli(['push', 'sbom', file], {
      ...env,
      CUSTODY_TOKEN: `cust_${'x'.repeat(43)}`,
    });
    assert.equal(badToken.code, 2);
    assert.match(badToken.stderr, /AUTH_TOKEN_INVALID/);
    const noToken = await cli(['push', 'sbom', file], { CUSTODY_URL: server.url });
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /USAGE.*CUSTODY_TOKEN/);
    const emptyDir = mkdtempSync(join(dir, 'empty-'));
    assert.equal((await cli(['push', 'sbom', emptyDir], env)).code, 2);
    assert.equal(
      (await cli(['push', 'sbom', files, '--artifact', `sha256:${'a'.repeat(64)}`], env)).code,
      2,
    );
    const searchDown = await cli(['search', 'pkg:npm/express'], {
      ...env,
      CUSTODY_URL: 'http://127.0.0.1:1',
    });
    assert.equal(searchDown.code, 2);
    assert.match(searchDown.stderr, /SERVICE_UNREACHABLE/);
  });

  it('search <purl>: a table of where the component ships', async () => {
    const r = await cli(['search', 'pkg:npm/express'], env);
    assert.equal(r.code, 0, r.stderr);
    const out = lines(r.stdout);
    assert.match(out[0] ?? '', /^PRODUCT\s+RELEASE\s+ARTIFACT\s+COMPONENT\s+DEPENDENCY$/);
    assert.deepEqual(
      out.slice(1).map((l) => l.split(/\s+/).filter((c) => !c.startsWith('sha256:'))),
      [
        ['demo-app', '1.1.0', 'pkg:npm/express@4.21.2', 'direct'],
        ['demo-app', '1.0.0', 'pkg:npm/express@4.21.2', 'direct'],
        ['shop', '1.0.0', 'pkg:npm/express@4.21.2', 'direct'],
      ],
    );
  });

  it('search --json and --range', async () => {
    const r = await cli(['search', 'pkg:npm/lodash', '--json'], env);
    assert.equal(r.code, 0, r.stderr);
    const hits = JSON.parse(r.stdout) as {
      purl: string;
      product: { name: string };
      release: { version: string };
    }[];
    assert.deepEqual(
      hits.map((h) => [h.product.name, h.release.version, h.purl]),
      [
        ['demo-app', '1.1.0', 'pkg:npm/lodash@4.17.21'],
        ['demo-app', '1.0.0', 'pkg:npm/lodash@4.17.20'],
        ['shop', '1.0.0', 'pkg:npm/lodash@4.17.20'],
      ],
    );
    const ranged = await cli(
      ['search', 'pkg:npm/lodash', '--range', 'vers:npm/>=4.0.0|<4.17.21', '--json'],
      env,
    );
    assert.equal(ranged.code, 0, ranged.stderr);
    assert.deepEqual(
      (JSON.parse(ranged.stdout) as { purl: string; product: { name: string } }[]).map((h) => [
        h.product.name,
        h.purl,
      ]),
      [
        ['demo-app', 'pkg:npm/lodash@4.17.20'],
        ['shop', 'pkg:npm/lodash@4.17.20'],
      ],
    );
    const paged = await cli(['search', 'pkg:npm/lodash', '--limit', '1', '--all', '--json'], env);
    assert.equal((JSON.parse(paged.stdout) as unknown[]).length, 3);
    const none = await cli(['search', 'pkg:npm/left-pad'], env);
    assert.equal(none.code, 0);
    assert.match(none.stderr, /no component matches/);
    assert.equal(
      (await cli(['search', 'pkg:npm/lodash', '--direct', '--transitive'], env)).code,
      2,
    );
    // The program-level --version must not swallow search's own --version (README's example).
    const byName = await cli(['search', '--name', 'lodash', '--version', '4.17.21', '--json'], env);
    assert.equal(byName.code, 0, byName.stderr);
    assert.deepEqual(
      (JSON.parse(byName.stdout) as { purl: string; product: { name: string } }[]).map((h) => [
        h.product.name,
        h.purl,
      ]),
      [['demo-app', 'pkg:npm/lodash@4.17.21']],
    );
    const own = await cli(['--version']);
    assert.equal(own.code, 0);
    assert.match(own.stdout, /^\d+\.\d+\.\d+\n$/);
    const bad = await cli(['search', 'pkg:npm/lodash', '--range', 'npm/>=1'], env);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /INVENTORY_QUERY_INVALID/);
  });

  it('release diff and portfolio', async () => {
    const d = await cli(['release', 'diff', '--product', 'demo-app', '1.0.0', '1.1.0'], env);
    assert.equal(d.code, 0, d.stderr);
    assert.match(
      d.stdout,
      /^demo-app 1\.0\.0 → 1\.1\.0\nSBOM diff: 6 added, 0 removed, 1 upgraded/,
    );
    const j = await cli(
      ['release', 'diff', '--product', 'demo-app', '1.0.0', '1.1.0', '--json'],
      env,
    );
    const body = JSON.parse(j.stdout) as {
      from: { version: string };
      diff: { summary: { added: number } };
    };
    assert.deepEqual([body.from.version, body.diff.summary.added], ['1.0.0', 6]);
    const missing = await cli(['release', 'diff', '--product', 'demo-app', '1.0.0', '9.9.9'], env);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /INVENTORY_NOT_FOUND/);
    const p = await cli(['portfolio', '--json'], env);
    assert.equal(p.code, 0, p.stderr);
    const f = JSON.parse(p.stdout) as { coverage: { products: number; releases: number } };
    assert.ok(f.coverage.products >= 2 && f.coverage.releases >= 3);
    const text = await cli(['portfolio'], env);
    assert.match(text.stdout, /^products \d+, releases \d+/);
    assert.match(text.stdout, /quality {4}mean [\d.]+\/10/);
  });

  it('SIGTERM shuts the service down cleanly (exit 0); a restart prints no new admin token', async () => {
    server.child.kill('SIGTERM');
    assert.equal(await server.exit, 0, server.stderr());
    const again = await serve(join(dir, 'data'));
    try {
      // The admin token would be written right after the listening line; give it time to arrive.
      await new Promise((r) => setTimeout(r, 300));
      assert.ok(!again.stdout().includes('CUSTODY_TOKEN'), again.stdout());
      const r = await cli(['search', 'pkg:npm/express', '--json'], {
        ...env,
        CUSTODY_URL: again.url,
      });
      assert.equal((JSON.parse(r.stdout) as unknown[]).length, 3);
    } finally {
      again.child.kill('SIGTERM');
      assert.equal(await again.exit, 0, again.stderr());
    }
  });
});
