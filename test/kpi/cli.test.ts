import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { run } from '../../src/cli/main.js';
import { startServer, type TestServer, tokenFor } from '../helpers/server.js';
import { NOW, seedPortfolio } from './seed.js';

/** `custody kpi list|history|record` against a real service on loopback. */
describe('custody kpi', () => {
  let srv: TestServer;
  const t: Record<string, string> = {};
  const cli = async (token: string, ...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: { write: (s: string) => out.push(s) },
      stderr: { write: (s: string) => err.push(s) },
      env: { CUSTODY_URL: srv.base, CUSTODY_TOKEN: token },
      cwd: process.cwd(),
    };
    const code = await run(argv, io as never);
    return { code, out: out.join(''), err: err.join('') };
  };

  before(async () => {
    srv = await startServer('sqlite', { clock: () => NOW });
    await seedPortfolio(srv.services.db.kysely, { tlog: false });
    t['auditor'] = await tokenFor(srv.services, 'auditor');
    t['viewer'] = await tokenFor(srv.services, 'viewer');
    t['admin'] = await tokenFor(srv.services, 'admin');
  });
  after(async () => srv.close());

  it('lists the catalogue as a table and as JSON', async () => {
    const table = await cli(t['viewer'] as string, 'kpi', 'list');
    assert.equal(table.code, 0, table.err);
    assert.match(table.out, /^KPIs organisation-wide at 2026-06-15T12:00:00.000Z/);
    assert.match(
      table.out,
      /b1\.services-build-l2\s+66\.7%\s+–\s+2\s+3\s+Services with SLSA Build L2\+/,
    );
    assert.match(table.out, /b4\.sbom-freshness\s+4\.0d/);
    const json = await cli(t['viewer'] as string, 'kpi', 'list', '--team', 'alpha', '--json');
    assert.equal(JSON.parse(json.out).team, 'alpha');
  });

  it('records a figure (exit 0), and refuses a viewer (exit 1) and a bad value (exit 2)', async () => {
    const ok = await cli(
      t['auditor'] as string,
      'kpi',
      'record',
      'b1.release-managers-trained',
      '4',
      '--subject',
      'alpha',
      '--note',
      'course',
      '--day',
      '2026-06-01',
    );
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /^Recorded b1\.release-managers-trained = 4 for alpha on 2026-06-01/);
    const refused = await cli(
      t['viewer'] as string,
      'kpi',
      'record',
      'b1.release-managers-trained',
      '4',
      '--subject',
      'alpha',
    );
    assert.equal(refused.code, 1);
    assert.match(refused.err, /AUTH_FORBIDDEN/);
    const bad = await cli(
      t['auditor'] as string,
      'kpi',
      'record',
      'b1.release-managers-trained',
      'four',
    );
    assert.equal(bad.code, 2);
  });

  it('prints a KPI’s history', async () => {
    const snap = await fetch(`${srv.base}/api/v1/kpis/snapshot`, {
      method: 'POST',
      headers: { authorization: `Bearer ${t['admin']}` },
    });
    assert.equal(snap.status, 200);
    const h = await cli(t['viewer'] as string, 'kpi', 'history', 'b1.release-managers-trained');
    assert.equal(h.code, 0, h.err);
    assert.match(h.out, /2026-06-15\s+4\s+4\s+–/);
    const missing = await cli(t['viewer'] as string, 'kpi', 'history', 'b9.nope');
    assert.match(missing.err, /KPI_NOT_FOUND/);
  });
});
