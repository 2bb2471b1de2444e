import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { catalogPath } from '../../../src/app/generate-sbom.js';
import {
  lockfileDependencies,
  pinnedCount,
  resourceDescriptorProblems,
  sbomDependency,
} from '../../../src/formats/index.js';
import { SbomError } from '../../../src/sbom/index.js';
import { conformancePath, readConformance } from '../../helpers/conformance.js';
import { expectCustodyError } from '../../helpers/expect-error.js';

/**
 * Resolved dependencies from real lockfiles (read in place) and real SBOMs: each package's
 * digest is the lockfile's own integrity value, checked against the file's text here.
 */

const text = (...p: string[]) => new TextDecoder().decode(readConformance(...p));

describe('lockfileDependencies', () => {
  it('npm package-lock v3: each package’s purl with its integrity (SHA-512) as digest', async () => {
    const path = ['lockfiles', 'npm', 'cdxgen__grpc-currency-service.package-lock.v3.json'];
    const deps = lockfileDependencies(await catalogPath(conformancePath(...path)));
    const lock = JSON.parse(text(...path)) as {
      packages: Record<string, { version?: string; integrity?: string; name?: string }>;
    };
    const byUri = new Map(deps.map((d) => [d.uri, d]));
    let checked = 0;
    for (const [key, pkg] of Object.entries(lock.packages)) {
      if (key === '' || pkg.integrity === undefined) continue;
      const name = pkg.name ?? key.slice(key.lastIndexOf('node_modules/') + 13);
      const purl = `pkg:npm/${name.replace('@', '%40')}@${pkg.version}`;
      const d = byUri.get(purl);
      assert.ok(d, `${purl} listed`);
      const [alg, b64] = pkg.integrity.split(' ')[0]?.split('-') ?? [];
      assert.equal(alg, 'sha512');
      assert.equal(d.digest?.['sha512'], Buffer.from(b64 ?? '', 'base64').toString('hex'));
      checked++;
    }
    assert.ok(checked > 300, `${checked} packages checked`);
    assert.deepEqual(pinnedCount(deps), { pinned: deps.length, total: deps.length });
    assert.deepEqual(
      deps.flatMap((d, i) => resourceDescriptorProblems(d, `[${i}]`)),
      [],
    );
    const uris = deps.map((d) => d.uri ?? '');
    assert.deepEqual(uris, [...uris].sort(), 'sorted, for the same output every time');
  });

  it('Cargo.lock with git dependencies: those (and the root) are listed without a digest', async () => {
    const path = ['lockfiles', 'rust', 'syft__Cargo.lock-with-git-deps'];
    const deps = lockfileDependencies(await catalogPath(conformancePath(...path)));
    // Each [[package]] block: its coordinates and checksum, if any (git sources have none).
    const expected = text(...path)
      .split('[[package]]')
      .slice(1)
      .map((b) => {
        const name = /name = "([^"]+)"/.exec(b)?.[1];
        const version = /version = "([^"]+)"/.exec(b)?.[1];
        return `pkg:cargo/${name}@${version} ${/checksum = "([0-9a-f]{64})"/.exec(b)?.[1] ?? '-'}`;
      })
      .sort();
    const actual = deps
      .map((d) => `${d.uri?.replace(/\?.*$/, '')} ${d.digest?.['sha256'] ?? '-'}`)
      .sort();
    assert.deepEqual(actual, expected);
    const unpinned = expected.filter((e) => e.endsWith(' -')).length;
    assert.ok(unpinned >= 3, 'the fixture has packages without a checksum');
    assert.deepEqual(pinnedCount(deps), { pinned: deps.length - unpinned, total: deps.length });
  });

  it('the same package from two lockfiles is listed once', async () => {
    const p = conformancePath('lockfiles', 'npm', 'syft__alias-package-lock-2.json');
    const once = lockfileDependencies(await catalogPath(p));
    const twice = lockfileDependencies([...(await catalogPath(p)), ...(await catalogPath(p))]);
    assert.deepEqual(twice, once);
  });
});

describe('sbomDependency', () => {
  const cases: [string[], string][] = [
    [
      [
        'sbom-samples',
        'generated-by-npm-tools',
        'small-express-project',
        'cyclonedx-npm-6.0.1.cdx.json',
      ],
      'application/vnd.cyclonedx+json',
    ],
    [['spdx', 'examples', 'SPDXJSONExample-v2.3.spdx.json'], 'application/spdx+json'],
    [['spdx', 'examples', 'SPDXTagExample-v2.3.spdx'], 'text/spdx'],
    [['spdx', 'examples', 'SPDXYAMLExample-2.3.spdx.yaml'], 'application/spdx+yaml'],
  ];
  for (const [path, mediaType] of cases) {
    it(`${path.at(-1)} → ${mediaType}, linked by its SHA-256`, () => {
      const bytes = readConformance(...path);
      assert.deepEqual(sbomDependency(bytes), {
        name: 'sbom',
        digest: { sha256: createHash('sha256').update(bytes).digest('hex') },
        mediaType,
      });
    });
  }

  it('CycloneDX XML', () => {
    const xml = new TextEncoder().encode(
      '<?xml version="1.0"?><bom xmlns="http://cyclonedx.org/schema/bom/1.6" version="1"></bom>',
    );
    assert.equal(sbomDependency(xml).mediaType, 'application/vnd.cyclonedx+xml');
  });

  it('refuses what is not an SBOM', () => {
    expectCustodyError(
      () => sbomDependency(new TextEncoder().encode('{"hello":"world"}')),
      SbomError,
      'SBOM_FORMAT_UNKNOWN',
    );
  });
});
