import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  normalizePypiName,
  pdmLockCataloger,
  pipfileLockCataloger,
  poetryLockCataloger,
  requirementsCataloger,
  uvLockCataloger,
} from '../../../../src/sbom/catalogers/python/index.js';
import { SbomError } from '../../../../src/sbom/errors.js';
import type { Cataloger, CatalogResult } from '../../../../src/sbom/model.js';
import { listConformance, readConformance } from '../../../helpers/conformance.js';
import { expectCustodyError } from '../../../helpers/expect-error.js';
import { assertCatalogsOrSbomError, memoryTree } from './memory-tree.js';

const DIR = ['lockfiles', 'python'] as const;
const ALL = [
  requirementsCataloger,
  poetryLockCataloger,
  pipfileLockCataloger,
  uvLockCataloger,
  pdmLockCataloger,
];

/** Which cataloger reads a conformance file, the standard name it is given, and its expectation. */
function planFor(file: string): { cataloger: Cataloger; as: string; error?: boolean } | undefined {
  if (file.endsWith('Pipfile.lock')) return { cataloger: pipfileLockCataloger, as: 'Pipfile.lock' };
  if (file.endsWith('pdm.lock')) return { cataloger: pdmLockCataloger, as: 'pdm.lock' };
  if (file.endsWith('uv.lock')) return { cataloger: uvLockCataloger, as: 'uv.lock' };
  if (/poetry\d*\.lock$/.test(file)) return { cataloger: poetryLockCataloger, as: 'poetry.lock' };
  // cdxgen keeps Mercurial's "requires" prose under this name to test refusal of non-requirements.
  if (file === 'cdxgen__requirements.complex.txt') {
    return { cataloger: requirementsCataloger, as: 'requirements.txt', error: true };
  }
  if (file.endsWith('.txt')) return { cataloger: requirementsCataloger, as: 'requirements.txt' };
  return undefined; // pyproject.toml: read as a sibling, below
}

function run(file: string, as: string, cataloger: Cataloger, extra = {}): CatalogResult {
  return cataloger.catalog(as, memoryTree({ ...extra, [as]: readConformance(...DIR, file) }));
}

function text(file: string): string {
  return new TextDecoder().decode(readConformance(...DIR, file));
}

function byPurl(r: CatalogResult, purl: string) {
  const c = r.components.find((x) => x.purl === purl);
  assert.ok(c, `${purl} is cataloged`);
  return c;
}

describe('python catalogers over the conformance lockfiles', () => {
  for (const file of listConformance(...DIR)) {
    const plan = planFor(file);
    if (!plan) {
      it(`${file} is not a lockfile and no Python cataloger sniffs it as one`, () => {
        const head = text(file).slice(0, 4096);
        assert.deepEqual(
          ALL.filter((c) => c.sniff(file, head)).map((c) => c.name),
          [],
        );
      });
      continue;
    }
    it(`${file}: ${plan.error ? 'refused with SBOM_LOCKFILE_PARSE' : 'cataloged'}`, () => {
      const head = text(file).slice(0, 4096);
      const sniffers = ALL.filter((c) => c.sniff(file, head)).map((c) => c.name);
      if (plan.error) {
        assert.deepEqual(sniffers, []);
        const e = expectCustodyError(
          () => run(file, plan.as, plan.cataloger),
          SbomError,
          'SBOM_LOCKFILE_PARSE',
        );
        assert.match(e.message, /requirements\.txt: line 1 /);
        return;
      }
      assert.deepEqual(sniffers, [plan.cataloger.name], 'only its own cataloger sniffs it');
      assert.ok(plan.cataloger.matches(`sub/${plan.as}`));
      const r = run(file, plan.as, plan.cataloger);
      assert.equal(r.cataloger, plan.cataloger.name);
      assert.ok(r.components.length > 0);
      const refs = new Set(r.components.map((c) => c.ref));
      assert.equal(refs.size, r.components.length);
      for (const c of r.components) {
        assert.equal(c.ecosystem, 'pypi');
        assert.equal(c.ref, c.purl);
        assert.equal(c.name, normalizePypiName(c.name), 'names are purl-normalised');
        for (const d of c.dependsOn) assert.ok(refs.has(d), `${c.ref} → ${d} resolves`);
        for (const h of c.hashes) assert.match(h.content, /^[0-9a-f]{64}$/);
      }
    });
  }
});

