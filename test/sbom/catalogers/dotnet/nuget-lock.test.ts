import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { nugetLockCataloger } from '../../../../src/sbom/catalogers/dotnet/index.js';
import { SbomError } from '../../../../src/sbom/errors.js';
import { REPO_ROOT } from '../../../helpers/conformance.js';
import { expectCustodyError } from '../../../helpers/expect-error.js';
import { assertCatalogsOrSbomError, memoryTree } from '../python/memory-tree.js';

const FIXTURE = readFileSync(join(REPO_ROOT, 'test/fixtures/sbom/dotnet/packages.lock.json'));
const run = (bytes: Uint8Array | string) =>
  nugetLockCataloger.catalog(
    'src/App/packages.lock.json',
    memoryTree({ 'src/App/packages.lock.json': bytes }),
  );

describe('NuGet packages.lock.json (fixture from NuGet documentation)', () => {
  it('is sniffed and matched', () => {
    assert.ok(nugetLockCataloger.sniff('x.json', new TextDecoder().decode(FIXTURE).slice(0, 1024)));
    assert.ok(nugetLockCataloger.matches('src/App/packages.lock.json'));
    assert.ok(!nugetLockCataloger.matches('src/App/package-lock.json'));
  });

  it('merges framework sections: one component per package (independent count)', () => {
    const doc = JSON.parse(new TextDecoder().decode(FIXTURE)) as {
      dependencies: Record<string, Record<string, { resolved?: string }>>;
    };
    const distinct = new Set(
      Object.values(doc.dependencies).flatMap((s) =>
        Object.entries(s).map(([n, e]) => `${n}@${e.resolved ?? ''}`),
      ),
    );
    const r = run(FIXTURE);
    assert.equal(r.components.length, distinct.size);
    assert.equal(r.components.length, 12);
    const json = r.components.find((c) => c.ref === 'pkg:nuget/Newtonsoft.Json@13.0.3');
    assert.equal(
      json?.properties?.['custody:nuget:frameworks'],
      'net8.0,.NETStandard,Version=v2.0',
    );
  });

  it('Direct entries are the root dependencies; Transitive and CentralTransitive are not', () => {
    const r = run(FIXTURE);
    assert.deepEqual(
      new Set(r.rootDependsOn),
      new Set([
        'pkg:nuget/Microsoft.Extensions.Logging@8.0.0',
        'pkg:nuget/Newtonsoft.Json@13.0.3',
        'pkg:nuget/Serilog@3.1.1',
        'pkg:nuget/NETStandard.Library@2.0.3',
      ]),
    );
    const stj = r.components.find((c) => c.name === 'System.Text.Json');
    assert.equal(stj?.properties?.['custody:nuget:type'], 'CentralTransitive');
    const project = r.components.find((c) => c.name === 'contoso.shared');
    assert.equal(project?.properties?.['custody:nuget:type'], 'Project');
    assert.deepEqual(project?.dependsOn, ['pkg:nuget/Newtonsoft.Json@13.0.3']);
  });

  it('contentHash is the base64 SHA-512 (as the fixture README says how it was made)', () => {
    const r = run(FIXTURE);
    const logging = r.components.find((c) => c.name === 'Microsoft.Extensions.Logging');
    const expected = createHash('sha512')
      .update('custody-fixture:Microsoft.Extensions.Logging.8.0.0.nupkg')
      .digest('hex');
    assert.deepEqual(logging?.hashes, [{ alg: 'SHA-512', content: expected }]);
    assert.deepEqual(logging?.dependsOn, [
      'pkg:nuget/Microsoft.Extensions.DependencyInjection@8.0.0',
      'pkg:nuget/Microsoft.Extensions.Logging.Abstractions@8.0.0',
      'pkg:nuget/Microsoft.Extensions.Options@8.0.0',
    ]);
  });

  it('refuses documents that are not lock files, naming the file', () => {
    for (const bad of ['{}', '{"version":1,"dependencies":[]}', 'nope']) {
      const e = expectCustodyError(() => run(bad), SbomError, 'SBOM_LOCKFILE_PARSE');
      assert.match(e.message, /^src\/App\/packages\.lock\.json/);
    }
  });

  it('a result or SbomError on arbitrary and mutated bytes', () => {
    assertCatalogsOrSbomError(nugetLockCataloger, 'packages.lock.json', FIXTURE);
  });
});
