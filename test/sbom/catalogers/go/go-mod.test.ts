import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goModCataloger } from '../../../../src/sbom/catalogers/go/index.js';
import { SbomError } from '../../../../src/sbom/errors.js';
import { listConformance, readConformance } from '../../../helpers/conformance.js';
import { expectCustodyError } from '../../../helpers/expect-error.js';
import { assertCatalogsOrSbomError, memoryTree } from '../python/memory-tree.js';

const DIR = ['lockfiles', 'go'] as const;
const text = (f: string) => new TextDecoder().decode(readConformance(...DIR, f));

/** Each conformance go.mod with the go.sum of the same prefix beside it, as a real module has. */
function treeFor(mod: string) {
  const sum = mod.replace(/go\.mod$/, 'go.sum');
  const files: Record<string, Uint8Array> = { 'm/go.mod': readConformance(...DIR, mod) };
  if (listConformance(...DIR).includes(sum)) files['m/go.sum'] = readConformance(...DIR, sum);
  return memoryTree(files);
}

describe('go.mod over the conformance modules', () => {
  for (const file of listConformance(...DIR).filter((f) => f.endsWith('go.mod'))) {
    it(`${file} is cataloged; requires counted independently`, () => {
      const src = text(file);
      assert.ok(goModCataloger.sniff(file, src.slice(0, 2048)));
      const r = goModCataloger.catalog('m/go.mod', treeFor(file));
      // Independent count: require lines in blocks and single-line requires.
      let n = 0;
      let inBlock = false;
      for (const line of src.split('\n')) {
        const t = line.replace(/\/\/.*$/, '').trim();
        if (/^require\s*\($/.test(t)) inBlock = true;
        else if (inBlock && t === ')') inBlock = false;
        else if (inBlock && t !== '') n++;
        else if (/^require\s+\S+\s+\S+$/.test(t)) n++;
      }
      assert.equal(r.components.length, n);
      const direct = r.components.filter((c) => c.properties?.['custody:go:indirect'] !== 'true');
      assert.deepEqual(new Set(r.rootDependsOn), new Set(direct.map((c) => c.ref)));
      for (const c of r.components) {
        assert.equal(c.ecosystem, 'golang');
        assert.equal(c.hashes.length, 0, 'h1 is not a file hash');
      }
    });
  }

  it('applies both replace forms and attaches go.sum h1 of the replacement', () => {
    const r = goModCataloger.catalog('m/go.mod', treeFor('cdxgen__gomod.go.mod'));
    assert.deepEqual(r.root, {
      name: 'cdxgen/test',
      ecosystem: 'golang',
      purl: 'pkg:golang/cdxgen/test',
    });
    const grpc = r.components.find((c) => c.name === 'grpc');
    assert.equal(grpc?.purl, 'pkg:golang/google.golang.org/grpc@v1.21.0');
    assert.equal(grpc?.namespace, 'google.golang.org');
    assert.equal(grpc?.properties?.['custody:go:replaces'], 'google.golang.org/grpc@v1.32.0');
    assert.equal(
      grpc?.properties?.['custody:go:h1'],
      'h1:G+97AoqBnmZIT91cLG/EkCoK9NSelj64P8bOHHNmGn0=',
    );
    const viper = r.components.find((c) => c.name === 'viper');
    assert.equal(viper?.version, 'v1.0.2');
    const aws = r.components.find((c) => c.name === 'aws-sdk-go');
    assert.equal(aws?.properties?.['custody:go:h1'], undefined, 'not in go.sum');
  });

  it('marks // indirect requires as transitive and keeps module path case', () => {
    const r = goModCataloger.catalog('m/go.mod', treeFor('syft__go.mod'));
    assert.equal(r.root?.name, 'github.com/anchore/syft');
    const toml = r.components.find((c) => c.ref === 'pkg:golang/github.com/BurntSushi/toml@v1.6.0');
    assert.ok(toml && r.rootDependsOn.includes(toml.ref));
    const expr = r.components.find((c) => c.ref === 'pkg:golang/cel.dev/expr@v0.25.2');
    assert.equal(expr?.properties?.['custody:go:indirect'], 'true');
    assert.ok(expr && !r.rootDependsOn.includes(expr.ref));
    assert.equal(
      expr?.properties?.['custody:go:h1'],
      'h1:K6j46C81hXtZQfuX60cVWQFBJahKSE2gfRbNuvr5bFs=',
    );
  });

  it('a local-path replace drops the version; a one-segment module has no purl', () => {
    const r = goModCataloger.catalog(
      'go.mod',
      memoryTree({
        'go.mod':
          'module example\n\nrequire (\n\tgithub.com/a/b v1.0.0\n\tlocal v0.0.0\n)\nreplace github.com/a/b => ../b\n',
      }),
    );
    assert.equal(r.components[0]?.ref, 'pkg:golang/github.com/a/b');
    assert.equal(r.components[0]?.properties?.['custody:go:replace-path'], '../b');
    assert.equal(r.components[1]?.ref, 'golang:local@v0.0.0');
    assert.equal(r.components[1]?.purl, undefined);
    assert.deepEqual(r.root, { name: 'example', ecosystem: 'golang' });
  });

  it('refuses an unclosed block and a malformed go.sum, naming the file', () => {
    const e1 = expectCustodyError(
      () =>
        goModCataloger.catalog(
          'go.mod',
          memoryTree({ 'go.mod': 'module x/y\nrequire (\n a/b v1\n' }),
        ),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
    assert.match(e1.message, /^go\.mod: /);
    const e2 = expectCustodyError(
      () =>
        goModCataloger.catalog(
          'go.mod',
          memoryTree({ 'go.mod': 'module x/y\nrequire a/b v1\n', 'go.sum': 'garbage\n' }),
        ),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
    assert.match(e2.message, /^go\.sum: line 1/);
  });

  it('a result or SbomError on arbitrary and mutated bytes', () => {
    assertCatalogsOrSbomError(goModCataloger, 'go.mod', readConformance(...DIR, 'syft__go.mod'));
    assertCatalogsOrSbomError(
      goModCataloger,
      'go.mod',
      readConformance(...DIR, 'cdxgen__gomod.go.mod'),
      {
        'go.sum': readConformance(...DIR, 'cdxgen__gomod.go.sum'),
      },
    );
  });
});
