import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/cli/main.js';
import { startServer, type TestServer, tokenFor } from '../helpers/server.js';

/**
 * `custody admission …` against a real service on loopback: namespace configuration, a cluster,
 * an exception through both approvals, a mode override through two approvers; exit codes 0 (done),
 * 1 (the service refused) and 2 (bad usage).
 */
describe('custody admission', () => {
  let srv: TestServer;
  const t = {} as Record<'admin' | 'pub' | 'owner' | 'sec' | 'sec2' | 'patApprover', string>;

  const cli = async (token: string | undefined, ...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env: { CUSTODY_URL: srv.base, ...(token ? { CUSTODY_TOKEN: token } : {}) },
      cwd: process.cwd(),
    };
    const code = await run(argv, io as never);
    return { code, out: out.join(''), err: err.join('') };
  };

  before(async () => {
    srv = await startServer('sqlite');
    t.admin = await tokenFor(srv.services, 'admin', undefined, 'ada');
    t.pub = await tokenFor(srv.services, 'publisher', ['shop'], 'pat');
    t.owner = await tokenFor(srv.services, 'approver', ['shop'], 'olive');
    t.sec = await tokenFor(srv.services, 'approver', undefined, 'sec');
    t.sec2 = await tokenFor(srv.services, 'approver', undefined, 'sid');
    t.patApprover = await tokenFor(srv.services, 'approver', undefined, 'Pat');
  });
  after(async () => srv.close());

  it('sets, gets and lists namespace configuration', async () => {
    const set = await cli(
      t.admin,
      'admission',
      'namespace',
      'set',
      'web',
      '--mode',
      'warn',
      '--team',
      'shop',
      '--identity',
      '{"issuer":"https://issuer.example","subjectRegexp":"^ci@acme$"}',
      '--json',
    );
    assert.equal(set.code, 0, set.err);
    assert.equal(JSON.parse(set.out).version, 1);
    const got = await cli(t.pub, 'admission', 'namespace', 'get', 'web', '--cluster', 'prod');
    assert.equal(got.code, 0, got.err);
    assert.match(got.out, /^web \(every cluster\): warn/);
    const dflt = await cli(t.pub, 'admission', 'namespace', 'get', 'fresh', '--json');
    assert.equal(JSON.parse(dflt.out).mode, 'enforce');
    const list = await cli(t.pub, 'admission', 'namespace', 'list', '--json');
    assert.equal(JSON.parse(list.out).length, 1);
    const bad = await cli(
      t.admin,
      'admission',
      'namespace',
      'set',
      'web',
      '--mode',
      'warn',
      '--identity',
      'not json',
    );
    assert.equal(bad.code, 2);
    const badMode = await cli(t.admin, 'admission', 'namespace', 'set', 'web', '--mode', 'off');
    assert.equal(badMode.code, 2);
    assert.match(badMode.err, /REQUEST_INVALID|ADMISSION_NAMESPACE_INVALID/);
  });

  it('registers a cluster and prints its token once', async () => {
    const add = await cli(t.admin, 'admission', 'cluster', 'add', 'prod');
    assert.equal(add.code, 0, add.err);
    assert.match(add.out, /^cadm_/);
    const list = await cli(t.pub, 'admission', 'cluster', 'list');
    assert.match(list.out, /^prod /);
    assert.ok(!list.out.includes(add.out.trim()));
    const again = await cli(t.admin, 'admission', 'cluster', 'add', 'prod');
    assert.equal(again.code, 1);
    assert.match(again.err, /ADMISSION_CLUSTER_CONFLICT/);
  });

  it('runs an exception through both approvals; the requester cannot approve (exit 1)', async () => {
    const req = await cli(
      t.pub,
      'admission',
      'exception',
      'request',
      '--namespace',
      'web',
      '--image',
      'ghcr.io/acme/**',
      '--ticket',
      'SEC-1',
      '--expires',
      '7d',
      '--reason',
      'vulnerability',
    );
    assert.equal(req.code, 0, req.err);
    const id = req.out.trim();
    const self = await cli(t.patApprover, 'admission', 'exception', 'approve', id);
    assert.equal(self.code, 1);
    assert.match(self.err, /AUTH_SAME_PERSON/);
    const asSec = await cli(t.owner, 'admission', 'exception', 'approve', id, '--as', 'security');
    assert.equal(asSec.code, 1);
    assert.match(asSec.err, /ADMISSION_APPROVER_FORBIDDEN/);
    assert.equal((await cli(t.owner, 'admission', 'exception', 'approve', id)).code, 0);
    const done = await cli(t.sec, 'admission', 'exception', 'approve', id, '--json');
    assert.equal(JSON.parse(done.out).state, 'active');
    const list = await cli(t.pub, 'admission', 'exception', 'list', '--state', 'active');
    assert.match(list.out, /active +web +ghcr\.io\/acme\/\*\* +SEC-1/);
    const rev = await cli(t.pub, 'admission', 'exception', 'revoke', id, '--json');
    assert.equal(JSON.parse(rev.out).state, 'revoked');
    const tooLong = await cli(
      t.pub,
      'admission',
      'exception',
      'request',
      '--namespace',
      'web',
      '--image',
      'x/y',
      '--ticket',
      'T',
      '--expires',
      '31d',
    );
    assert.equal(tooLong.code, 2);
    assert.equal((await cli(t.pub, 'admission', 'exception', 'approve', 'abc')).code, 2);
  });

  it('sets an override with its blast radius, takes two approvers, refuses beyond 72 h', async () => {
    const set = await cli(
      t.admin,
      'admission',
      'override',
      'set',
      '--namespace',
      'web',
      '--mode',
      'audit',
      '--ticket',
      'INC-3',
      '--expires',
      '4h',
      '--revert-when-healthy',
      'registry,log',
    );
    assert.equal(set.code, 0, set.err);
    assert.match(set.out, /Blast radius: 1 namespace\(s\), 0 running image\(s\)/);
    const id = /^ *(\d+)/.exec(set.out)?.[1] as string;
    assert.equal((await cli(t.sec, 'admission', 'override', 'approve', id)).code, 0);
    const twice = await cli(t.sec, 'admission', 'override', 'approve', id);
    assert.equal(twice.code, 1);
    const two = await cli(t.sec2, 'admission', 'override', 'approve', id, '--json');
    assert.equal(JSON.parse(two.out).state, 'active');
    assert.deepEqual(JSON.parse(two.out).revertWhenHealthy, {
      upstreams: ['registry', 'log'],
      probes: 10,
      windowMs: 300000,
    });
    const list = await cli(t.pub, 'admission', 'override', 'list', '--state', 'active', '--json');
    assert.equal(JSON.parse(list.out).length, 1);
    const long = await cli(
      t.admin,
      'admission',
      'override',
      'set',
      '--namespace',
      'web',
      '--mode',
      'audit',
      '--ticket',
      'INC-4',
      '--expires',
      '73h',
    );
    assert.equal(long.code, 2);
    assert.match(long.err, /ADMISSION_OVERRIDE_TOO_LONG/);
    assert.equal((await cli(t.admin, 'admission', 'override', 'revoke', id)).code, 0);
    const health = await cli(t.pub, 'admission', 'health', '--json');
    assert.equal(health.code, 0, health.err);
  });
});
