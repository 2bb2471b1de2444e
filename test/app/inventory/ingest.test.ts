import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import * as CDX from '@cyclonedx/cyclonedx-library';
import { AccessError } from '../../../src/access/index.js';
import { auditTrail } from '../../../src/app/audit-trail.js';
import { ingestSbom } from '../../../src/app/inventory/ingest-sbom.js';
import { setGatePolicy } from '../../../src/app/inventory/manage-teams.js';
import { searchInventory } from '../../../src/app/inventory/search-components.js';
import { bootstrapAdminToken, CLI_CALLER, createToken } from '../../../src/app/tokens.js';
import { InventoryError } from '../../../src/inventory/errors.js';
import { parseComponentQuery } from '../../../src/inventory/query.js';
import { SbomError } from '../../../src/sbom/errors.js';
import { expectCustodyErrorAsync } from '../../helpers/expect-error.js';
import { BACKENDS, freshServices, type TestServices } from '../../helpers/store.js';
import { caller, demoSbom, edited, SAMPLES, sample } from './fixtures.js';

const SUBJECT = 'c0ffee'.padEnd(64, '0');
const sha256 = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;

/** A small CycloneDX 1.6 BOM serialised to XML by CycloneDX's own library. */
function xmlBom(): string {
  const bom = new CDX.Models.Bom();
  bom.serialNumber = 'urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79';
  bom.metadata.timestamp = new Date();
  bom.metadata.component = new CDX.Models.Component(CDX.Enums.ComponentType.Application, 'shop', {
    bomRef: 'app',
    version: '2.0.0',
  });
  const core = new CDX.Models.Component(CDX.Enums.ComponentType.Library, 'core', {
    bomRef: 'babel-core',
    group: '@babel',
    version: '7.0.0',
  });
  core.purl = 'pkg:npm/%40babel/core@7.0.0' as never;
  core.hashes.set(CDX.Enums.HashAlgorithm['SHA-256'], 'ab'.repeat(32));
  core.licenses.add(new CDX.Models.SpdxLicense('MIT'));
  const fw = new CDX.Models.Component(CDX.Enums.ComponentType.Library, 'fw', {
    bomRef: 'fw',
    version: '3.0.0',
  });
  fw.purl = 'pkg:npm/fw@3.0.0' as never;
  fw.hashes.set(CDX.Enums.HashAlgorithm['SHA-256'], 'cd'.repeat(32));
  fw.licenses.add(new CDX.Models.LicenseExpression('MIT OR Apache-2.0'));
  bom.components.add(core);
  bom.components.add(fw);
  bom.metadata.component.dependencies.add(core.bomRef);
  core.dependencies.add(fw.bomRef);
  return new CDX.Serialize.XmlSerializer(
    new CDX.Serialize.XML.Normalize.Factory(CDX.Spec.Spec1dot6),
  ).serialize(bom, { space: 2 });
}

