import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sql } from 'kysely';
import type { Role } from '../../src/access/index.js';
import { type Keyless, openKeyless } from '../../src/app/ca/open-keyless.js';
import { generateSbom } from '../../src/app/generate-sbom.js';
import { CLI_CALLER, createToken } from '../../src/app/tokens.js';
import { createLogger } from '../../src/log/logger.js';
import { buildServer, type CustodyServer, type ServerOptions } from '../../src/server/app.js';
import { conformancePath, REPO_ROOT } from './conformance.js';
import { type Backend, freshServices, type TestServices } from './store.js';

export { BACKENDS, type Backend } from './store.js';

/** Every table an ingest writes to; a rejected push must leave each count unchanged. */
export const INGEST_TABLES = [
  'products',
  'releases',
  'artifacts',
  'sboms',
  'components',
  'component_hashes',
  'component_licenses',
  'audit_events',
  'follow_ups',
] as const;

export interface TestServer {
  services: TestServices;
  custody: CustodyServer;
  /** With `keyless`: the CA and dev OIDC issuer the server runs (and trusts). */
  keyless?: Keyless;
  /** `http://127.0.0.1:<port>` */
  base: string;
  close(): Promise<void>;
}

export interface StartOptions {
  maxSbomBytes?: number;
  maxBodyBytes?: number;
  clock?: () => Date;
  tlog?: ServerOptions['tlog'];
  timeouts?: ServerOptions['timeouts'];
  /** How the log itself is opened (key type, origin). */
  tlogLog?: NonNullable<Parameters<typeof freshServices>[2]>['tlog'];
  /**
   * Keyless signing as `custody serve --dev-oidc` runs it: a CA in the data directory, the dev
   * OIDC issuer (its `iss` is KEYLESS_PUBLIC_URL/dev-oidc), and the trusted root (CA and log)
   * served and used to verify pushed bundles.
   */
  keyless?: boolean;
  /** The trusted root to serve and verify pushed bundles with (default: the log's, or keyless's). */
  trustedRoot?: () => unknown;
  /** The public URL keyless's CA and dev issuer are made for (default KEYLESS_PUBLIC_URL). */
  publicUrl?: string;
  /** Listen on this loopback port (default: a free one). */
  port?: number;
  /** The dashboard's OIDC login, made once the services (and keyless) are open. */
  login?: (s: TestServices, keyless: Keyless | undefined) => Promise<ServerOptions['login']>;
}

/** The public URL a keyless test server's CA and dev issuer are made for. */
export const KEYLESS_PUBLIC_URL = 'http://127.0.0.1:0';

/** A real Custody server on a fresh store, listening on an ephemeral loopback port. */
export async function startServer(backend: Backend, o: StartOptions = {}): Promise<TestServer> {
  const services = await freshServices(backend, o.clock, o.tlogLog ? { tlog: o.tlogLog } : {});
  const keyless = o.keyless
    ? await openKeyless({
        dataDir: services.dataDir,
        publicUrl: o.publicUrl ?? KEYLESS_PUBLIC_URL,
        devOidc: true,
        issuers: [],
        logEntry: () => services.tlog?.trustedRootEntry(new Date(0)),
        ...(o.clock ? { now: o.clock } : {}),
      })
    : undefined;
  const login = await o.login?.(services, keyless);
  const custody = await buildServer({
    services,
    ...(login ? { login } : {}),
    logger: createLogger(process.env['CUSTODY_TEST_LOG'] ?? 'silent'),
    maxSbomBytes: o.maxSbomBytes ?? 8 * 1024 * 1024,
    maxBodyBytes: o.maxBodyBytes ?? 1024 * 1024,
    ...(o.tlog ? { tlog: o.tlog } : {}),
    ...(o.timeouts ? { timeouts: o.timeouts } : {}),
    ...(keyless ? { keyless, trustedRoot: keyless.trustedRoot } : {}),
    ...(o.trustedRoot ? { trustedRoot: o.trustedRoot } : {}),
  });
  await custody.app.listen({ host: '127.0.0.1', port: o.port ?? 0 });
  const { port } = custody.app.server.address() as AddressInfo;
  return {
    services,
    custody,
    ...(keyless ? { keyless } : {}),
    base: `http://127.0.0.1:${port}`,
    async close() {
      await custody.app.close();
      await services.close();
    },
  };
}

/** A token made the way `custody token create` makes one (as the CLI, on the data directory). */
export async function tokenFor(
  s: TestServices,
  role: Role,
  teams?: readonly string[],
  person = `${role}-person`,
): Promise<string> {
  return (await createToken(s, CLI_CALLER, { role, person, ...(teams ? { teams } : {}) })).token;
}

