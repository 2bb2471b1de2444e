import assert from 'node:assert/strict';
import { createPublicKey } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { verifyArtifact } from '../../src/app/verify/verify-artifact.js';
import { draftFromAdvisory } from '../../src/app/vex/index.js';
import { validateVex } from '../../src/formats/index.js';
import { parseTrustedRoot } from '../../src/sign/index.js';
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

/**
 * VEX inside `custody serve` (issue 12), through a real server on SQLite and PostgreSQL: draft →
 * a second person approves (never the drafter, whichever token) → publish signed and logged →
 * every format served and valid; revision rules; fixed from the inventory's evidence; private
 * disclosures that leak nowhere; bad input refused with codes and nothing stored.
 */

const CVE = 'CVE-2021-23337';
const SECRET = 'CVE-2099-0001';
const LODASH = 'pkg:npm/lodash@4.17.20';

for (const backend of BACKENDS) {
  describe(`VEX in the service (${backend})`, () => {
    let srv: TestServer;
    const t = {} as Record<
      'admin' | 'alice' | 'aliceApprover' | 'bob' | 'viewer' | 'auditor' | 'outsider',
      string
    >;
    let artifact: string;

    before(async () => {
      srv = await startServer(backend);
      const s = srv.services;
      t.admin = await tokenFor(s, 'admin', undefined, 'root@example.com');
      t.alice = await tokenFor(s, 'publisher', ['web'], 'alice@example.com');
      t.aliceApprover = await tokenFor(s, 'approver', ['web'], ' Alice@Example.com ');
      t.bob = await tokenFor(s, 'approver', ['web'], 'bob@example.com');
      t.viewer = await tokenFor(s, 'viewer', ['web'], 'vera@example.com');
      t.auditor = await tokenFor(s, 'auditor', undefined, 'erin@example.com');
      t.outsider = await tokenFor(s, 'approver', ['other'], 'dave@example.com');
      const { demo } = await sbomFixtures();
      for (const product of ['portal', 'shop', 'vault']) {
        const r = await push(srv, t.alice, demo, { product, release: '2.4.0', team: 'web' });
        assert.equal(r.status, 201, r.text);
        if (product === 'shop') artifact = r.json.sbom.artifact;
      }
    });
    after(async () => srv?.close());

    const draft = (product: string, body: unknown, token = t.alice) =>
      call(srv, 'POST', `/api/v1/vex/${product}/statements`, { token, body });
    const act = (id: number, what: string, token: string, body?: unknown) =>
      call(srv, 'POST', `/api/v1/vex-statements/${id}/${what}`, {
        token,
        ...(body !== undefined ? { body } : {}),
      });
    const publish = (product: string, format: string, token = t.alice) =>
      call(srv, 'POST', `/api/v1/vex/${product}/publish?format=${format}`, { token });

    it('draft → the drafter’s approver token is refused → another person approves → published signed and logged in every format', async () => {
      const d = await draft('portal', {
        vulnerability: CVE,
        releases: ['2.4.0'],
        components: [LODASH],
        description: 'Command injection in lodash template',
      });
      assert.equal(d.status, 201, d.text);
      assert.equal(d.json.status, 'under_investigation');
      assert.equal(d.json.draftedBy, 'alice@example.com');
      const id = d.json.id as number;

      const judged = await act(id, 'transition', t.alice, {
        status: 'not_affected',
        justification: 'vulnerable_code_not_in_execute_path',
        impactStatement: 'portal never calls _.template',
      });
      assert.equal(judged.status, 200, judged.text);
      assert.equal(judged.json.version, 2);
      assert.equal(judged.json.needsApproval, true);

      // Not published while it waits: the draft's version is what the public document has.
      const before = await snapshot(srv.services);
      const same = await act(id, 'approve', t.aliceApprover);
      assert.equal(same.status, 403, same.text);
      assert.equal(errorCode(same), 'AUTH_SAME_PERSON');
      assert.deepEqual(await snapshot(srv.services), before, 'a refused approval writes nothing');
      const publisher = await act(id, 'approve', t.alice);
      assert.equal(publisher.status, 403);
      assert.equal(errorCode(publisher), 'AUTH_FORBIDDEN');

      const ok = await act(id, 'approve', t.bob);
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.json.approvedBy, 'bob@example.com');
      assert.equal(ok.json.needsApproval, false);
      assert.equal(ok.json.version, 2, 'approval changes no version');

      const audit = await call(srv, 'GET', '/api/v1/audit?action=vex.approve', {
        token: t.auditor,
      });
      assert.equal(audit.json.items[0].details.requestedBy, 'alice@example.com');
      assert.equal(audit.json.items[0].details.decidedBy, 'bob@example.com');

      const root = parseTrustedRoot(
        (await call(srv, 'GET', '/api/v1/trusted-root', { token: t.viewer })).json,
      );
      const pem = (await call(srv, 'GET', '/api/v1/vex-signing-key')).text;
      for (const format of ['openvex', 'cyclonedx', 'csaf']) {
        const p = await publish('portal', format);
        assert.equal(p.status, 201, p.text);
        assert.equal(p.json.documentVersion, '1');
        assert.equal(p.json.statements, 1);
        const doc = await call(srv, 'GET', `/api/v1/vex/portal?format=${format}`, {
          token: t.viewer,
        });
        assert.equal(doc.status, 200, doc.text);
        const v = await validateVex(new TextEncoder().encode(doc.text));
        assert.equal(v.valid, true, JSON.stringify(v.errors));
        assert.equal(v.format, format);
        assert.match(doc.text, /CVE-2021-23337/);
        assert.match(doc.text, /not_affected|not_affected|known_not_affected|code_not_reachable/);

        // The bundle verifies with the service's trusted root (its log) and VEX key.
        const bundle = await call(srv, 'GET', `/api/v1/vex/portal/bundle?format=${format}`, {
          token: t.viewer,
        });
        const verified = await verifyArtifact({
          bundle: bundle.json,
          artifact: { data: new TextEncoder().encode(doc.text) },
          policy: { key: createPublicKey(pem) },
          trust: root,
        });
        assert.ok(verified);
        await assert.rejects(
          verifyArtifact({
            bundle: bundle.json,
            artifact: { data: new TextEncoder().encode(doc.text.replace('not', 'NOT')) },
            policy: { key: createPublicKey(pem) },
            trust: root,
          }),
        );
        // Logged as a `vex` entry about the document's digest.
        const entry = await call(srv, 'GET', `/api/v1/tlog/entries/${p.json.logIndex}`, {
          token: t.viewer,
        });
        assert.equal(entry.status, 200, entry.text);
        assert.equal(entry.json.kind, 'vex');
        assert.equal(entry.json.subject, p.json.digest);
      }
      const again = await publish('portal', 'openvex');
      assert.equal(
        again.json.documentVersion,
        '2',
        'the document version moves on every publication',
      );
    });

    it('revisions: substantive fields make a new version, corrections edit in place, with the trail', async () => {
      const d = await draft('shop', { vulnerability: 'GHSA-35jh-r3h4-6jhm', components: [LODASH] });
      const id = d.json.id as number;
      const v2 = await act(id, 'revise', t.alice, {
        edit: { statusNotes: 'Analysis in progress: checking every call site.' },
      });
      assert.equal(v2.status, 200, v2.text);
      assert.equal(v2.json.version, 2);
      const typo = await act(id, 'revise', t.alice, {
        edit: { statusNotes: 'Analysis in progress: checking evrey call site.' },
        correction: 'typo',
      });
      assert.equal(typo.status, 200, typo.text);
      assert.equal(typo.json.version, 2, 'a typo fix edits in place');
      const description = await act(id, 'revise', t.alice, {
        edit: { description: 'Lodash template injection' },
      });
      assert.equal(description.json.version, 2, 'the description is non-substantive metadata');
      const before = await snapshot(srv.services);
      const sneaky = await act(id, 'revise', t.alice, {
        edit: { statusNotes: 'Not affected: we never call it.' },
        correction: 'typo',
      });
      assert.equal(sneaky.status, 400, sneaky.text);
      assert.equal(errorCode(sneaky), 'VEX_CORRECTION_INVALID');
      assert.deepEqual(await snapshot(srv.services), before);
      const epss = await act(id, 'revise', t.alice, { edit: { intel: { epss: 0.35 } } });
      assert.equal(epss.json.version, 3, 'new information (EPSS) is a new version');

      const h = await call(srv, 'GET', `/api/v1/vex-statements/${id}`, { token: t.viewer });
      assert.deepEqual(
        h.json.versions.map((v: { version: number }) => v.version),
        [1, 2, 3],
      );
      const kinds = h.json.trail.map(
        (c: { field: string; kind: string }) => `${c.field}:${c.kind}`,
      );
      assert.ok(kinds.includes('statusNotes:substantive'));
      assert.ok(kinds.includes('statusNotes:typo'));
      assert.ok(kinds.includes('description:metadata'));
      assert.ok(kinds.includes('intel.epss:substantive'));
    });

    it('fixed from evidence publishes without approval only when the current SBOM holds the fix', async () => {
      const d = await draft('shop', {
        vulnerability: CVE,
        releases: ['2.4.0'],
        components: [LODASH],
      });
      const id = d.json.id as number;
      const before = await snapshot(srv.services);
      const early = await act(id, 'fixed', t.alice, { fixedVersion: '4.17.21' });
      assert.equal(early.status, 422, early.text);
      assert.equal(errorCode(early), 'VEX_EVIDENCE_MISMATCH');
      assert.deepEqual(await snapshot(srv.services), before);

      // The release is rebuilt with lodash 4.17.21: the artifact's next SBOM becomes current.
      const { demo11 } = await sbomFixtures();
      const rebuilt = await push(srv, t.alice, demo11, {
        product: 'shop',
        release: '2.4.0',
        artifact,
      });
      assert.ok(rebuilt.status === 201, rebuilt.text);
      const fixed = await act(id, 'fixed', t.alice, { fixedVersion: '4.17.21' });
      assert.equal(fixed.status, 200, fixed.text);
      assert.equal(fixed.json.status, 'fixed');
      assert.equal(fixed.json.needsApproval, false);
      assert.equal(fixed.json.approvedBy, null);
      const p = await publish('shop', 'cyclonedx');
      assert.equal(p.status, 201, p.text);
      const doc = await call(srv, 'GET', '/api/v1/vex/shop?format=cyclonedx', { token: t.viewer });
      assert.match(doc.text, /"resolved"/);
    });

    it('EOL: affected, will_not_fix, and it waits for approval', async () => {
      const d = await draft('vault', { vulnerability: 'CVE-2020-8203', components: [LODASH] });
      const eol = await act(d.json.id, 'eol', t.alice, {
        actionStatement: 'vault 2.x is end of life: move to vault 3',
      });
      assert.equal(eol.status, 200, eol.text);
      assert.equal(eol.json.status, 'affected');
      assert.deepEqual(eol.json.statement.responses, ['will_not_fix']);
      assert.equal(eol.json.needsApproval, true);
    });

    it('confidential statements leak nowhere until disclosed', async () => {
      const refused = await draft('vault', {
        vulnerability: SECRET,
        components: [LODASH],
        confidential: true,
      });
      assert.equal(refused.status, 403, 'a publisher cannot draft what it may not see');
      const d = await draft(
        'vault',
        { vulnerability: SECRET, components: [LODASH], confidential: true },
        t.bob,
      );
      assert.equal(d.status, 201, d.text);
      const id = d.json.id as number;
      // Another statement that names the secret is redacted too.
      const other = await draft('vault', {
        vulnerability: 'CVE-2019-10744',
        components: [LODASH],
        description: `related to ${SECRET}`,
      });
      assert.equal(other.status, 201, other.text);
      const plain = await draft('vault', { vulnerability: 'CVE-2017-16487', components: [LODASH] });
      assert.equal(plain.status, 201, plain.text);
      for (const format of ['openvex', 'cyclonedx', 'csaf']) {
        assert.equal((await publish('vault', format)).status, 201);
      }

      const seen: Answer[] = [];
      const get = async (path: string, token?: string) => {
        const a = await call(srv, 'GET', path, token === undefined ? {} : { token });
        seen.push(a);
        return a;
      };
      for (const token of [t.alice, t.viewer, t.auditor, t.admin, t.outsider]) {
        await get('/api/v1/vex/vault/statements', token);
        await get(`/api/v1/vex-statements/${id}`, token);
        for (const format of ['openvex', 'cyclonedx', 'csaf']) {
          await get(`/api/v1/vex/vault?format=${format}`, token);
          await get(`/api/v1/vex/vault/bundle?format=${format}`, token);
        }
        await get('/api/v1/products/vault', token);
        await get('/api/v1/audit?limit=1000', token);
        await get('/api/v1/components?purl=pkg:npm/lodash', token);
        await get('/api/v1/portfolio', token);
      }
      assert.equal(seen[1]?.status, 404, 'a publisher cannot see it');
      // Nor act on it, nor on the statement that names it.
      for (const target of [id, other.json.id as number]) {
        const r = await act(target, 'revise', t.alice, { edit: { statusNotes: 'x' } });
        assert.equal(r.status, 404, r.text);
        seen.push(r);
      }
      await get('/metrics', t.admin);
      await get('/openapi.json');
      const size = (await get('/api/v1/tlog', t.viewer)).json.size as number;
      for (let i = 0; i < size; i++) {
        const e = await get(`/api/v1/tlog/entries/${i}`, t.viewer);
        seen.push({ ...e, text: Buffer.from(e.json.body, 'base64').toString('utf8') });
      }
      for (const a of seen) {
        assert.ok(!a.text.includes(SECRET), `leaked: ${a.text.slice(0, 300)}`);
      }

      // The team's approver sees it; after disclosure everyone in the team does, and it publishes.
      const mine = await call(srv, 'GET', '/api/v1/vex/vault/statements', { token: t.bob });
      assert.ok(mine.text.includes(SECRET));
      const disclosed = await act(id, 'disclose', t.aliceApprover);
      assert.equal(disclosed.status, 200, disclosed.text);
      assert.equal(disclosed.json.confidential, false);
      assert.ok(disclosed.json.disclosedAt);
      assert.ok(
        (await call(srv, 'GET', '/api/v1/vex/vault/statements', { token: t.viewer })).text.includes(
          SECRET,
        ),
      );
      assert.equal((await publish('vault', 'openvex')).status, 201);
      const doc = await call(srv, 'GET', '/api/v1/vex/vault?format=openvex', { token: t.viewer });
      assert.ok(doc.text.includes(SECRET));
    });

    it('draftFromAdvisory: the system drafts one statement per affected product, once', async () => {
      const advisory = { id: 'GHSA-p6mc-m468-83gw', aliases: ['CVE-2020-8203'] };
      const affected = [
        { product: 'portal', release: '2.4.0', component: LODASH },
        { product: 'shop', release: '2.4.0', component: LODASH },
        { product: 'no-such-product', release: '1.0.0', component: LODASH },
      ];
      const first = await draftFromAdvisory(srv.services, advisory, affected);
      assert.deepEqual(first.map((v) => v.product).sort(), ['portal', 'shop']);
      for (const v of first) {
        assert.equal(v.status, 'under_investigation');
        assert.equal(v.draftedBy, 'system');
        assert.equal(v.needsApproval, false, 'an automatic draft publishes without approval');
        // Stored as any draft is: its first version, its change trail, an audit record.
        const db = srv.services.db.read;
        const versions = await db
          .selectFrom('vex_statement_versions')
          .select(['version', 'body'])
          .where('statement_id', '=', v.id)
          .execute();
        assert.deepEqual(versions, [{ version: 1, body: JSON.stringify(v.statement) }]);
        const trail = await db
          .selectFrom('vex_changes')
          .select(['version', 'by'])
          .where('statement_id', '=', v.id)
          .execute();
        assert.ok(trail.length > 0);
        assert.ok(trail.every((c) => c.version === 1 && c.by === 'system'));
        const audit = await db
          .selectFrom('audit_events')
          .select(['actor', 'team', 'details'])
          .where('action', '=', 'vex.draft')
          .where('target', '=', `vex-statement:${v.id}`)
          .execute();
        assert.equal(audit.length, 1);
        assert.equal(audit[0]?.actor, 'system');
        assert.equal(audit[0]?.team, v.team);
        assert.deepEqual(JSON.parse(audit[0]?.details ?? ''), {
          statement: v.id,
          product: v.product,
          status: 'under_investigation',
          version: 1,
          vulnerability: advisory.id,
        });
      }
      assert.deepEqual(await draftFromAdvisory(srv.services, advisory, affected), []);
    });

    it('bad input: statuses, justifications and responses outside the lists are refused, nothing stored', async () => {
      const d = await draft('portal', { vulnerability: 'CVE-2018-3721', components: [LODASH] });
      const id = d.json.id as number;
      const before = await snapshot(srv.services);
      const cases: [string, unknown][] = [
        ['transition', { status: 'exploitable' }],
        ['transition', { status: 'not_affected', justification: 'we_checked' }],
        ['transition', { status: 'affected', actionStatement: 'update', responses: ['pray'] }],
        ['transition', { status: 'affected' }],
        ['revise', { edit: { justification: 'because' } }],
      ];
      for (const [what, body] of cases) {
        const r = await act(id, what, t.alice, body);
        assert.equal(r.status, 400, `${what} ${JSON.stringify(body)}: ${r.text}`);
        assert.equal(errorCode(r), 'VEX_STATEMENT_INVALID');
      }
      const jump = await act(id, 'transition', t.alice, { status: 'fixed' });
      assert.equal(jump.status, 200, 'under_investigation → fixed is allowed (needs approval)');
      const back = await act(id, 'transition', t.alice, {
        status: 'not_affected',
        justification: 'component_not_present',
      });
      assert.equal(back.status, 409);
      assert.equal(errorCode(back), 'VEX_TRANSITION_INVALID');
      const extra = await draft('portal', {
        vulnerability: 'X',
        components: [LODASH],
        status: 'x',
      });
      assert.equal(extra.status, 400);
      assert.equal(errorCode(extra), 'REQUEST_INVALID');
      const badPurl = await draft('portal', { vulnerability: 'CVE-1', components: ['not a purl'] });
      assert.equal(badPurl.status, 400, badPurl.text);
      const after = await snapshot(srv.services);
      // Only the allowed transition to fixed wrote (the statement, its version, trail, audit).
      assert.equal(after['vex_statements'], before['vex_statements']);
      assert.equal(after['vex_statement_versions'], (before['vex_statement_versions'] ?? 0) + 1);
      const nothing = await publish('portal', 'yaml');
      assert.equal(nothing.status, 400);
    });
  });
}
