import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { REPO_ROOT } from '../helpers/conformance.js';
import { call } from '../helpers/server.js';
import { type SeededRelease, seedRelease } from './seed.js';

/**
 * The runbook names the product's real identities, and its verify commands, run as written
 * (export, verify, extract with the system's tar, then each `custody verify…` line), succeed
 * against the seeded release; `custody evidence verify` as the built binary exits 0, 1 and 2.
 */
describe('runbook and the evidence commands', () => {
  let seeded: SeededRelease;
  let dir: string;
  let runbook: string;

  async function cli(argv: string[]) {
    let stdout = '';
    let stderr = '';
    const io: CliIO = {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: { CUSTODY_URL: seeded.srv.base, CUSTODY_TOKEN: seeded.reader },
      cwd: dir,
    };
    const code = await run(argv, io);
    return { code, stdout, stderr };
  }

  before(async () => {
    // PostgreSQL here, SQLite in export-verify.test.ts: the export's queries run on both.
    seeded = await seedRelease('postgres');
    dir = mkdtempSync(join(tmpdir(), 'custody-runbook-'));
    const r = await cli(['runbook', 'shop', '-o', 'runbook.md']);
    assert.equal(r.code, 0, r.stderr);
    runbook = readFileSync(join(dir, 'runbook.md'), 'utf8');
  });

  after(async () => {
    await seeded.srv.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is filled with the product’s real identities, issuers, log and CA', async () => {
    const api = await call(seeded.srv, 'GET', '/api/v1/products/shop/runbook', {
      token: seeded.reader,
    });
    assert.equal(api.status, 200);
    assert.match(api.headers.get('content-type') ?? '', /^text\/markdown/);
    assert.match(runbook, /^# Runbook: shop$/m);
    assert.ok(runbook.includes(seeded.key.publicPem.trim()), 'the registered key is printed');
    assert.ok(
      runbook.includes(
        `issuer \`${seeded.issuer}\` whose identity matches \`^(?:releaser@example\\.com)$\``,
      ),
    );
    const root = (await call(seeded.srv, 'GET', '/api/v1/trusted-root')).json;
    const origin = String(root.tlogs[0].baseUrl).replace('https://', '');
    assert.ok(runbook.includes(`\`${origin}\``), 'the log is named');
    assert.match(runbook, /root SHA-256 fingerprint `[0-9a-f]{64}`/);
    for (const section of [
      '## Impact: where do we ship X?',
      '## Outage toggles (admission)',
      '## Reconciliation after an outage',
      '## Verification instructions for release notes',
    ])
      assert.ok(runbook.includes(section), section);
    assert.match(runbook, /custody admission override set --namespace/);
    assert.match(runbook, /custody search pkg:npm\//);
    const other = await call(seeded.srv, 'GET', '/api/v1/products/shop/runbook', {
      token: seeded.outsider,
    });
    assert.equal(other.status, 404);
  });

  it('its verify commands, run as written, succeed against the release', async () => {
    const block =
      /## Verify the newest release[\s\S]*?```sh\n([\s\S]*?)```/.exec(runbook)?.[1] ?? '';
    const lines = block
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#') && !l.startsWith('cosign '));
    assert.ok(lines.filter((l) => l.startsWith('custody verify')).length >= 3, block);
    let ran = 0;
    for (const line of lines) {
      const argv = line.split(/\s+/);
      if (argv[0] === 'tar') {
        const t = spawnSync('tar', argv.slice(1), { cwd: dir, encoding: 'utf8' });
        assert.equal(t.status, 0, t.stderr);
        continue;
      }
      assert.equal(argv[0], 'custody', line);
      const r = await cli(argv.slice(1));
      assert.equal(r.code, 0, `${line}\n${r.stdout}${r.stderr}`);
      ran++;
    }
    assert.ok(ran >= 6);
    assert.match(
      readFileSync(join(dir, 'NARRATIVE.md'), 'utf8'),
      /^# Chain of custody: shop 1\.0\.0$/m,
    );
  });

  it('custody evidence verify, as the built binary, exits 0 verified, 1 tampered, 2 not a tar', () => {
    const bin = (args: string[]) =>
      spawnSync(
        process.execPath,
        [join(REPO_ROOT, 'bin/custody.js'), 'evidence', 'verify', ...args],
        {
          cwd: dir,
          encoding: 'utf8',
        },
      );
    const ok = bin(['evidence.tar', '--trusted-root', 'trusted_root.json']);
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, /^✓ manifest signature/m);
    assert.match(ok.stdout, /under the trusted root given \(--trusted-root\)/);
    assert.match(ok.stdout, /OK: all \d+ checks passed/);

    const tar = readFileSync(join(dir, 'evidence.tar'));
    const narrative = tar.indexOf('# Chain of custody');
    assert.ok(narrative > 0);
    tar[narrative + 2] = 'c'.charCodeAt(0);
    writeFileSync(join(dir, 'tampered.tar'), tar);
    const no = bin(['tampered.tar', '--json']);
    assert.equal(no.status, 1, no.stderr);
    const report = JSON.parse(no.stdout);
    assert.equal(report.ok, false);
    assert.ok(
      report.checks.some((c: { name: string; ok: boolean }) => c.name === 'file digests' && !c.ok),
    );

    writeFileSync(join(dir, 'not.tar'), 'hello');
    const bad = bin(['not.tar']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /EVIDENCE_TAR_MALFORMED/);
    const missing = bin(['nope.tar']);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /FILE_NOT_FOUND/);
  });
});