describe('requirements.txt', () => {
  it('counts every pinned line of the freeze file (independent count)', () => {
    const src = text('cdxgen__requirements.freeze.txt');
    const pinned = new Set(
      [...src.matchAll(/^([A-Za-z0-9][\w.-]*)==/gm)].map((m) => normalizePypiName(m[1] as string)),
    );
    const r = run('cdxgen__requirements.freeze.txt', 'requirements.txt', requirementsCataloger);
    assert.equal(r.components.length, pinned.size);
    assert.equal(r.rootDependsOn.length, pinned.size);
    const babel = byPurl(r, 'pkg:pypi/babel@2.12.1'); // written "Babel==2.12.1"
    assert.equal(babel.scope, 'required');
  });

  it('joins continuation lines and keeps every --hash', () => {
    const src = text('cdxgen__chen-science-requirements.txt');
    const pinned = [...src.matchAll(/^([A-Za-z0-9][\w.-]*)==/gm)].length;
    const r = run(
      'cdxgen__chen-science-requirements.txt',
      'requirements.txt',
      requirementsCataloger,
    );
    assert.equal(r.components.length, pinned);
    const aiofiles = byPurl(r, 'pkg:pypi/aiofiles@23.2.1');
    assert.deepEqual(
      aiofiles.hashes.map((h) => h.content),
      [
        '19297512c647d4b27a2cf7c34caa7e405c0d60b5560618a29a9fe027b18b0107',
        '84ec2218d8419404abcb9f0c02df3f34c6e0a68ed41072acfb1cef5cbc29051a',
      ],
    );
    assert.equal(
      aiofiles.properties?.['custody:pypi:marker'],
      'python_full_version >= "3.8.1" and python_version < "3.12"',
    );
  });

  it('skips options, paths and URLs; unpinned requirements have no version', () => {
    const r = parse(
      [
        '# comment',
        '-r base.txt',
        '-c constraints.txt',
        '-e git+https://example.org/x.git#egg=x',
        '--index-url https://example.org/simple',
        './local/pkg',
        'Django_Rest>=3.0,<4  # trailing comment',
        'requests[security] == 2.31.0 \\',
        `    --hash=sha256:${'a'.repeat(64)}`,
        'flask',
        'pkg @ https://example.org/pkg-1.0.tar.gz ; python_version < "3.9"',
      ].join('\n'),
    );
    assert.deepEqual(
      r.components.map((c) => c.ref),
      ['pkg:pypi/django-rest', 'pkg:pypi/requests@2.31.0', 'pkg:pypi/flask', 'pkg:pypi/pkg'],
    );
    assert.equal(r.components[0]?.properties?.['custody:pypi:specifier'], '>=3.0,<4');
    assert.deepEqual(r.components[1]?.hashes, [{ alg: 'SHA-256', content: 'a'.repeat(64) }]);
    assert.equal(
      r.components[3]?.properties?.['custody:pypi:url'],
      'https://example.org/pkg-1.0.tar.gz',
    );
  });

  it('refuses prose with the file and line in the message', () => {
    const e = expectCustodyError(
      () => parse('requests==1.0\nthis is not a requirement\n'),
      SbomError,
      'SBOM_LOCKFILE_PARSE',
    );
    assert.match(e.message, /^requirements\.txt: line 2 /);
  });

  it('matches the usual file names', () => {
    for (const p of [
      'requirements.txt',
      'a/requirements-dev.txt',
      'dev-requirements.txt',
      'requirements/test.txt',
    ]) {
      assert.ok(requirementsCataloger.matches(p), p);
    }
    assert.ok(!requirementsCataloger.matches('requirements.in'));
    assert.ok(!requirementsCataloger.matches('notes.txt'));
  });

  function parse(src: string): CatalogResult {
    return requirementsCataloger.catalog(
      'requirements.txt',
      memoryTree({ 'requirements.txt': src }),
    );
  }
});

describe('Pipfile.lock', () => {
  it('default → required, develop → dev, packages in both stay required (independent count)', () => {
    const doc = JSON.parse(text('cdxgen__Pipfile.lock')) as Record<string, Record<string, unknown>>;
    const names = new Set([
      ...Object.keys(doc['default'] ?? {}),
      ...Object.keys(doc['develop'] ?? {}),
    ]);
    const r = run('cdxgen__Pipfile.lock', 'Pipfile.lock', pipfileLockCataloger);
    assert.equal(r.components.length, names.size);
    const defaults = Object.keys(doc['default'] ?? {}).length;
    assert.equal(r.components.filter((c) => c.scope === 'required').length, defaults);
    const click = byPurl(r, 'pkg:pypi/click@7.0'); // in both sections
    assert.equal(click.scope, 'required');
    assert.equal(
      click.hashes[0]?.content,
      '2335065e6395b9e67ca716de5f7526736bfa6ceead690adf616d925bdc622b13',
    );
    assert.equal(byPurl(r, 'pkg:pypi/flask@0.12.0').scope, 'required');
  });
});

