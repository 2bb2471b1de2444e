import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, beforeEach, describe, it } from 'node:test';
import { sql } from 'kysely';
import { conformancePath } from '../helpers/conformance.js';
import {
  type Answer,
  BACKENDS,
  call,
  errorCode,
  push,
  sbomFixtures,
  snapshot,
  startServer,
  type TestServer,
  tokenFor,
} from '../helpers/server.js';

/** Small enough that a real 388 KB example is over it, big enough for the demo and Laravel SBOMs. */
const MAX_SBOM = 160 * 1024;
const HEX_A = 'a'.repeat(64);
const HEX_B = 'b'.repeat(64);

type Json = Record<string, unknown> & { components: Record<string, unknown>[] };

for (const backend of BACKENDS) {
  describe(`HTTP SBOM push: rejected input leaves no trace (${backend})`, () => {
    let srv: TestServer;
    let token: string;
    let demo: string;
    let laravel: Buffer;
    let before_: Record<string, number>;
    const demoJson = (): Json => JSON.parse(demo) as Json;
    const q = { product: 'app', release: '1.0.0', team: 'alpha' };

    /** Push, expect `status` and `code`, and check that nothing was stored. */
    async function rejected(
      body: string | Uint8Array,
      status: number,
      code: string,
      query: Record<string, string> = q,
      contentType?: string,
    ): Promise<Answer> {
      const a = await push(srv, token, body, query, contentType);
      assert.equal(a.status, status, `${code}: ${a.status} ${a.text.slice(0, 400)}`);
      assert.equal(errorCode(a), code, a.text.slice(0, 400));
      assert.deepEqual(await snapshot(srv.services), before_, `${code} left rows or blobs behind`);
      return a;
    }

    before(async () => {
      srv = await startServer(backend, { maxSbomBytes: MAX_SBOM });
      token = await tokenFor(srv.services, 'publisher', ['alpha']);
      const f = await sbomFixtures();
      demo = f.demo;
      laravel = f.laravel;
      // One stored SBOM, so that "nothing changed" is checked against a non-empty store.
      const seed = await push(srv, token, f.cern, { product: 'seed', release: '1' });
      assert.equal(seed.status, 201, seed.text);
    });
    beforeEach(async () => {
      before_ = await snapshot(srv.services);
    });
    after(() => srv.close());

    it('an oversized body is 413 INPUT_TOO_LARGE (declared length and chunked)', async () => {
      const big = readFileSync(
        conformancePath('sbom-samples/cyclonedx-bom-examples/SBOM/dropwizard-1.3.15/bom.json'),
      );
      assert.ok(big.byteLength > MAX_SBOM);
      await rejected(big, 413, 'INPUT_TOO_LARGE');
      // Without a Content-Length the limit must still hold while the body streams in.
      const chunked = await fetch(`${srv.base}/api/v1/sboms?${new URLSearchParams(q)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: new ReadableStream({
          start(c) {
            for (let i = 0; i < 10; i++) c.enqueue(new Uint8Array(32 * 1024).fill(0x20));
            c.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      const text = await chunked.text();
      assert.equal(chunked.status, 413, text);
      assert.equal(JSON.parse(text).error.code, 'INPUT_TOO_LARGE');
      assert.deepEqual(await snapshot(srv.services), before_);
    });

    it('the size limit is exact: maxSbomBytes is accepted, one byte more is not', async () => {
      const padded = (n: number) => demo + ' '.repeat(n - Buffer.byteLength(demo));
      await rejected(padded(MAX_SBOM + 1), 413, 'INPUT_TOO_LARGE');
      const ok = await push(srv, token, padded(MAX_SBOM), { ...q, product: 'exact-size' });
      assert.equal(ok.status, 201, ok.text);
      assert.equal(ok.json.sbom.size, MAX_SBOM);
    });

    // Regression test: image/png, multipart and no Content-Type at all were stored (201).
    it('a Content-Type that is no SBOM type, or none, is 415 REQUEST_UNSUPPORTED_MEDIA_TYPE', async () => {
      for (const type of [
        'image/png',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
        'application/octet-stream',
        'text/html',
      ]) {
        const a = await rejected(demo, 415, 'REQUEST_UNSUPPORTED_MEDIA_TYPE', q, type);
        assert.match(a.json.error.message, /application\/vnd\.cyclonedx\+json/);
      }
      // No Content-Type header at all (fetch adds text/plain to a string body, so send bytes).
      const none = await fetch(`${srv.base}/api/v1/sboms?${new URLSearchParams(q)}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        body: new TextEncoder().encode(demo),
      });
      assert.equal(none.headers.get('content-type')?.startsWith('application/json'), true);
      const body = (await none.json()) as { error: { code: string } };
      assert.equal(none.status, 415, JSON.stringify(body));
      assert.equal(body.error.code, 'REQUEST_UNSUPPORTED_MEDIA_TYPE');
      assert.deepEqual(await snapshot(srv.services), before_);
    });

    it('every SBOM media type, with parameters and in any case, is taken', async () => {
      const types = [
        'application/vnd.cyclonedx+json',
        'application/spdx+json',
        'Application/JSON; charset=utf-8',
        'application/vnd.cyclonedx+xml',
        'application/xml',
        'text/xml',
        'text/spdx',
        'text/plain',
        'application/yaml',
        'application/x-yaml',
        'text/yaml',
      ];
      for (const [i, type] of types.entries()) {
        // Each a new document (the serial number differs), so that each one is stored.
        const doc = demoJson();
        doc['serialNumber'] = `urn:uuid:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
        const a = await push(srv, token, JSON.stringify(doc), { ...q, product: 'media' }, type);
        assert.equal(a.status, 201, `${type}: ${a.text.slice(0, 300)}`);
      }
    });

    it('malformed JSON is 400 SBOM_PARSE; an empty body too', async () => {
      await rejected(demo.slice(0, 5000), 400, 'SBOM_PARSE');
      await rejected('{"bomFormat": "CycloneDX", ', 400, 'SBOM_PARSE');
      await rejected('', 400, 'SBOM_PARSE');
    });

    it('JSON nested past the depth limit is refused as bad input, not a crash', async () => {
      const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
      const a = await push(srv, token, deep, q);
      assert.equal(a.status, 400, a.text);
      assert.match(errorCode(a), /^(INPUT_TOO_DEEP|SBOM_PARSE|SBOM_FORMAT_UNKNOWN)$/);
      assert.deepEqual(await snapshot(srv.services), before_);
    });

    it('valid JSON that is not an SBOM is 400 SBOM_FORMAT_UNKNOWN', async () => {
      await rejected('{"hello":"world"}', 400, 'SBOM_FORMAT_UNKNOWN');
      await rejected('[1,2,3]', 400, 'SBOM_FORMAT_UNKNOWN');
      await rejected('"just a string"', 400, 'SBOM_FORMAT_UNKNOWN');
    });

    it('schema-invalid CycloneDX is 422 SBOM_SCHEMA_INVALID with the errors', async () => {
      const d = demoJson();
      (d.components[0] as Record<string, unknown>)['type'] = 'not-a-component-type';
      const a = await rejected(JSON.stringify(d), 422, 'SBOM_SCHEMA_INVALID');
      assert.ok(Array.isArray(a.json.error.details.errors));
      assert.ok(a.json.error.details.errors.length > 0);
    });

    it('duplicate bom-refs are 422 SBOM_SCHEMA_INVALID naming the pointer', async () => {
      const d = demoJson();
      const [first, second] = d.components;
      assert.ok(first && second);
      second['bom-ref'] = first['bom-ref'];
      const a = await rejected(JSON.stringify(d), 422, 'SBOM_SCHEMA_INVALID');
      const errors = a.json.error.details.errors as { pointer: string; keyword: string }[];
      assert.deepEqual(
        errors.map((e) => [e.pointer, e.keyword]),
        [['/components/1/bom-ref', 'uniqueBomRef']],
      );
      assert.match(a.json.error.message, /\/components\/1\/bom-ref: bom-ref .* is already used/);
    });

    it('control or bidi characters in a name, version or group are 422 SBOM_SCHEMA_INVALID', async () => {
      for (const [field, value] of [
        ['name', 'lodash\u202E'],
        ['version', '1.0.0\u0000'],
        ['name', 'a\u001b[31mred'],
      ] as const) {
        const d = demoJson();
        (d.components[2] as Record<string, unknown>)[field] = value;
        const a = await rejected(JSON.stringify(d), 422, 'SBOM_SCHEMA_INVALID');
        const errors = a.json.error.details.errors as { pointer: string; keyword: string }[];
        assert.deepEqual(
          errors.map((e) => [e.pointer, e.keyword]),
          [[`/components/2/${field}`, 'controlCharacter']],
        );
      }
    });

    it('a gate failure is 422 SBOM_GATE_FAILED listing the failed checks', async () => {
      // A real CycloneDX 1.4 document whose components carry no hashes.
      const a = await rejected(laravel, 422, 'SBOM_GATE_FAILED');
      const failures = a.json.error.details.failures as { check: string; count: number }[];
      assert.deepEqual(
        failures.map((f) => f.check),
        ['integrity.source-hash'],
      );
      assert.ok(failures[0] && failures[0].count > 0);
      assert.equal(typeof a.json.error.details.score, 'number');
      // The demo SBOM stripped of licences, hashes and one version: licences only warn.
      const d = demoJson();
      for (const c of d.components) {
        delete c['licenses'];
        delete c['hashes'];
      }
      delete d.components[0]?.['version'];
      const b = await rejected(JSON.stringify(d), 422, 'SBOM_GATE_FAILED');
      assert.deepEqual(
        (b.json.error.details.failures as { check: string }[]).map((f) => f.check).sort(),
        ['integrity.source-hash', 'ntia.version'],
      );
    });

    it('a bad product or release name is 400 INVENTORY_INPUT_INVALID', async () => {
      for (const product of ['../etc/passwd', 'my app', '-leading-dash', '', 'a/b', 'ä']) {
        await rejected(demo, 400, 'INVENTORY_INPUT_INVALID', { ...q, product });
      }
      for (const release of ['1.0 beta', '', '../1']) {
        await rejected(demo, 400, 'INVENTORY_INPUT_INVALID', { ...q, release });
      }
      // Over the query schema's length limits, or missing: refused before anything is read.
      for (const query of [
        { ...q, product: 'x'.repeat(201) },
        { release: '1' },
        { product: 'app' },
      ]) {
        const a = await push(srv, token, demo, query);
        assert.equal(a.status, 400, a.text);
        assert.match(errorCode(a), /^(REQUEST_INVALID|INVENTORY_INPUT_INVALID)$/);
      }
      assert.deepEqual(await snapshot(srv.services), before_);
    });

    it('a malformed artifact digest is 400 INVENTORY_INPUT_INVALID', async () => {
      for (const artifact of [
        'sha256:xyz',
        `sha256:${'A'.repeat(64)}`,
        `sha512:${HEX_A}`,
        HEX_A,
        `sha256:${HEX_A}0`,
        '',
      ]) {
        await rejected(demo, 400, 'INVENTORY_INPUT_INVALID', { ...q, artifact });
      }
    });

    it('an SBOM whose subject digest is not the artifact is 422 SBOM_SUBJECT_MISMATCH', async () => {
      const d = demoJson();
      (d['metadata'] as { component: Record<string, unknown> }).component['hashes'] = [
        { alg: 'SHA-256', content: HEX_A },
      ];
      const text = JSON.stringify(d);
      const a = await rejected(text, 422, 'SBOM_SUBJECT_MISMATCH', {
        ...q,
        artifact: `sha256:${HEX_B}`,
      });
      assert.equal(a.json.error.details.subject, `sha256:${HEX_A}`);
      // Without an artifact the subject's digest is the artifact; with the same one it is accepted.
      const ok = await push(srv, token, text, { ...q, product: 'subject' });
      assert.equal(ok.status, 201, ok.text);
      assert.equal(ok.json.sbom.artifact, `sha256:${HEX_A}`);
      const same = await push(srv, token, text, {
        ...q,
        product: 'subject',
        artifact: `sha256:${HEX_A}`,
      });
      assert.equal(same.status, 200, same.text);
    });

    it('a team the token does not belong to, or that does not exist, is 404', async () => {
      await rejected(demo, 404, 'INVENTORY_NOT_FOUND', {
        ...q,
        product: 'elsewhere',
        team: 'beta',
      });
      const admin = await tokenFor(srv.services, 'admin');
      before_ = await snapshot(srv.services);
      const a = await push(srv, admin, demo, { ...q, product: 'elsewhere', team: 'no-such-team' });
      assert.equal(a.status, 404, a.text);
      assert.equal(errorCode(a), 'INVENTORY_NOT_FOUND');
      assert.deepEqual(await snapshot(srv.services), before_);
    });

    it('a failure inside the transaction rolls everything back (trigger on component_licenses)', async () => {
      const db = srv.services.db.kysely;
      if (backend === 'sqlite') {
        await sql`create trigger custody_test_fail before insert on component_licenses
          begin select raise(abort, 'injected failure'); end`.execute(db);
      } else {
        await sql`create function custody_test_fail() returns trigger language plpgsql as
          $$ begin raise exception 'injected failure'; end $$`.execute(db);
        await sql`create trigger custody_test_fail before insert on component_licenses
          for each row execute function custody_test_fail()`.execute(db);
      }
      try {
        const a = await push(srv, token, demo, { ...q, product: 'trigger' });
        assert.equal(a.status, 500, a.text);
        assert.equal(errorCode(a), 'INTERNAL');
        assert.doesNotMatch(a.text, /injected/, 'internal errors must not leak details');
        assert.deepEqual(await snapshot(srv.services), before_);
      } finally {
        await sql`drop trigger custody_test_fail${sql.raw(backend === 'postgres' ? ' on component_licenses' : '')}`.execute(
          db,
        );
        if (backend === 'postgres') await sql`drop function custody_test_fail()`.execute(db);
      }
      // The store works normally afterwards.
      const ok = await push(srv, token, demo, { ...q, product: 'trigger' });
      assert.equal(ok.status, 201, ok.text);
      assert.ok(srv.services.blobs.has(ok.json.sbom.digest));
    });

    it('a failure at commit, after the blob was written, removes the blob again', async () => {
      const db = srv.services.db.kysely;
      // A check deferred to COMMIT: the transaction's statements (and the blob write) all succeed first.
      if (backend === 'sqlite') {
        await sql`create table custody_test_deferred (team_id integer
          references teams(id) deferrable initially deferred)`.execute(db);
        await sql`create trigger custody_test_fail after insert on component_licenses
          begin insert into custody_test_deferred values (-1); end`.execute(db);
      } else {
        await sql`create function custody_test_fail() returns trigger language plpgsql as
          $$ begin raise exception 'injected failure at commit'; end $$`.execute(db);
        await sql`create constraint trigger custody_test_fail after insert on component_licenses
          deferrable initially deferred for each row execute function custody_test_fail()`.execute(
          db,
        );
      }
      const d = demoJson();
      d['serialNumber'] = 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79';
      const text = JSON.stringify(d);
      // Watch (not replace) the blob store, to know the blob really was written before the failure.
      const blobs = srv.services.blobs;
      const seen: string[] = [];
      const put = blobs.put.bind(blobs);
      const discard = blobs.discard.bind(blobs);
      blobs.put = (bytes) => {
        const r = put(bytes);
        seen.push(`put ${r.digest} ${r.created}`);
        return r;
      };
      blobs.discard = (digest) => {
        seen.push(`discard ${digest}`);
        discard(digest);
      };
      try {
        const a = await push(srv, token, text, { ...q, product: 'commit-fail' });
        assert.equal(a.status, 500, a.text);
        assert.equal(errorCode(a), 'INTERNAL');
        const digest = `sha256:${createHash('sha256').update(text).digest('hex')}`;
        assert.deepEqual(seen, [`put ${digest} true`, `discard ${digest}`]);
        assert.deepEqual(await snapshot(srv.services), before_);
      } finally {
        blobs.put = put;
        blobs.discard = discard;
        if (backend === 'sqlite') {
          await sql`drop trigger custody_test_fail`.execute(db);
          await sql`drop table custody_test_deferred`.execute(db);
        } else {
          await sql`drop trigger custody_test_fail on component_licenses`.execute(db);
          await sql`drop function custody_test_fail()`.execute(db);
        }
      }
      const ok = await push(srv, token, text, { ...q, product: 'commit-fail' });
      assert.equal(ok.status, 201, ok.text);
      assert.ok(srv.services.blobs.has(ok.json.sbom.digest));
    });

    it('a refused caller cannot make the server read the body', async () => {
      const viewer = await tokenFor(srv.services, 'viewer', ['alpha']);
      before_ = await snapshot(srv.services);
      const a = await push(srv, viewer, demo, q);
      assert.equal(a.status, 403);
      assert.equal(errorCode(a), 'AUTH_FORBIDDEN');
      assert.deepEqual(await snapshot(srv.services), before_);
    });

    it('no rejection above stored anything: only the successful pushes are there', async () => {
      const s = await call(srv, 'GET', '/api/v1/products', { token });
      assert.deepEqual(s.json.items.map((p: { name: string }) => p.name).sort(), [
        'commit-fail',
        'exact-size',
        'media',
        'seed',
        'subject',
        'trigger',
      ]);
    });
  });
}
