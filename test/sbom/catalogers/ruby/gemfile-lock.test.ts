import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gemfileLockCataloger } from '../../../../src/sbom/catalogers/ruby/index.js';
import { SbomError } from '../../../../src/sbom/errors.js';
import { listConformance, readConformance } from '../../../helpers/conformance.js';
import { expectCustodyError } from '../../../helpers/expect-error.js';
import { assertCatalogsOrSbomError, memoryTree } from '../python/memory-tree.js';

const DIR = ['lockfiles', 'other'] as const;
const text = (f: string) => new TextDecoder().decode(readConformance(...DIR, f));
const run = (src: string) =>
  gemfileLockCataloger.catalog('Gemfile.lock', memoryTree({ 'Gemfile.lock': src }));

describe('Gemfile.lock over the conformance lockfiles', () => {
  for (const file of listConformance(...DIR).filter((f) => f.endsWith('Gemfile.lock'))) {
    it(`${file} is cataloged; specs, edges and direct deps counted independently`, () => {
      const src = text(file);
      assert.ok(gemfileLockCataloger.sniff(file, src.slice(0, 2048)));
      const r = run(src);
      const specs = [...src.matchAll(/^ {4}\S+ \(\S+\)$/gm)].length;
      assert.equal(r.components.length, specs);
      const depsSection = src.split(/^DEPENDENCIES$/m)[1]?.split(/^\S/m)[0] ?? '';
      const direct = new Set(
        depsSection
          .split('\n')
          .filter((l) => /^ {2}\S/.test(l))
          .map((l) => l.trim().split(/[\s!]/)[0]),
      );
      assert.equal(r.rootDependsOn.length, direct.size);
      // Dependency lines naming a locked spec (bundler itself is never locked as a spec).
      const specNames = new Set([...src.matchAll(/^ {4}(\S+) \(\S+\)$/gm)].map((m) => m[1]));
      const depLines = [...src.matchAll(/^ {6}(\S+)/gm)].filter((m) => specNames.has(m[1])).length;
      assert.equal(
        r.components.reduce((n, c) => n + c.dependsOn.length, 0),
        depLines,
      );
    });
  }

  it('spot checks: rails and nokogiri as the file writes them', () => {
    const r = run(text('cdxgen__Gemfile.lock'));
    const rails = r.components.find((c) => c.ref === 'pkg:gem/rails@6.0.0');
    assert.ok(rails?.dependsOn.includes('pkg:gem/actioncable@6.0.0'));
    assert.ok(r.rootDependsOn.includes('pkg:gem/rails@6.0.0'));
    const nokogiri = r.components.find((c) => c.ref === 'pkg:gem/nokogiri@1.10.5');
    assert.deepEqual(nokogiri?.dependsOn, ['pkg:gem/mini_portile2@2.4.0']);
    assert.equal(nokogiri?.properties?.['custody:gem:platforms'], 'ruby');
  });

  it('reads GIT/PATH sources, platform suffixes and the CHECKSUMS section', () => {
    const r = run(
      [
        'GIT',
        '  remote: https://github.com/example/widget.git',
        '  revision: 0123456789abcdef0123456789abcdef01234567',
        '  specs:',
        '    widget (0.3.0)',
        '',
        'PATH',
        '  remote: .',
        '  specs:',
        '    myapp (1.2.0)',
        '      nokogiri (>= 1.15)',
        '',
        'GEM',
        '  remote: https://rubygems.org/',
        '  specs:',
        '    nokogiri (1.16.0-x86_64-linux)',
        '      racc (~> 1.4)',
        '    nokogiri (1.16.0-arm64-darwin)',
        '      racc (~> 1.4)',
        '    racc (1.7.3)',
        '',
        'PLATFORMS',
        '  arm64-darwin',
        '  x86_64-linux',
        '',
        'DEPENDENCIES',
        '  myapp!',
        '  widget!',
        '',
        'CHECKSUMS',
        `  nokogiri (1.16.0-x86_64-linux) sha256=${'1'.repeat(64)}`,
        `  racc (1.7.3) sha256=${'2'.repeat(64)}`,
        '  widget (0.3.0)',
        '',
        'BUNDLED WITH',
        '   2.5.3',
        '',
      ].join('\n'),
    );
    assert.deepEqual(r.root, {
      name: 'myapp',
      version: '1.2.0',
      ecosystem: 'gem',
      purl: 'pkg:gem/myapp@1.2.0',
    });
    assert.deepEqual(
      r.components.map((c) => c.ref),
      [
        'pkg:gem/widget@0.3.0',
        'pkg:gem/nokogiri@1.16.0?platform=x86_64-linux',
        'pkg:gem/nokogiri@1.16.0?platform=arm64-darwin',
        'pkg:gem/racc@1.7.3',
      ],
    );
    assert.equal(
      r.components[0]?.properties?.['custody:gem:source'],
      'git:https://github.com/example/widget.git@0123456789abcdef0123456789abcdef01234567',
    );
    assert.deepEqual(r.components[1]?.hashes, [{ alg: 'SHA-256', content: '1'.repeat(64) }]);
    assert.deepEqual(r.components[2]?.hashes, []);
    assert.deepEqual(r.components[3]?.hashes, [{ alg: 'SHA-256', content: '2'.repeat(64) }]);
    assert.deepEqual(
      new Set(r.rootDependsOn),
      new Set([
        'pkg:gem/widget@0.3.0',
        'pkg:gem/nokogiri@1.16.0?platform=x86_64-linux',
        'pkg:gem/nokogiri@1.16.0?platform=arm64-darwin',
      ]),
    );
  });

  it('refuses a malformed spec line and text without sections, naming the file', () => {
    expectCustodyError(
      () => run('GEM\n  remote: x\n  specs:\n    broken spec line\n'),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
    const e = expectCustodyError(() => run('hello\n'), SbomError, 'SBOM_LOCKFILE_PARSE');
    assert.match(e.message, /^Gemfile\.lock: /);
  });

  it('a result or SbomError on arbitrary and mutated bytes', () => {
    assertCatalogsOrSbomError(
      gemfileLockCataloger,
      'Gemfile.lock',
      readConformance(...DIR, 'cdxgen__Gemfile.lock'),
    );
  });
});
