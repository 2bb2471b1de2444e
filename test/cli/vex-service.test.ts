import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CliIO } from '../../src/cli/io.js';
import { run } from '../../src/cli/main.js';
import { validateVex } from '../../src/formats/index.js';
import { REPO_ROOT } from '../helpers/conformance.js';
import { push, sbomFixtures, startServer, type TestServer, tokenFor } from '../helpers/server.js';

/** `custody vex draft|transition|approve|publish|get` against a running service (CUSTODY_URL). */

async function cli(argv: string[], env: Record<string, string>) {
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

describe('custody vex against a service', () => {
  let srv: TestServer;
  const env = {} as Record<'alice' | 'aliceApprover' | 'bob', Record<string, string>>;

  before(async () => {
    srv = await startServer('sqlite');
    const as = async (role: 'publisher' | 'approver', person: string) => ({
      CUSTODY_URL: srv.base,
      CUSTODY_TOKEN: await tokenFor(srv.services, role, ['web'], person),
    });
    env.alice = await as('publisher', 'alice@example.com');
    env.aliceApprover = await as('approver', 'alice@example.com');
    env.bob = await as('approver', 'bob@example.com');
    const { demo } = await sbomFixtures();
    const r = await push(srv, env.alice['CUSTODY_TOKEN'] as string, demo, {
      product: 'portal',
      release: '2.4.0',
      team: 'web',
    });
    assert.equal(r.status, 201, r.text);
  });
  after(async () => srv?.close());

  it('draft → transition → the same person cannot approve → another does → publish → get', async () => {
    const d = await cli(
      [
        'vex',
        'draft',
        'portal',
        '--vulnerability',
        'CVE-2021-23337',
        '--component',
        'pkg:npm/lodash@4.17.20',
        '--release',
        '2.4.0',
        '--json',
      ],
      env.alice,
    );
    assert.equal(d.code, 0, d.stderr);
    const id = String(JSON.parse(d.stdout).id);
    const tr = await cli(
      ['vex', 'transition', id, '--status', 'affected', '--action', 'Update to 2.4.1'],
      env.alice,
    );
    assert.equal(tr.code, 0, tr.stderr);
    assert.match(tr.stdout, /affected \(version 2\).*waiting for approval/);
    const same = await cli(['vex', 'approve', id], env.aliceApprover);
    assert.notEqual(same.code, 0);
    assert.match(same.stderr, /AUTH_SAME_PERSON/);
    const ok = await cli(['vex', 'approve', id, '--json'], env.bob);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(JSON.parse(ok.stdout).approvedBy, 'bob@example.com');
    const p = await cli(['vex', 'publish', 'portal', '--format', 'csaf'], env.alice);
    assert.equal(p.code, 0, p.stderr);
    assert.match(p.stdout, /published portal \(csaf\) version 1: 1 statement/);
    const g = await cli(['vex', 'get', 'portal', '--format', 'csaf'], env.alice);
    assert.equal(g.code, 0, g.stderr);
    const v = await validateVex(new TextEncoder().encode(g.stdout));
    assert.equal(v.valid, true);
    assert.equal(v.format, 'csaf');
    const b = await cli(['vex', 'get', 'portal', '--format', 'csaf', '--bundle'], env.alice);
    assert.equal(JSON.parse(b.stdout).mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  });
});