export interface CallOptions {
  token?: string;
  /** An object is sent as JSON; a string or bytes as they are. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  // biome-ignore lint/suspicious/noExplicitAny: tests poke into response bodies freely
  json: any;
}

/** One request over real HTTP. */
export async function call(
  srv: TestServer,
  method: string,
  path: string,
  o: CallOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...o.headers };
  if (o.token !== undefined) headers['authorization'] = `Bearer ${o.token}`;
  let body: string | Uint8Array | undefined;
  if (typeof o.body === 'string' || o.body instanceof Uint8Array) {
    body = o.body;
  } else if (o.body !== undefined) {
    body = JSON.stringify(o.body);
    headers['content-type'] ??= 'application/json';
  }
  if (o.contentType !== undefined) headers['content-type'] = o.contentType;
  const res = await fetch(srv.base + path, {
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Push an SBOM through the API. */
export function push(
  srv: TestServer,
  token: string,
  bytes: string | Uint8Array,
  query: Record<string, string>,
  contentType = 'application/vnd.cyclonedx+json',
): Promise<Answer> {
  return call(srv, 'POST', `/api/v1/sboms?${new URLSearchParams(query)}`, {
    token,
    body: bytes,
    contentType,
  });
}

/**
 * Row counts of every table in the store (the migrations' bookkeeping and tables a test creates
 * for itself, `custody_test_*`, aside), so a table added later is checked too.
 */
export async function countRows(s: TestServices): Promise<Record<string, number>> {
  const tables = await tableNames(s);
  for (const t of INGEST_TABLES) {
    if (!tables.includes(t)) throw new Error(`the store has no table ${t}; update INGEST_TABLES`);
  }
  const out: Record<string, number> = {};
  for (const t of tables) {
    const r = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(t)}`.execute(
      s.db.kysely,
    );
    out[t] = Number(r.rows[0]?.n ?? 0);
  }
  return out;
}

async function tableNames(s: TestServices): Promise<string[]> {
  const r =
    s.backend === 'sqlite'
      ? await sql<{ name: string }>`select name from sqlite_master where type = 'table'`.execute(
          s.db.kysely,
        )
      : await sql<{ name: string }>`select table_name as name from information_schema.tables
          where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(s.db.kysely);
  return r.rows
    .map((x) => x.name)
    .filter((n) => !/^(kysely_|sqlite_|custody_test_)/.test(n))
    .sort();
}

/** Files in the blob store (`<dataDir>/blobs/sha256/…`). */
export function countBlobs(s: TestServices): number {
  return listFiles(join(s.dataDir, 'blobs', 'sha256')).length;
}

function listFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? listFiles(p) : [p];
  });
}

/** What is stored: rows per table and blob files, for before/after comparisons. */
export async function snapshot(s: TestServices): Promise<Record<string, number>> {
  return { ...(await countRows(s)), blobs: countBlobs(s) };
}

export interface Fixtures {
  /** examples/demo-app as CycloneDX JSON (passes the default gate). */
  demo: string;
  /** examples/demo-app-1.1 */
  demo11: string;
  /** A small real CycloneDX 1.x document from the CycloneDX examples that passes the default gate. */
  cern: Buffer;
  /** A real CycloneDX 1.4 document that fails the default gate (no hashes). */
  laravel: Buffer;
  /** npm's own SPDX 2.3 output for a small Express project (passes the default gate). */
  expressSpdx: Buffer;
}

let fixtures: Promise<Fixtures> | undefined;

/** Generated and read once per test process. */
export function sbomFixtures(): Promise<Fixtures> {
  fixtures ??= (async () => {
    const sample = (p: string) => readFileSync(conformancePath('sbom-samples', p));
    const opts = { deterministic: true } as const;
    return {
      demo: (await generateSbom(join(REPO_ROOT, 'examples/demo-app'), opts)).text,
      demo11: (await generateSbom(join(REPO_ROOT, 'examples/demo-app-1.1'), opts)).text,
      cern: sample('cyclonedx-bom-examples/SBOM/cern-lhc-vdm-editor-e564943/bom.json'),
      laravel: sample('cyclonedx-bom-examples/SBOM/laravel-7.12.0/bom.1.4.json'),
      expressSpdx: sample('generated-by-npm-tools/small-express-project/npm-sbom.spdx.json'),
    };
  })();
  return fixtures;
}

/** The shape every error answers with; returns the code. */
export function errorCode(a: Answer): string {
  const e = a.json?.error;
  if (
    typeof e !== 'object' ||
    e === null ||
    typeof e.code !== 'string' ||
    typeof e.message !== 'string' ||
    e.message === ''
  ) {
    throw new Error(`not an error body (status ${a.status}): ${a.text.slice(0, 300)}`);
  }
  return e.code;
}
