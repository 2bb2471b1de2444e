import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpClient } from '../../src/net/http.js';
import {
  EMPTY_JSON,
  MEDIA,
  OciError,
  parseDockerConfig,
  RegistryClient,
} from '../../src/oci/index.js';
import { expectCustodyErrorAsync } from '../helpers/expect-error.js';
import {
  startRegistry,
  startTokenServer,
  type TestRegistry,
  type TokenServer,
} from '../helpers/registry.js';

const USER = 'ci-robot';
const PASSWORD = 's3cret-for-tests';

function clientFor(
  reg: TestRegistry,
  creds: ReturnType<typeof parseDockerConfig>,
  sent: string[] = [],
) {
  return new RegistryClient({
    http: new HttpClient({ retries: 0, breaker: false }),
    allowed: (r) => r === reg.host,
    credentials: (r) => creds.get(r),
    onRequest: (m, u) => sent.push(`${m} ${u}`),
  });
}

function dockerConfig(host: string, user: string, password: string) {
  return parseDockerConfig(
    JSON.stringify({
      auths: { [host]: { auth: Buffer.from(`${user}:${password}`).toString('base64') } },
    }),
    'test config.json',
  );
}

describe('registry auth: docker-registry behind the distribution token flow', () => {
  let tokens: TokenServer;
  let reg: TestRegistry;

  before(async () => {
    tokens = await startTokenServer(USER, PASSWORD);
    reg = await startRegistry({
      kind: 'token',
      realm: tokens.realm,
      service: tokens.service,
      issuer: tokens.issuer,
      certFile: tokens.certFile,
    });
  });
  after(async () => {
    await reg.stop();
    await tokens.stop();
  });

  it('401 + Bearer challenge → token (Basic to the realm) → retry; the token is reused per scope', async () => {
    const sent: string[] = [];
    const client = clientFor(reg, dockerConfig(reg.host, USER, PASSWORD), sent);
    const repo = { registry: reg.host, repository: 'team/app' };
    const d = await client.pushBlob(repo, EMPTY_JSON, MEDIA.ociEmpty);
    assert.equal(await client.hasBlob(repo, d.digest), true);
    assert.deepEqual(Buffer.from(await client.getBlob(repo, d.digest)), Buffer.from(EMPTY_JSON));
    const asked = tokens.requests.filter((r) => r.authorized).map((r) => r.scopes[0]);
    // One token for pull,push (the push) and one for pull, each fetched once and then reused.
    assert.deepEqual([...new Set(asked)].sort(), [
      'repository:team/app:pull',
      'repository:team/app:pull,push',
    ]);
    assert.equal(asked.length, 2, JSON.stringify(tokens.requests));
    assert.ok(sent.some((s) => s.startsWith(`GET ${tokens.realm}`)));
  });

  it('wrong credentials: OCI_AUTH_FAILED', async () => {
    const client = clientFor(reg, dockerConfig(reg.host, USER, 'wrong'));
    await expectCustodyErrorAsync(
      () =>
        client.hasBlob({ registry: reg.host, repository: 'team/app' }, `sha256:${'1'.repeat(64)}`),
      OciError,
      'OCI_AUTH_FAILED',
    );
  });
});

describe('registry auth: docker-registry behind htpasswd (Basic)', () => {
  let reg: TestRegistry;
  before(async () => {
    reg = await startRegistry({ kind: 'htpasswd', username: USER, password: PASSWORD });
  });
  after(() => reg.stop());

  it('401 + Basic challenge → the configured credentials', async () => {
    const client = clientFor(reg, dockerConfig(reg.host, USER, PASSWORD));
    const repo = { registry: reg.host, repository: 'team/app' };
    const d = await client.pushBlob(repo, Buffer.from('basic'), 'text/plain');
    assert.equal(await client.hasBlob(repo, d.digest), true);
  });

  it('anonymous, where credentials are needed: OCI_AUTH_FAILED naming CUSTODY_OCI_AUTH', async () => {
    const client = clientFor(reg, new Map());
    const e = await expectCustodyErrorAsync(
      () =>
        client.hasBlob({ registry: reg.host, repository: 'team/app' }, `sha256:${'1'.repeat(64)}`),
      OciError,
      'OCI_AUTH_FAILED',
    );
    assert.match(e.message, /CUSTODY_OCI_AUTH/);
  });
});
