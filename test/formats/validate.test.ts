import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { validateSbom } from '../../src/formats/index.js';
import { SbomError } from '../../src/sbom/errors.js';
import { REPO_ROOT } from '../helpers/conformance.js';
import { expectCustodyErrorAsync } from '../helpers/expect-error.js';

const minimal = (over: Record<string, unknown> = {}) => ({
  bomFormat: 'CycloneDX',
  specVersion: '1.6',
  version: 1,
  components: [
    { type: 'library', 'bom-ref': 'a', name: 'a', version: '1.0.0' },
    { type: 'library', 'bom-ref': 'b', name: 'b', version: '2.0.0' },
  ],
  ...over,
});

describe('validateSbom', () => {
  it('accepts bytes, a string or a parsed value', async () => {
    const doc = minimal();
    for (const input of [doc, JSON.stringify(doc), new TextEncoder().encode(JSON.stringify(doc))]) {
      const r = await validateSbom(input);
      assert.deepEqual(r, {
        valid: true,
        format: 'cyclonedx',
        encoding: 'json',
        specVersion: '1.6',
        errors: [],
        warnings: [],
      });
    }
  });

  it('collects every error with its JSON pointer, keyword and message', async () => {
    const doc = minimal({
      serialNumber: 'not-a-urn',
      components: [
        { type: 'gadget', name: 'a' },
        { type: 'library', name: 'b', hashes: [{ alg: 'SHA-256', content: 'xyz' }], extra: 1 },
      ],
    });
    const r = await validateSbom(doc);
    assert.equal(r.valid, false);
    const byPointer = (p: string) => r.errors.filter((e) => e.pointer === p).map((e) => e.keyword);
    assert.deepEqual(byPointer('/serialNumber'), ['pattern']);
    assert.ok(byPointer('/components/0/type').includes('enum'));
    assert.ok(byPointer('/components/1/hashes/0/content').includes('pattern'));
    assert.ok(byPointer('/components/1').includes('additionalProperties'));
    const extra = r.errors.find((e) => e.keyword === 'additionalProperties');
    assert.match(extra?.message ?? '', /'extra'/);
  });

  it('reports duplicate items as uniqueItems, naming both indices', async () => {
    const same = { type: 'library', 'bom-ref': 'a', name: 'a' };
    const reordered = { name: 'a', 'bom-ref': 'a', type: 'library' };
    const r = await validateSbom(
      minimal({ components: [same, { type: 'library', name: 'z' }, reordered] }),
    );
    assert.equal(r.valid, false);
    assert.deepEqual(r.errors, [
      {
        pointer: '/components',
        keyword: 'uniqueItems',
        message: 'must NOT have duplicate items (items ## 0 and 2 are identical)',
      },
      {
        pointer: '/components/2/bom-ref',
        keyword: 'uniqueBomRef',
        message:
          'bom-ref "a" is already used by /components/0; bom-refs must be unique within a BOM',
      },
    ]);
  });

  describe('the spec’s rules beyond the schema', () => {
    it('refuses a bom-ref used twice, anywhere among components and services', async () => {
      const r = await validateSbom(
        minimal({
          metadata: { component: { type: 'application', 'bom-ref': 'app', name: 'app' } },
          components: [
            { type: 'library', 'bom-ref': 'a', name: 'a', version: '1' },
            {
              type: 'library',
              'bom-ref': 'b',
              name: 'b',
              version: '1',
              components: [{ type: 'library', 'bom-ref': 'app', name: 'nested' }],
            },
          ],
          services: [{ 'bom-ref': 'a', name: 'svc' }],
        }),
      );
      assert.equal(r.valid, false);
      assert.deepEqual(
        r.errors.map((e) => [e.pointer, e.keyword]),
        [
          ['/components/1/components/0/bom-ref', 'uniqueBomRef'],
          ['/services/0/bom-ref', 'uniqueBomRef'],
        ],
      );
      assert.match(r.errors[0]?.message ?? '', /already used by \/metadata\/component/);
    });

    it('refuses control and bidi characters in names, versions, groups and ids', async () => {
      const r = await validateSbom(
        minimal({
          components: [
            { type: 'library', 'bom-ref': 'a', name: 'evil\u202Esj.lpg', version: '1.0.0' },
            {
              type: 'library',
              'bom-ref': 'b',
              name: 'b',
              version: '1.0.0\u0000',
              group: 'g\u001b',
            },
            { type: 'library', 'bom-ref': 'c', name: 'c', description: 'two\nlines are fine here' },
          ],
        }),
      );
      assert.equal(r.valid, false);
      assert.deepEqual(
        r.errors.map((e) => [e.pointer, e.keyword]),
        [
          ['/components/0/name', 'controlCharacter'],
          ['/components/1/version', 'controlCharacter'],
          ['/components/1/group', 'controlCharacter'],
        ],
      );
      assert.match(r.errors[0]?.message ?? '', /U\+202E at position 4/);
    });

    it('warns about a purl that is not a purl, and stays valid', async () => {
      const r = await validateSbom(
        minimal({
          components: [
            { type: 'library', 'bom-ref': 'a', name: 'a', version: '1', purl: 'pkg:npm/a@1' },
            { type: 'library', 'bom-ref': 'b', name: 'b', version: '1', purl: 'npm/b@1' },
          ],
        }),
      );
      assert.equal(r.valid, true);
      assert.deepEqual(
        r.warnings.map((e) => [e.pointer, e.keyword]),
        [['/components/1/purl', 'purl']],
      );
      assert.match(r.warnings[0]?.message ?? '', /"npm\/b@1" is not a valid package URL/);
    });

    it('applies the same rules to SPDX: unique SPDXIDs, plain names, purl refs', async () => {
      const pkg = (id: string, name: string, purl?: string) => ({
        SPDXID: id,
        name,
        downloadLocation: 'NOASSERTION',
        ...(purl
          ? {
              externalRefs: [
                {
                  referenceCategory: 'PACKAGE-MANAGER',
                  referenceType: 'purl',
                  referenceLocator: purl,
                },
              ],
            }
          : {}),
      });
      const r = await validateSbom({
        spdxVersion: 'SPDX-2.3',
        dataLicense: 'CC0-1.0',
        SPDXID: 'SPDXRef-DOCUMENT',
        name: 'd',
        documentNamespace: 'https://example.com/d',
        creationInfo: { created: '2025-01-01T00:00:00Z', creators: ['Tool: t'] },
        packages: [pkg('SPDXRef-a', 'a', 'pkg:npm/a@1'), pkg('SPDXRef-a', 'b\u200F', 'not a purl')],
      });
      assert.equal(r.valid, false, JSON.stringify(r.errors));
      assert.deepEqual(
        r.errors.map((e) => [e.pointer, e.keyword]),
        [
          ['/packages/1/SPDXID', 'uniqueSpdxId'],
          ['/packages/1/name', 'controlCharacter'],
        ],
      );
      assert.deepEqual(
        r.warnings.map((e) => e.pointer),
        ['/packages/1/externalRefs/0/referenceLocator'],
      );
    });
  });

  it('checks formats (date-time) as CycloneDX’s validator does', async () => {
    const r = await validateSbom(minimal({ metadata: { timestamp: 'yesterday' } }));
    assert.deepEqual(
      r.errors.map((e) => [e.pointer, e.keyword]),
      [['/metadata/timestamp', 'format']],
    );
  });

  it('validates SPDX 2.2 and 2.3 with their own schemas', async () => {
    const spdx = (version: string, extra: Record<string, unknown> = {}) => ({
      spdxVersion: `SPDX-${version}`,
      dataLicense: 'CC0-1.0',
      SPDXID: 'SPDXRef-DOCUMENT',
      name: 'x',
      documentNamespace: 'https://example.com/x',
      creationInfo: { created: '2024-01-01T00:00:00Z', creators: ['Tool: x-1'] },
      ...extra,
    });
    assert.equal((await validateSbom(spdx('2.3'))).valid, true);
    assert.equal((await validateSbom(spdx('2.2'))).valid, true);
    // packages[].primaryPackagePurpose is new in 2.3: the 2.2 schema rejects it.
    const pkg = {
      SPDXID: 'SPDXRef-a',
      name: 'a',
      downloadLocation: 'NOASSERTION',
      licenseConcluded: 'MIT',
      licenseDeclared: 'MIT',
      copyrightText: 'NOASSERTION',
      primaryPackagePurpose: 'LIBRARY',
    };
    assert.equal((await validateSbom(spdx('2.3', { packages: [pkg] }))).valid, true);
    const r22 = await validateSbom(spdx('2.2', { packages: [pkg] }));
    assert.equal(r22.valid, false);
    assert.deepEqual(r22.errors[0]?.pointer, '/packages/0');
  });

  it('throws SbomError for input it cannot read at all', async () => {
    await expectCustodyErrorAsync(() => validateSbom('not json'), SbomError, 'SBOM_FORMAT_UNKNOWN');
    await expectCustodyErrorAsync(() => validateSbom('{"a":'), SbomError, 'SBOM_PARSE');
    await expectCustodyErrorAsync(() => validateSbom([1]), SbomError, 'SBOM_FORMAT_UNKNOWN');
  });

  it('the precompiled validators match schemas/ (scripts/gen-validators.mjs --check)', () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'scripts/gen-validators.mjs', '--check'],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stderr);
  });
});