describe('poetry.lock', () => {
  it('keeps category, optional, metadata.files hashes and edges (independent count)', () => {
    const src = text('cdxgen__poetry.lock');
    const packages = [...src.matchAll(/^\[\[package\]\]/gm)].length;
    const r = run('cdxgen__poetry.lock', 'poetry.lock', poetryLockCataloger);
    assert.equal(r.components.length, packages);
    assert.equal(byPurl(r, 'pkg:pypi/certifi@2019.9.11').scope, 'optional');
    assert.equal(byPurl(r, 'pkg:pypi/atomicwrites@1.3.0').scope, 'required');
    const pytest = byPurl(r, 'pkg:pypi/pytest@5.2.3'); // category "main" in this lock
    assert.equal(pytest.scope, 'required');
    const devCount = [...src.matchAll(/^category = "dev"$/gm)].length;
    assert.equal(r.components.filter((c) => c.scope === 'dev').length, devCount);
    assert.equal(r.components.filter((c) => c.scope === 'dev').length, 3);
    assert.equal(byPurl(r, 'pkg:pypi/pytest-cov@2.8.1').scope, 'dev');
    assert.ok(pytest.dependsOn.includes('pkg:pypi/atomicwrites@1.3.0'));
    assert.ok(pytest.dependsOn.includes('pkg:pypi/attrs@19.3.0'));
    assert.ok(byPurl(r, 'pkg:pypi/atomicwrites@1.3.0').hashes.length > 0);
  });

  it('reads hashes from per-package files (lock 2.0) and names the project from pyproject.toml', () => {
    const pyproject = readConformance(...DIR, 'cdxgen__pyproject.toml');
    const r = run('syft__poetry-nested-extras.poetry.lock', 'poetry.lock', poetryLockCataloger, {
      'pyproject.toml': pyproject,
    });
    assert.deepEqual(r.root, {
      name: 'cpggen',
      version: '1.9.0',
      ecosystem: 'pypi',
      purl: 'pkg:pypi/cpggen@1.9.0',
    });
    const anyio = r.components.find((c) => c.name === 'anyio');
    assert.ok(anyio && anyio.hashes.length >= 2);
    assert.ok(
      anyio.dependsOn.includes(
        byPurl(r, `pkg:pypi/idna@${r.components.find((c) => c.name === 'idna')?.version}`).ref,
      ),
    );
  });
});

describe('uv.lock', () => {
  it('takes the editable package as root and scopes by reachability (independent count)', () => {
    const src = text('cdxgen__uv.lock');
    const packages = [...src.matchAll(/^\[\[package\]\]/gm)].length;
    const r = run('cdxgen__uv.lock', 'uv.lock', uvLockCataloger);
    assert.equal(r.components.length, packages - 1, 'every package but the project');
    assert.equal(r.root?.name, 'appthreat-vulnerability-db');
    assert.equal(r.root?.version, '6.0.14');
    const at = byPurl(r, 'pkg:pypi/annotated-types@0.7.0');
    assert.deepEqual(at.hashes.map((h) => h.content).sort(), [
      '1f02e8b43a8fbbc3f3e0d4f0f4bfc8131bcb4eebe8849b8e5c773f3a1c582a53',
      'aff07c09a53a08bc8cfccb9c85b05f1aa9a2a6f23728d790723543408344ce89',
    ]);
    assert.ok(r.rootDependsOn.includes('pkg:pypi/apsw@3.46.1.0'));
    assert.equal(byPurl(r, 'pkg:pypi/apsw@3.46.1.0').scope, 'required');
    assert.equal(byPurl(r, 'pkg:pypi/pydantic@2.9.2').scope, 'required');
    const anyio = byPurl(r, 'pkg:pypi/anyio@4.6.0');
    assert.ok(anyio.dependsOn.some((d) => d.startsWith('pkg:pypi/sniffio@')));
  });
});

describe('pdm.lock', () => {
  it('merges entries that differ only in extras and reads [metadata.files] hashes', () => {
    const src = text('cdxgen__pdm.lock');
    const pairs = new Set(
      [...src.matchAll(/^\[\[package\]\]\nname = "([^"]+)"\nversion = "([^"]+)"/gm)].map(
        (m) => `${m[1]}@${m[2]}`,
      ),
    );
    const r = run('cdxgen__pdm.lock', 'pdm.lock', pdmLockCataloger);
    assert.equal(r.components.length, pairs.size);
    const cc = byPurl(r, 'pkg:pypi/cachecontrol@0.13.1');
    assert.ok(
      cc.dependsOn.includes(
        `pkg:pypi/msgpack@${r.components.find((c) => c.name === 'msgpack')?.version}`,
      ),
    );
    assert.ok(cc.dependsOn.some((d) => d.startsWith('pkg:pypi/filelock@')));
    assert.deepEqual(
      byPurl(r, 'pkg:pypi/blinker@1.6.2').hashes.map((h) => h.content),
      [
        'c3d739772abb7bc2860abf5f2ec284223d9ad5c76da018234f6f50d6f31ab1f0',
        '4afd3de66ef3a9f8067559fb7a1cbe555c17dcbe15971b05d1b625c3e7abe213',
      ],
    );
  });
});

describe('python parsers on arbitrary and mutated bytes', () => {
  const seeds: [Cataloger, string, string][] = [
    [requirementsCataloger, 'requirements.txt', 'cdxgen__chen-science-requirements.txt'],
    [poetryLockCataloger, 'poetry.lock', 'cdxgen__poetry.lock'],
    [pipfileLockCataloger, 'Pipfile.lock', 'cdxgen__Pipfile.lock'],
    [uvLockCataloger, 'uv.lock', 'cdxgen__uv.lock'],
    [pdmLockCataloger, 'pdm.lock', 'cdxgen__pdm.lock'],
  ];
  for (const [cataloger, as, seed] of seeds) {
    it(`${cataloger.name}: a result or SbomError, never another error`, () => {
      assertCatalogsOrSbomError(cataloger, as, readConformance(...DIR, seed));
    });
  }
});