for (const backend of BACKENDS) {
  describe(`ingestSbom (${backend})`, () => {
    let s: TestServices;
    beforeEach(async () => {
      s = await freshServices(backend);
      await bootstrapAdminToken(s);
    });
    afterEach(() => s.close());

    const count = async (
      table: 'sboms' | 'components' | 'products' | 'releases' | 'artifacts' | 'follow_ups',
    ) =>
      Number(
        (
          await s.db.kysely
            .selectFrom(table)
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('stores the document in the blob store and one index row per component', async () => {
      const bytes = await demoSbom('demo-app');
      const r = await ingestSbom(s, CLI_CALLER, { bytes, product: 'demo', release: '1.0.0' });
      assert.equal(r.created, true);
      assert.equal(r.gate.passed, true);
      const v = r.sbom;
      assert.equal(v.version, 1);
      assert.equal(v.current, true);
      assert.equal(v.supersedes, null);
      assert.equal(v.componentCount, 75);
      assert.equal(v.format, 'cyclonedx');
      assert.equal(v.specVersion, '1.6');
      assert.equal(v.mediaType, 'application/vnd.cyclonedx+json');
      assert.equal(v.size, bytes.byteLength);
      assert.equal(v.digest, `sha256:${createHash('sha256').update(bytes).digest('hex')}`);
      assert.equal(v.team, 'default');
      assert.equal(v.createdBy, 'cli');
      assert.equal(v.qualityScore, r.quality.score);
      // A source-tree SBOM has no artifact digest: a stand-in derived from product and release.
      assert.equal(v.artifact, sha256('custody:source:demo@1.0.0'));
      assert.deepEqual(s.blobs.get(v.digest), Buffer.from(bytes));
      // Checked through the schema's stable parts and the search, not the index's table layout.
      const rows = await s.db.kysely
        .selectFrom('components')
        .select('direct')
        .where('sbom_id', '=', v.id)
        .execute();
      assert.equal(rows.length, 75);
      assert.equal(rows.filter((c) => c.direct === 1).length, 4);
      const lodash = await searchInventory(
        s,
        CLI_CALLER,
        parseComponentQuery({ purl: 'pkg:npm/lodash' }),
      );
      assert.deepEqual(
        lodash.items.map((h) => [
          h.purl,
          h.direct,
          h.current,
          h.licenses,
          h.sbom.id,
          h.product.name,
          h.release.version,
        ]),
        [['pkg:npm/lodash@4.17.20', true, true, 'MIT', v.id, 'demo', '1.0.0']],
      );
      const mit = await searchInventory(
        s,
        CLI_CALLER,
        parseComponentQuery({ license: 'MIT', limit: '500' }),
      );
      assert.ok(mit.items.length > 50);
      assert.ok(mit.items.every((h) => h.sbom.id === v.id));
    });

    it('is idempotent: the same bytes again are not stored twice', async () => {
      const bytes = await demoSbom('demo-app');
      const a = await ingestSbom(s, CLI_CALLER, { bytes, product: 'demo', release: '1.0.0' });
      const b = await ingestSbom(s, CLI_CALLER, { bytes, product: 'demo', release: '1.0.0' });
      assert.equal(b.created, false);
      assert.equal(b.sbom.id, a.sbom.id);
      assert.equal(b.sbom.current, true);
      assert.equal(await count('sboms'), 1);
      assert.equal(await count('components'), 75);
      assert.equal(await count('artifacts'), 1);
    });

    it('a new document for the same artifact supersedes the previous one', async () => {
      const v1 = await demoSbom('demo-app');
      const v2 = edited(v1, (d) => {
        d['serialNumber'] = 'urn:uuid:8a2b6c4e-0d1f-4a3b-9c5d-6e7f8a9b0c1d';
      });
      const v3 = await demoSbom('demo-app-1.1');
      const input = { product: 'demo', release: '1.0.0' };
      const a = await ingestSbom(s, CLI_CALLER, { ...input, bytes: v1 });
      const b = await ingestSbom(s, CLI_CALLER, { ...input, bytes: v2 });
      const c = await ingestSbom(s, CLI_CALLER, { ...input, bytes: v3 });
      assert.deepEqual(
        [a, b, c].map((x) => [x.created, x.sbom.version, x.sbom.current]),
        [
          [true, 1, true],
          [true, 2, true],
          [true, 3, true],
        ],
      );
      assert.equal(b.sbom.supersedes, a.sbom.id);
      assert.equal(c.sbom.supersedes, b.sbom.id);
      assert.equal(c.sbom.artifactId, a.sbom.artifactId);
      const sboms = await s.db.kysely
        .selectFrom('sboms')
        .select(['id', 'current', 'version_no', 'supersedes_id'])
        .orderBy('id')
        .execute();
      assert.deepEqual(
        sboms.map((x) => [x.version_no, x.current, x.supersedes_id]),
        [
          [1, 0, null],
          [2, 0, a.sbom.id],
          [3, 1, b.sbom.id],
        ],
      );
      // Only the newest SBOM's components are current; history finds the older ones.
      const now = await searchInventory(
        s,
        CLI_CALLER,
        parseComponentQuery({ purl: 'pkg:npm/lodash' }),
      );
      assert.deepEqual(
        now.items.map((h) => [h.purl, h.sbom.id, h.current]),
        [['pkg:npm/lodash@4.17.21', c.sbom.id, true]],
      );
      const all = await searchInventory(
        s,
        CLI_CALLER,
        parseComponentQuery({ purl: 'pkg:npm/lodash', history: 'true' }),
      );
      assert.deepEqual(
        all.items.map((h) => [h.purl, h.sbom.id, h.current]),
        [
          ['pkg:npm/lodash@4.17.21', c.sbom.id, true],
          ['pkg:npm/lodash@4.17.20', b.sbom.id, false],
          ['pkg:npm/lodash@4.17.20', a.sbom.id, false],
        ],
      );
      // The old documents stay, byte for byte.
      assert.deepEqual(s.blobs.get(a.sbom.digest), Buffer.from(v1));
      // Pushing an older document again finds it: nothing new is written.
      const again = await ingestSbom(s, CLI_CALLER, { ...input, bytes: v1 });
      assert.equal(again.created, false);
      assert.equal(again.sbom.id, a.sbom.id);
      assert.equal(await count('sboms'), 3);
    });

    // Regression test: an SPDX document of the artifact pushed after its CycloneDX superseded it,
    // though seed 001 says a format migration is a new artifact that retains the original.
    it('a format migration is stored beside the original: both current, each superseded only by its own format', async () => {
      const input = { product: 'demo', release: '1.0.0' };
      const cdx = await ingestSbom(s, CLI_CALLER, {
        ...input,
        bytes: await demoSbom('demo-app'),
      });
      const spdx = await ingestSbom(s, CLI_CALLER, {
        ...input,
        bytes: await demoSbom('demo-app', 'spdx-json'),
      });
      assert.equal(spdx.sbom.format, 'spdx');
      assert.equal(spdx.sbom.artifactId, cdx.sbom.artifactId, 'the same artifact');
      assert.equal(spdx.sbom.supersedes, null);
      assert.equal(spdx.sbom.current, true);
      const rows = async () =>
        (
          await s.db.kysely
            .selectFrom('sboms')
            .select(['id', 'format', 'current', 'version_no', 'supersedes_id'])
            .orderBy('id')
            .execute()
        ).map((x) => [x.format, x.version_no, x.current, x.supersedes_id]);
      assert.deepEqual(await rows(), [
        ['cyclonedx', 1, 1, null],
        ['spdx', 2, 1, null],
      ]);
      // Both are current and searchable.
      const lodash = parseComponentQuery({ purl: 'pkg:npm/lodash' });
      const hits = await searchInventory(s, CLI_CALLER, lodash);
      assert.deepEqual(
        hits.items.map((h) => [h.sbom.id, h.current]).sort(),
        [
          [cdx.sbom.id, true],
          [spdx.sbom.id, true],
        ].sort(),
      );
      // A new CycloneDX document supersedes the CycloneDX one only; the SPDX stays current.
      const cdx2 = await ingestSbom(s, CLI_CALLER, {
        ...input,
        bytes: edited(await demoSbom('demo-app'), (d) => {
          d['serialNumber'] = 'urn:uuid:8a2b6c4e-0d1f-4a3b-9c5d-6e7f8a9b0c1e';
        }),
      });
      assert.equal(cdx2.sbom.supersedes, cdx.sbom.id);
      assert.deepEqual(await rows(), [
        ['cyclonedx', 1, 0, null],
        ['spdx', 2, 1, null],
        ['cyclonedx', 3, 1, cdx.sbom.id],
      ]);
      const now = await searchInventory(s, CLI_CALLER, lodash);
      assert.deepEqual(now.items.map((h) => h.sbom.id).sort(), [spdx.sbom.id, cdx2.sbom.id].sort());
    });

    it('artifact: given, else the subject SHA-256, else the OCI purl digest of the subject', async () => {
      const bytes = await demoSbom('demo-app');
      const given = `sha256:${'1'.repeat(64)}`;
      const a = await ingestSbom(s, CLI_CALLER, {
        bytes,
        product: 'demo',
        release: '1',
        artifact: given,
      });
      assert.equal(a.sbom.artifact, given);
      const withHash = edited(bytes, (d) => {
        (d['metadata'] as { component: Record<string, unknown> }).component['hashes'] = [
          { alg: 'SHA-256', content: SUBJECT },
        ];
      });
      const b = await ingestSbom(s, CLI_CALLER, { bytes: withHash, product: 'demo', release: '2' });
      assert.equal(b.sbom.artifact, `sha256:${SUBJECT}`);
      // The same digest given explicitly is fine.
      const b2 = await ingestSbom(s, CLI_CALLER, {
        bytes: withHash,
        product: 'demo',
        release: '2',
        artifact: `sha256:${SUBJECT}`,
      });
      assert.equal(b2.created, false);
      const oci = edited(bytes, (d) => {
        (d['metadata'] as { component: Record<string, unknown> }).component['purl'] =
          `pkg:oci/demo@sha256%3A${'2'.repeat(64)}?repository_url=registry.example/demo`;
      });
      const c = await ingestSbom(s, CLI_CALLER, { bytes: oci, product: 'demo', release: '3' });
      assert.equal(c.sbom.artifact, `sha256:${'2'.repeat(64)}`);
      const artifacts = await s.db.kysely
        .selectFrom('artifacts')
        .select(['digest', 'name'])
        .orderBy('id')
        .execute();
      assert.equal(artifacts[0]?.name, 'pkg:npm/demo-app@1.0.0');
    });

    it('SBOM_SUBJECT_MISMATCH when the subject names another artifact; nothing written', async () => {
      const bytes = edited(await demoSbom('demo-app'), (d) => {
        (d['metadata'] as { component: Record<string, unknown> }).component['hashes'] = [
          { alg: 'SHA-256', content: SUBJECT },
        ];
      });
      const e = await expectCustodyErrorAsync(
        () =>
          ingestSbom(s, CLI_CALLER, {
            bytes,
            product: 'demo',
            release: '1',
            artifact: `sha256:${'9'.repeat(64)}`,
          }),
        InventoryError,
        'SBOM_SUBJECT_MISMATCH',
      );
      assert.deepEqual(e.details, {
        subject: `sha256:${SUBJECT}`,
        artifact: `sha256:${'9'.repeat(64)}`,
      });
      assert.equal(await count('products'), 0);
      await expectCustodyErrorAsync(
        () =>
          ingestSbom(s, CLI_CALLER, {
            bytes,
            product: 'demo',
            release: '1',
            artifact: 'sha256:XYZ',
          }),
        InventoryError,
        'INVENTORY_INPUT_INVALID',
      );
    });

    it('SPDX subject SHA-256 becomes the artifact (example7 golang, team gate relaxed)', async () => {
      await setGatePolicy(s, CLI_CALLER, 'default', '{}');
      const r = await ingestSbom(s, CLI_CALLER, {
        bytes: sample('spdx/spdx-examples/software/example7/spdx2.2/example7-golang.spdx.json'),
        product: 'go',
        release: '1.16.4',
      });
      assert.equal(
        r.sbom.artifact,
        'sha256:7154e88f5a8047aad4b80ebace58a059e36e7e2e4eb3b383127a28c711b4ff59',
      );
      assert.equal(r.sbom.format, 'spdx');
      assert.equal(r.sbom.specVersion, '2.2');
    });

    it('a policy requiring valid licences refuses keycloak (free-text licences) and leaves no trace', async () => {
      const bytes = sample(SAMPLES, 'keycloak-10.0.2/bom.json');
      // The pre-tier default, as a team policy: licences block.
      await setGatePolicy(
        s,
        CLI_CALLER,
        'default',
        'require: [ntia.version, integrity.hash, licensing.valid-spdx]',
      );
      const e = await expectCustodyErrorAsync(
        () => ingestSbom(s, CLI_CALLER, { bytes, product: 'keycloak', release: '10.0.2' }),
        InventoryError,
        'SBOM_GATE_FAILED',
      );
      const details = e.details as {
        failures: { check: string; count: number; components: string[] }[];
      };
      assert.deepEqual(
        details.failures.map((f) => f.check),
        ['licensing.valid-spdx'],
      );
      assert.ok((details.failures[0]?.components.length ?? 0) <= 20);
      // A refused SBOM leaves no trace: no product, no blob, no follow-up, no audit event.
      assert.equal(await count('products'), 0);
      assert.equal(await count('sboms'), 0);
      assert.equal(await count('follow_ups'), 0);
      const audit = await auditTrail(s, CLI_CALLER, { action: 'sbom.ingest' });
      assert.equal(audit.items.length, 0);
      await setGatePolicy(s, CLI_CALLER, 'default', '{}');
      const r = await ingestSbom(s, CLI_CALLER, { bytes, product: 'keycloak', release: '10.0.2' });
      assert.equal(r.sbom.componentCount, 903);
      assert.equal(await count('components'), 903);
      assert.equal(r.followUps.open, 0);
    });

    it('the default gate lets keycloak in, its free-text licences flagged for follow-up', async () => {
      const bytes = sample(SAMPLES, 'keycloak-10.0.2/bom.json');
      const r = await ingestSbom(s, CLI_CALLER, { bytes, product: 'keycloak', release: '10.0.2' });
      assert.equal(r.gate.passed, true);
      assert.deepEqual(
        r.gate.warnings.map((w) => [w.check, w.components.length]),
        [['licensing.valid-spdx', 80]],
      );
      assert.equal(r.followUps.open, 80);
      assert.equal(await count('follow_ups'), 80);
    });

    it("a team's own gate policy applies to its products", async () => {
      await createToken(s, CLI_CALLER, { role: 'publisher', teams: ['strict'] });
      await setGatePolicy(
        s,
        CLI_CALLER,
        'strict',
        JSON.stringify({ require: [], denyLicenses: ['MIT'] }),
      );
      const bytes = await demoSbom('demo-app');
      const e = await expectCustodyErrorAsync(
        () =>
          ingestSbom(s, caller('publisher', ['strict']), {
            bytes,
            product: 'demo',
            release: '1.0.0',
          }),
        InventoryError,
        'SBOM_GATE_FAILED',
      );
      assert.match(e.message, /team strict/);
      // The same SBOM passes in the default team.
      const r = await ingestSbom(s, caller('publisher', ['default']), {
        bytes,
        product: 'demo',
        release: '1.0.0',
      });
      assert.equal(r.sbom.team, 'default');
    });

    it('reads CycloneDX XML', async () => {
      const r = await ingestSbom(s, CLI_CALLER, {
        bytes: new TextEncoder().encode(xmlBom()),
        product: 'shop',
        release: '2.0.0',
      });
      assert.equal(r.sbom.mediaType, 'application/vnd.cyclonedx+xml');
      assert.equal(r.sbom.componentCount, 2);
      const hits = await searchInventory(
        s,
        CLI_CALLER,
        parseComponentQuery({ purl: 'pkg:npm/@babel/core' }),
      );
      assert.deepEqual(
        hits.items.map((h) => [h.purl, h.direct, h.licenses]),
        [['pkg:npm/%40babel/core@7.0.0', true, 'MIT']],
      );
      const byLicence = await searchInventory(
        s,
        CLI_CALLER,
        parseComponentQuery({ license: 'apache-2.0' }),
      );
      assert.deepEqual(
        byLicence.items.map((h) => [h.purl, h.direct]),
        [['pkg:npm/fw@3.0.0', false]],
      );
    });

    it('reads SPDX JSON (demo-app generated as SPDX 2.3)', async () => {
      const r = await ingestSbom(s, CLI_CALLER, {
        bytes: await demoSbom('demo-app', 'spdx-json'),
        product: 'demo',
        release: '1.0.0',
      });
      assert.equal(r.sbom.mediaType, 'application/spdx+json');
      assert.equal(r.sbom.format, 'spdx');
      assert.equal(r.sbom.componentCount, 75);
      const hits = await searchInventory(
        s,
        CLI_CALLER,
        parseComponentQuery({ purl: 'pkg:npm/lodash' }),
      );
      assert.deepEqual(
        hits.items.map((h) => [h.purl, h.direct]),
        [['pkg:npm/lodash@4.17.20', true]],
      );
    });

    it('reads SPDX tag-value and indexes components without a purl by name', async () => {
      await setGatePolicy(s, CLI_CALLER, 'default', '{}');
      const r = await ingestSbom(s, CLI_CALLER, {
        bytes: sample('spdx/examples/SPDXTagExample-v2.3.spdx'),
        product: 'spdx-example',
        release: '2.3',
      });
      assert.equal(r.sbom.mediaType, 'text/spdx');
      assert.equal(r.sbom.componentCount, 4);
      const glibc = await searchInventory(
        s,
        CLI_CALLER,
        parseComponentQuery({ name: 'glibc', version: '2.11.1' }),
      );
      assert.deepEqual(
        glibc.items.map((h) => [h.purl, h.name, h.version]),
        [[null, 'glibc', '2.11.1']],
      );
      const jena = await searchInventory(
        s,
        CLI_CALLER,
        parseComponentQuery({ purl: 'pkg:maven/org.apache.jena/apache-jena@3.12.0' }),
      );
      assert.equal(jena.items.length, 1);
    });

    it('chooses the team: the token’s only team, the one named, or default for org-wide', async () => {
      await createToken(s, CLI_CALLER, { role: 'publisher', teams: ['web', 'ops'] });
      const bytes = await demoSbom('demo-app');
      const one = await ingestSbom(s, caller('publisher', ['web']), {
        bytes,
        product: 'w',
        release: '1',
      });
      assert.equal(one.sbom.team, 'web');
      await expectCustodyErrorAsync(
        () =>
          ingestSbom(s, caller('publisher', ['web', 'ops']), { bytes, product: 'o', release: '1' }),
        InventoryError,
        'INVENTORY_INPUT_INVALID',
      );
      const named = await ingestSbom(s, caller('publisher', ['web', 'ops']), {
        bytes,
        product: 'o',
        release: '1',
        team: 'ops',
      });
      assert.equal(named.sbom.team, 'ops');
      const org = await ingestSbom(s, caller('publisher'), { bytes, product: 'd', release: '1' });
      assert.equal(org.sbom.team, 'default');
      // An existing product stays in its team, whatever the caller names.
      const again = await ingestSbom(s, caller('publisher'), {
        bytes,
        product: 'w',
        release: '2',
        team: 'ops',
      });
      assert.equal(again.sbom.team, 'web');
    });

    it('team scope: another team’s product is a conflict, its team not found; unknown teams are not created', async () => {
      await createToken(s, CLI_CALLER, { role: 'publisher', teams: ['web', 'ops'] });
      const bytes = await demoSbom('demo-app');
      await ingestSbom(s, caller('publisher', ['web']), { bytes, product: 'w', release: '1' });
      const e = await expectCustodyErrorAsync(
        () => ingestSbom(s, caller('publisher', ['ops']), { bytes, product: 'w', release: '2' }),
        InventoryError,
        'INVENTORY_CONFLICT',
      );
      assert.match(e.message, /belongs to another team's scope/);
      assert.doesNotMatch(e.message, /\bweb\b/);
      await expectCustodyErrorAsync(
        () =>
          ingestSbom(s, caller('publisher', ['web']), {
            bytes,
            product: 'x',
            release: '1',
            team: 'ops',
          }),
        InventoryError,
        'INVENTORY_NOT_FOUND',
      );
      await expectCustodyErrorAsync(
        () =>
          ingestSbom(s, caller('publisher'), { bytes, product: 'x', release: '1', team: 'nope' }),
        InventoryError,
        'INVENTORY_NOT_FOUND',
      );
      assert.equal(await count('products'), 1);
    });

    it('roles: viewers and auditors may not push', async () => {
      const bytes = await demoSbom('demo-app');
      for (const role of ['viewer', 'auditor', 'approver'] as const) {
        await expectCustodyErrorAsync(
          () => ingestSbom(s, caller(role), { bytes, product: 'demo', release: '1' }),
          AccessError,
          'AUTH_FORBIDDEN',
        );
      }
    });

    it('bad input: names, bytes, schema', async () => {
      const bytes = await demoSbom('demo-app');
      for (const product of ['', '-demo', 'has space', 'x'.repeat(201), 'a/b']) {
        await expectCustodyErrorAsync(
          () => ingestSbom(s, CLI_CALLER, { bytes, product, release: '1' }),
          InventoryError,
          'INVENTORY_INPUT_INVALID',
        );
      }
      await expectCustodyErrorAsync(
        () => ingestSbom(s, CLI_CALLER, { bytes, product: 'demo', release: '../1' }),
        InventoryError,
        'INVENTORY_INPUT_INVALID',
      );
      await expectCustodyErrorAsync(
        () =>
          ingestSbom(s, CLI_CALLER, {
            bytes: new TextEncoder().encode('{"not":"an sbom"}'),
            product: 'demo',
            release: '1',
          }),
        SbomError,
      );
      const invalid = edited(bytes, (d) => {
        const [first] = d['components'] as Record<string, unknown>[];
        if (first) first['type'] = 'gadget';
      });
      await expectCustodyErrorAsync(
        () => ingestSbom(s, CLI_CALLER, { bytes: invalid, product: 'demo', release: '1' }),
        SbomError,
        'SBOM_SCHEMA_INVALID',
      );
      assert.equal(await count('products'), 0);
    });

    it('records the audit event with actor, role, source and team', async () => {
      await createToken(s, CLI_CALLER, { role: 'publisher', teams: ['web'] });
      const bytes = await demoSbom('demo-app');
      const r = await ingestSbom(s, caller('publisher', ['web'], 'ci'), {
        bytes,
        product: 'w',
        release: '1',
      });
      await ingestSbom(s, caller('publisher', ['web'], 'ci'), {
        bytes,
        product: 'w',
        release: '1',
      });
      const audit = await auditTrail(s, CLI_CALLER, { action: 'sbom.ingest' });
      // The idempotent repeat writes nothing, so it records nothing either.
      assert.equal(audit.items.length, 1);
      const e = audit.items[0];
      assert.equal(e?.actor, 'token:0:ci');
      assert.equal(e?.role, 'publisher');
      assert.equal(e?.source, '192.0.2.1');
      assert.equal(e?.team, 'web');
      assert.equal(e?.target, `sbom:${r.sbom.id}`);
      assert.deepEqual(e?.details, {
        product: 'w',
        release: '1',
        artifact: r.sbom.artifact,
        digest: r.sbom.digest,
        components: 75,
      });
      // A team-scoped auditor sees its own team's events only.
      assert.equal(
        (await auditTrail(s, caller('auditor', ['web']), { action: 'sbom.ingest' })).items.length,
        1,
      );
      assert.equal(
        (await auditTrail(s, caller('auditor', ['ops']), { action: 'sbom.ingest' })).items.length,
        0,
      );
      await expectCustodyErrorAsync(
        () => auditTrail(s, caller('viewer'), {}),
        AccessError,
        'AUTH_FORBIDDEN',
      );
    });
  });
}
