import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/log/logger.js';
import { buildServer, type CustodyServer } from '../../src/server/app.js';
import { tokenFor } from '../helpers/server.js';
import { freshServices, type TestServices } from '../helpers/store.js';

// Searches that succeed are logged at debug level only (thousands a second would cost as much
// as the routing); refusals, failures and writes keep their info line.

describe('request log lines', () => {
  let s: TestServices;
  let custody: CustodyServer;
  let token: string;
  const lines: { level: number; msg: string; res?: { statusCode: number } }[] = [];
  before(async () => {
    s = await freshServices('sqlite', undefined, { tlog: false });
    const out = new PassThrough();
    out.on('data', (b: Buffer) => {
      for (const l of b.toString().split('\n')) if (l) lines.push(JSON.parse(l));
    });
    custody = await buildServer({
      services: s,
      logger: createLogger('info', out),
      maxSbomBytes: 1024 * 1024,
      maxBodyBytes: 1024 * 1024,
    });
    token = await tokenFor(s, 'admin');
  });
  after(async () => {
    await custody?.app.close();
    await s?.close();
  });

  const completed = async () => {
    await new Promise((r) => setImmediate(r));
    const got = lines.filter((l) => l.msg === 'request completed').map((l) => l.res?.statusCode);
    lines.length = 0;
    return got;
  };
  const get = (url: string, auth = token) =>
    custody.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${auth}` } });

  it('an answered search: no info line', async () => {
    assert.equal((await get('/api/v1/components?purl=pkg:npm/left-pad@1.0.0')).statusCode, 200);
    assert.deepEqual(await completed(), []);
  });

  it('a refused search and an unauthenticated one: logged', async () => {
    assert.equal((await get('/api/v1/components?purl=nonsense')).statusCode, 400);
    assert.equal((await get('/api/v1/components?purl=pkg:npm/a@1', 'bad-token')).statusCode, 401);
    assert.deepEqual(await completed(), [400, 401]);
  });

  it('a write: logged', async () => {
    const r = await custody.app.inject({
      method: 'POST',
      url: '/api/v1/teams',
      headers: { authorization: `Bearer ${token}` },
      payload: { name: 'team-log' },
    });
    assert.deepEqual(await completed(), [r.statusCode]);
  });
});
