import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type {
  IndexedComponent,
  InventoryStore,
  SbomRecordInput,
} from '../../src/inventory/index.js';
import { InventoryError } from '../../src/inventory/index.js';
import { expectCustodyErrorAsync } from '../helpers/expect-error.js';

/** One fresh, empty store and the probes the contract needs around it. */
export interface InventoryStoreHarness {
  store: InventoryStore;
  /** Teams are an admin's write, outside the port: create one. */
  addTeam(name: string): Promise<void>;
  /** Rows per table, for "nothing was written" checks. */
  rowCounts(): Promise<Record<string, number>>;
  /** Whether the blob store holds the document with this digest. */
  hasBlob(digest: string): boolean;
  /** The index rows of a package (`pkg:npm/lodash`), with the SBOM each belongs to. */
  componentsOf(
    pkg: string,
  ): Promise<{ sbomId: number; version: string | null; current: boolean; licenses: string[] }[]>;
  /** The audit records written, oldest first. */
  auditTargets(): Promise<string[]>;
  /**
   * A second store on the same database, as another replica opens it; undefined where one
   * process owns the database (SQLite).
   */
  replica?: () => Promise<{ store: InventoryStore; close(): Promise<void> }>;
  /** Make the next blob write throw, as a full disk would. */
  failNextBlobWrite(): void;
  close(): Promise<void>;
}

const NOW = '2026-11-30T12:00:00.000Z';
const ARTIFACT = `sha256:${'a1'.repeat(32)}`;

function component(name: string, version: string, license = 'MIT'): IndexedComponent {
  return {
    purl: `pkg:npm/${name}@${version}`,
    package: `pkg:npm/${name}`,
    name,
    version,
    ecosystem: 'npm',
    scope: 'required',
    direct: true,
    licenseText: license,
    licenses: [license],
    hashes: [
      {
        alg: 'SHA-256',
        value: createHash('sha256')
          .update(name + version)
          .digest('hex'),
      },
    ],
  };
}

function input(text: string, o: Partial<SbomRecordInput> = {}): SbomRecordInput {
  const document = new TextEncoder().encode(text);
  return {
    team: 'web',
    product: 'shop',
    release: '1.0.0',
    artifact: { digest: ARTIFACT, name: 'shop-image' },
    document,
    digest: `sha256:${createHash('sha256').update(document).digest('hex')}`,
    format: 'cyclonedx',
    specVersion: '1.6',
    serialNumber: null,
    mediaType: 'application/vnd.cyclonedx+json',
    qualityScore: 8.5,
    documentCreated: null,
    rows: [component('lodash', '4.17.21'), component('express', '4.19.2')],
    by: { actor: 'token:1:ci', person: 'ci', role: 'publisher', source: '127.0.0.1' },
    now: NOW,
    ...o,
  };
}

/**
 * The contract of InventoryStore (src/inventory/ports.ts), run against each implementation:
 * idempotency, versions, atomicity, team scoping at write, and rows the index can find.
 */
export function runInventoryStoreContract(
  name: string,
  make: () => Promise<InventoryStoreHarness>,
): void {
  describe(`InventoryStore contract (${name})`, () => {
    let h: InventoryStoreHarness;
    before(async () => {
      h = await make();
      await h.addTeam('web');
      await h.addTeam('data');
    });
    after(() => h.close());

    it('finds teams and products, and nothing for names it does not hold', async () => {
      assert.equal((await h.store.findTeam('web'))?.name, 'web');
      assert.equal(await h.store.findTeam('nobody'), undefined);
      assert.equal(await h.store.findProduct('shop'), undefined);
    });

    it('records a new SBOM once: the same document again writes nothing (created: false)', async () => {
      const first = await h.store.recordSbom(input('{"doc":1}'));
      assert.equal(first.created, true);
      assert.equal(first.sbom.version_no, 1);
      assert.equal(first.sbom.current, 1);
      assert.equal(first.sbom.supersedes_id, null);
      assert.equal(first.sbom.quality_score, 85);
      assert.equal(first.sbom.component_count, 2);
      assert.equal(first.sbom.size, 9);
      assert.equal(first.sbom.created_by, 'token:1:ci');
      assert.ok(h.hasBlob(first.sbom.digest));
      const product = await h.store.findProduct('shop');
      assert.equal(product?.team, 'web');
      const before = await h.rowCounts();
      const again = await h.store.recordSbom(input('{"doc":1}', { now: '2026-12-01T00:00:00Z' }));
      assert.equal(again.created, false);
      assert.deepEqual(again.sbom, first.sbom);
      assert.deepEqual(await h.rowCounts(), before);
    });

    it('a new document for the artifact is the next version and supersedes the previous one', async () => {
      const v1 = (await h.store.recordSbom(input('{"doc":1}'))).sbom;
      const v2 = await h.store.recordSbom(
        input('{"doc":2}', { rows: [component('lodash', '4.17.22')] }),
      );
      assert.equal(v2.created, true);
      assert.equal(v2.sbom.version_no, 2);
      assert.equal(v2.sbom.supersedes_id, v1.id);
      assert.equal(v2.sbom.artifact_id, v1.artifact_id);
      const lodash = await h.componentsOf('pkg:npm/lodash');
      assert.deepEqual(
        lodash.map((c) => [c.sbomId, c.version, c.current]),
        [
          [v1.id, '4.17.21', false],
          [v2.sbom.id, '4.17.22', true],
        ],
      );
      // The old document pushed again is still stored once, as it was.
      const old = await h.store.recordSbom(input('{"doc":1}'));
      assert.equal(old.created, false);
      assert.equal(old.sbom.id, v1.id);
    });

    it('a document in another format is a format migration: stored beside, both current', async () => {
      const art = { digest: `sha256:${'e5'.repeat(32)}`, name: null };
      const cdx = (await h.store.recordSbom(input('{"fmt":"cdx"}', { artifact: art }))).sbom;
      const spdx = await h.store.recordSbom(
        input('{"fmt":"spdx"}', {
          artifact: art,
          format: 'spdx',
          specVersion: '2.3',
          mediaType: 'application/spdx+json',
        }),
      );
      assert.equal(spdx.created, true);
      assert.equal(spdx.sbom.artifact_id, cdx.artifact_id);
      assert.equal(spdx.sbom.supersedes_id, null);
      assert.equal(spdx.sbom.version_no, cdx.version_no + 1);
      const both = (await h.componentsOf('pkg:npm/express')).filter((c) =>
        [cdx.id, spdx.sbom.id].includes(c.sbomId),
      );
      assert.deepEqual(
        both.map((c) => c.current),
        [true, true],
      );
    });

    it('concurrent new versions of one artifact all land, numbered one after another', async () => {
      const art = { digest: `sha256:${'b2'.repeat(32)}`, name: null };
      const results = await Promise.all(
        [1, 2, 3, 4].map((i) =>
          h.store.recordSbom(input(`{"race":${i}}`, { release: '2.0.0', artifact: art })),
        ),
      );
      assert.ok(results.every((r) => r.created));
      const versions = results.map((r) => r.sbom.version_no).sort();
      assert.deepEqual(versions, [1, 2, 3, 4]);
      const current = results.filter((r) => r.sbom.version_no === 4);
      assert.equal(current.length, 1);
    });

    it('two replicas creating the same product, release and artifact at once both succeed', async (t) => {
      if (!h.replica) return t.skip('one process owns this database');
      const other = await h.replica();
      try {
        const art = { digest: `sha256:${'d4'.repeat(32)}`, name: null };
        const [a, b] = await Promise.all([
          h.store.recordSbom(input('{"replica":1}', { product: 'raced', artifact: art })),
          other.store.recordSbom(input('{"replica":2}', { product: 'raced', artifact: art })),
        ]);
        assert.ok(a.created && b.created);
        assert.equal(a.sbom.artifact_id, b.sbom.artifact_id);
        assert.deepEqual([a.sbom.version_no, b.sbom.version_no].sort(), [1, 2]);
      } finally {
        await other.close();
      }
    });

    it('two replicas racing two teams to one new product name: one team owns it and all its SBOMs', async (t) => {
      if (!h.replica) return t.skip('one process owns this database');
      await h.addTeam('data');
      const other = await h.replica();
      try {
        const names = Array.from({ length: 25 }, (_, i) => `replica-race-${i}`);
        const outcomes = await Promise.allSettled(
          names.flatMap((product) => [
            h.store.recordSbom(input(`{"web":"${product}"}`, { product, team: 'web' })),
            other.store.recordSbom(input(`{"data":"${product}"}`, { product, team: 'data' })),
          ]),
        );
        for (const [i, product] of names.entries()) {
          const pair = [outcomes[2 * i], outcomes[2 * i + 1]];
          const won = pair.filter((o) => o?.status === 'fulfilled');
          const lost = pair.filter((o) => o?.status === 'rejected');
          assert.equal(won.length, 1, `${product}: ${JSON.stringify(pair)}`);
          const reason = (lost[0] as PromiseRejectedResult).reason;
          assert.ok(reason instanceof InventoryError, String(reason));
          assert.equal(reason.code, 'INVENTORY_CONFLICT');
          const sbom = (won[0] as PromiseFulfilledResult<{ sbom: { team_id: number } }>).value.sbom;
          const owner = await h.store.findProduct(product);
          assert.equal(owner?.team_id, sbom.team_id, product);
        }
      } finally {
        await other.close();
      }
    });

    it('the same bytes for another artifact are another SBOM sharing the blob', async () => {
      const other = await h.store.recordSbom(
        input('{"doc":1}', { artifact: { digest: `sha256:${'c3'.repeat(32)}`, name: null } }),
      );
      assert.equal(other.created, true);
      assert.equal(other.sbom.version_no, 1);
    });

    it('writes one sbom.ingest audit record per SBOM stored, none for a repeat', async () => {
      const targets = await h.auditTargets();
      const stored = (await h.rowCounts())['sboms'];
      assert.equal(targets.length, stored);
      assert.ok(targets.every((t) => /^sbom:\d+$/.test(t)));
    });

    it('leaves no row and no blob when any part of the write fails', async () => {
      const before = await h.rowCounts();
      const doc = input('{"doomed":true}', { product: 'new-product', release: '9.9.9' });
      h.failNextBlobWrite();
      await assert.rejects(h.store.recordSbom(doc));
      assert.deepEqual(await h.rowCounts(), before);
      assert.equal(h.hasBlob(doc.digest), false);
      assert.equal(await h.store.findProduct('new-product'), undefined);
      // And the same write succeeds afterwards.
      assert.equal((await h.store.recordSbom(doc)).created, true);
    });

    it('scopes writes to the team: a product of another team is a conflict, an unknown team "not found"', async () => {
      const before = await h.rowCounts();
      const e = await expectCustodyErrorAsync(
        () => h.store.recordSbom(input('{"team":"data"}', { team: 'data' })),
        InventoryError,
        'INVENTORY_CONFLICT',
      );
      assert.match(e.message, /another team's scope/);
      assert.doesNotMatch(e.message, /\bweb\b/, 'the owner is not named');
      await expectCustodyErrorAsync(
        () => h.store.recordSbom(input('{"team":"none"}', { team: 'none', product: 'p2' })),
        InventoryError,
        'INVENTORY_NOT_FOUND',
      );
      assert.deepEqual(await h.rowCounts(), before);
      const own = await h.store.recordSbom(
        input('{"team":"data"}', { team: 'data', product: 'warehouse' }),
      );
      assert.equal(own.created, true);
      assert.equal((await h.store.findProduct('warehouse'))?.team, 'data');
    });

    it('indexes every component with its licences, findable by package', async () => {
      const r = await h.store.recordSbom(
        input('{"index":1}', {
          product: 'indexed',
          rows: [component('left-pad', '1.3.0', 'WTFPL'), component('left-pad', '1.2.0')],
        }),
      );
      const found = await h.componentsOf('pkg:npm/left-pad');
      assert.deepEqual(found.map((c) => [c.sbomId, c.version, c.licenses]).sort(), [
        [r.sbom.id, '1.2.0', ['MIT']],
        [r.sbom.id, '1.3.0', ['WTFPL']],
      ]);
    });
  });
}
