import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parsePurl } from '../../src/core/index.js';
import {
  type OsvAffected,
  type OsvRange,
  type OsvRecord,
  osvRecordFromJson,
} from '../../src/formats/index.js';
import {
  compileAffected,
  createAdvisoryIndex,
  matchPurl,
  OSV_ECOSYSTEM_SCHEMES,
  osvEcosystemScheme,
  osvEcosystemSchemeName,
  osvPackageOfPurl,
  scanPurls,
  VulnError,
} from '../../src/vuln/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';

type Ev = Record<string, string>;

function affected(
  ecosystem: string,
  ranges: [OsvRange['type'], Ev[]][],
  versions: string[] = [],
): OsvAffected {
  const record = osvRecordFromJson(
    {
      id: 'x_TEST-1',
      modified: '2024-01-01T00:00:00Z',
      affected: [
        {
          package: { ecosystem, name: 'p' },
          ranges: ranges.map(([type, events]) => ({
            type,
            events,
            ...(type === 'GIT' ? { repo: 'https://g.example/r' } : {}),
          })),
          versions,
        },
      ],
    },
    'test',
  );
  return record.affected[0] as OsvAffected;
}

/** version → expected verdict kind ('affected' carries its first fixed version after a colon). */
function check(a: OsvAffected, expected: Record<string, string>): void {
  const c = compileAffected(a);
  for (const [v, want] of Object.entries(expected)) {
    const r = c.evaluate(v);
    const got = r.kind === 'affected' ? `affected${r.fixed ? `:${r.fixed}` : ''}` : r.kind;
    assert.equal(got, want, `${a.package?.ecosystem} ${v}`);
  }
}

describe('OSV ecosystems → version schemes', () => {
  it('maps the ecosystems of the brief, suffixes included', () => {
    const expected: Record<string, string> = {
      npm: 'npm',
      PyPI: 'pypi',
      Maven: 'maven',
      'Maven:https://maven.google.com': 'maven',
      Go: 'golang',
      'crates.io': 'cargo',
      RubyGems: 'gem',
      NuGet: 'nuget',
      Packagist: 'composer',
      Debian: 'deb',
      'Debian:12': 'deb',
      'Ubuntu:22.04:LTS': 'deb',
      Alpine: 'alpine',
      'Alpine:v3.18': 'alpine',
      'Red Hat': 'rpm',
      'Red Hat:rhel_aus:8.4::appstream': 'rpm',
      'Rocky Linux': 'rpm',
      'Rocky Linux:9': 'rpm',
      AlmaLinux: 'rpm',
      'AlmaLinux:8': 'rpm',
      'SUSE:SUSE Linux Enterprise Server 15 SP5': 'rpm',
      'openSUSE:Leap 15.5': 'rpm',
    };
    for (const [eco, scheme] of Object.entries(expected))
      assert.equal(osvEcosystemSchemeName(eco), scheme, eco);
    assert.ok(Object.keys(OSV_ECOSYSTEM_SCHEMES).length >= 25);
  });

  it('names an unsupported ecosystem with a typed error', () => {
    expectCustodyError(
      () => osvEcosystemScheme('Hackage'),
      VulnError,
      'VULN_ECOSYSTEM_UNSUPPORTED',
    );
  });
});

describe('purl → OSV package', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['pkg:npm/%40babel/core@7.0.0', { ecosystem: 'npm', names: ['@babel/core'], version: '7.0.0' }],
    [
      'pkg:pypi/Django_Rest.Framework@3.0',
      { ecosystem: 'PyPI', names: ['django-rest-framework'], version: '3.0' },
    ],
    [
      'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1',
      { ecosystem: 'Maven', names: ['org.apache.logging.log4j:log4j-core'], version: '2.14.1' },
    ],
    [
      'pkg:golang/github.com/gin-gonic/gin@v1.9.0',
      { ecosystem: 'Go', names: ['github.com/gin-gonic/gin'], version: '1.9.0' },
    ],
    ['pkg:cargo/tokio@1.0.0', { ecosystem: 'crates.io', names: ['tokio'], version: '1.0.0' }],
    ['pkg:gem/rails@7.0.0', { ecosystem: 'RubyGems', names: ['rails'], version: '7.0.0' }],
    [
      'pkg:nuget/Newtonsoft.Json@12.0.1',
      { ecosystem: 'NuGet', names: ['newtonsoft.json'], version: '12.0.1' },
    ],
    [
      'pkg:composer/Laravel/Framework@9.0.0',
      { ecosystem: 'Packagist', names: ['laravel/framework'], version: '9.0.0' },
    ],
    [
      'pkg:deb/debian/libssl3@3.0.11-1~deb12u1?arch=amd64&distro=debian-12&upstream=openssl',
      {
        ecosystem: 'Debian',
        names: ['libssl3', 'openssl'],
        version: '3.0.11-1~deb12u1',
        release: '12',
      },
    ],
    [
      'pkg:deb/debian/libc6@2.36-9?distro=bookworm&upstream=glibc%402.36-9%2Bdeb12u1',
      { ecosystem: 'Debian', names: ['libc6', 'glibc'], version: '2.36-9+deb12u1', release: '12' },
    ],
    [
      'pkg:deb/ubuntu/openssl@3.0.2-0ubuntu1?distro=ubuntu-22.04',
      { ecosystem: 'Ubuntu', names: ['openssl'], version: '3.0.2-0ubuntu1', release: '22.04' },
    ],
    [
      'pkg:apk/alpine/libcrypto3@3.1.4-r0?distro=3.18.4&upstream=openssl',
      {
        ecosystem: 'Alpine',
        names: ['libcrypto3', 'openssl'],
        version: '3.1.4-r0',
        release: 'v3.18',
      },
    ],
    [
      'pkg:rpm/rocky/openssl-libs@3.0.7-24.el9?epoch=1&distro=rocky-9.3&upstream=openssl-3.0.7-24.el9.src.rpm',
      {
        ecosystem: 'Rocky Linux',
        names: ['openssl-libs', 'openssl'],
        version: '1:3.0.7-24.el9',
        release: '9.3',
      },
    ],
    [
      'pkg:rpm/redhat/openssl@3.0.7-24.el9?distro=rhel-9.3',
      { ecosystem: 'Red Hat', names: ['openssl'], version: '3.0.7-24.el9', release: '9.3' },
    ],
    [
      'pkg:rpm/almalinux/bash@5.1.8-6.el9?distro=almalinux-9.3',
      { ecosystem: 'AlmaLinux', names: ['bash'], version: '5.1.8-6.el9', release: '9.3' },
    ],
  ];
  for (const [purl, want] of cases)
    it(purl, () => assert.deepEqual(osvPackageOfPurl(parsePurl(purl)), want));

  it('has no OSV ecosystem for generic purls', () => {
    assert.equal(osvPackageOfPurl(parsePurl('pkg:generic/openssl@3.0.0')), undefined);
  });
});

describe('version rules per ecosystem (ECOSYSTEM ranges)', () => {
  it('npm: prereleases sort below their release', () => {
    check(affected('npm', [['ECOSYSTEM', [{ introduced: '1.0.0' }, { fixed: '1.2.0' }]]]), {
      '1.0.0': 'affected:1.2.0',
      '1.2.0-beta.1': 'affected:1.2.0',
      '1.2.0': 'not-affected',
      '0.9.9': 'not-affected',
    });
  });
  it('PyPI: PEP 440 (pre, post, dev, epoch, normalisation)', () => {
    check(affected('PyPI', [['ECOSYSTEM', [{ introduced: '0' }, { fixed: '2.0' }]]]), {
      '1.9.post1': 'affected:2.0',
      '2.0rc1': 'affected:2.0',
      '2.0.dev3': 'affected:2.0',
      '2.0.0': 'not-affected',
      '1!0.1': 'not-affected',
      '2.0-final': 'unparseable-version',
    });
  });
  it('Maven: ComparableVersion qualifiers', () => {
    check(affected('Maven', [['ECOSYSTEM', [{ introduced: '2.0-beta9' }, { fixed: '2.15.0' }]]]), {
      '2.0': 'affected:2.15.0',
      '2.14.1': 'affected:2.15.0',
      '2.15.0-rc1': 'affected:2.15.0',
      '2.15.0': 'not-affected',
      '2.15': 'not-affected',
    });
  });
  it('Go: SEMVER without the v, pseudo-versions, +incompatible', () => {
    check(affected('Go', [['SEMVER', [{ introduced: '0' }, { fixed: '1.2.3' }]]]), {
      '1.2.2': 'affected:1.2.3',
      'v1.2.2': 'affected:1.2.3',
      '0.0.0-20191109021931-daa7c04131f5': 'affected:1.2.3',
      '1.2.3': 'not-affected',
      '1.2.3+incompatible': 'not-affected',
      master: 'unparseable-version',
    });
  });
  it('crates.io: strict SemVer', () => {
    check(affected('crates.io', [['SEMVER', [{ introduced: '0.1.0' }, { fixed: '0.3.0' }]]]), {
      '0.2.5': 'affected:0.3.0',
      '0.3.0': 'not-affected',
      '0.2': 'unparseable-version',
    });
  });
  it('RubyGems: segments and prereleases', () => {
    check(affected('RubyGems', [['ECOSYSTEM', [{ introduced: '6.0.0' }, { fixed: '6.1.7.1' }]]]), {
      '6.1.7': 'affected:6.1.7.1',
      '6.1.7.1.rc1': 'affected:6.1.7.1',
      '6.1.7.1': 'not-affected',
    });
  });
  it('NuGet: four parts, case-insensitive prereleases', () => {
    check(affected('NuGet', [['ECOSYSTEM', [{ introduced: '0' }, { fixed: '13.0.1' }]]]), {
      '12.0.3': 'affected:13.0.1',
      '13.0.1-Beta1': 'affected:13.0.1',
      '13.0.1.0': 'not-affected',
    });
  });
  it('Packagist: PHP version_compare', () => {
    check(affected('Packagist', [['ECOSYSTEM', [{ introduced: '9.0.0' }, { fixed: '9.52.1' }]]]), {
      '9.52.0': 'affected:9.52.1',
      'v9.52.0': 'affected:9.52.1',
      '9.52.1': 'not-affected',
    });
  });
  it('Debian:12: epochs and tildes', () => {
    check(
      affected('Debian:12', [['ECOSYSTEM', [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }]]]),
      {
        '3.0.11-1~deb12u1': 'affected:3.0.11-1~deb12u2',
        '3.0.11-1': 'not-affected',
        '1:1.0-1': 'not-affected',
      },
    );
  });
  it('Alpine:v3.18: -r revisions and suffixes', () => {
    check(affected('Alpine:v3.18', [['ECOSYSTEM', [{ introduced: '0' }, { fixed: '3.1.4-r1' }]]]), {
      '3.1.4-r0': 'affected:3.1.4-r1',
      '3.1.4_rc1-r0': 'affected:3.1.4-r1',
      '3.1.4-r1': 'not-affected',
    });
  });
  it('RPM distributions (Red Hat, Rocky Linux, AlmaLinux): epochs, tildes, carets', () => {
    for (const eco of ['Red Hat:enterprise_linux:9::appstream', 'Rocky Linux:9', 'AlmaLinux:9'])
      check(affected(eco, [['ECOSYSTEM', [{ introduced: '0' }, { fixed: '1:3.0.7-25.el9' }]]]), {
        '1:3.0.7-24.el9': 'affected:1:3.0.7-25.el9',
        '3.0.7-26.el9': 'affected:1:3.0.7-25.el9',
        '1:3.0.7-25.el9': 'not-affected',
        '1:3.0.7~rc1-25.el9': 'affected:1:3.0.7-25.el9',
      });
  });
});

describe('OSV range semantics', () => {
  it('several introduced/fixed pairs; the first fix above the version', () => {
    check(
      affected('npm', [
        [
          'SEMVER',
          [
            { introduced: '1.0.0' },
            { fixed: '1.0.5' },
            { introduced: '2.0.0' },
            { fixed: '2.1.0' },
          ],
        ],
      ]),
      {
        '0.9.0': 'not-affected',
        '1.0.4': 'affected:1.0.5',
        '1.5.0': 'not-affected',
        '2.0.0': 'affected:2.1.0',
        '2.1.0': 'not-affected',
      },
    );
  });
  it('unsorted events are sorted before evaluation', () => {
    check(
      affected('npm', [
        [
          'SEMVER',
          [{ introduced: '2.0.0' }, { fixed: '2.1.0' }, { introduced: '0' }, { fixed: '1.0.5' }],
        ],
      ]),
      {
        '1.0.0': 'affected:1.0.5',
        '2.0.1': 'affected:2.1.0',
        '1.5.0': 'not-affected',
      },
    );
  });
  it('last_affected: up to and including it, no fix known', () => {
    check(affected('npm', [['SEMVER', [{ introduced: '1.0.0' }, { last_affected: '1.4.0' }]]]), {
      '1.4.0': 'affected',
      '1.4.1': 'not-affected',
    });
  });
  it('limit: versions at or above every limit are not affected; "*" is infinity', () => {
    check(affected('npm', [['SEMVER', [{ introduced: '0' }, { limit: '2.0.0' }]]]), {
      '1.9.9': 'affected',
      '2.0.0': 'not-affected',
    });
    check(affected('npm', [['SEMVER', [{ introduced: '0' }, { limit: '*' }]]]), {
      '99.0.0': 'affected',
    });
  });
  it('introduced "0" alone: every version', () => {
    check(affected('PyPI', [['ECOSYSTEM', [{ introduced: '0' }]]]), {
      '0.0.1': 'affected',
      '2024.1': 'affected',
    });
  });
  it('versions lists match by equality, also for ecosystems without rules', () => {
    check(affected('Hackage', [], ['1.0', '1.1']), { '1.1': 'affected', '1.2': 'not-affected' });
    check(affected('PyPI', [], ['1.0']), { '1.0.0': 'affected', '1.0.1': 'not-affected' });
  });
  it('an unparseable version is reported, never compared (also against a lower-sorting fallback)', () => {
    const a = affected('npm', [['SEMVER', [{ introduced: '0' }, { fixed: '1.0.0' }]]]);
    const r = compileAffected(a).evaluate('not-a-version');
    assert.equal(r.kind, 'unparseable-version');
    // ...but a listed version matches by equality, whatever its form.
    check(affected('npm', [['SEMVER', [{ introduced: '0' }, { fixed: '1.0.0' }]]], ['weird']), {
      weird: 'affected',
    });
  });
  it('an unreadable bound makes the range indeterminate, not silently empty', () => {
    const r = compileAffected(
      affected('PyPI', [['ECOSYSTEM', [{ introduced: '0' }, { fixed: '2019-09-12' }]]]),
    ).evaluate('1.0');
    assert.equal(r.kind, 'indeterminate');
  });
  it('ECOSYSTEM ranges of an ecosystem without rules, and GIT-only entries, are indeterminate', () => {
    check(affected('Hackage', [['ECOSYSTEM', [{ introduced: '0' }, { fixed: '1.0' }]]]), {
      '0.5': 'indeterminate',
    });
    check(affected('npm', [['GIT', [{ introduced: '0' }]]]), { '1.0.0': 'indeterminate' });
    // A SEMVER range works for any ecosystem.
    check(affected('Hackage', [['SEMVER', [{ introduced: '0' }, { fixed: '1.0.0' }]]]), {
      '0.5.0': 'affected:1.0.0',
    });
  });
});

describe('matching components to advisories', () => {
  const rec = (
    id: string,
    ecosystem: string,
    name: string,
    events: Ev[],
    extra: Record<string, unknown> = {},
  ): OsvRecord =>
    osvRecordFromJson(
      {
        id,
        modified: '2024-01-01T00:00:00Z',
        affected: [{ package: { ecosystem, name }, ranges: [{ type: 'ECOSYSTEM', events }] }],
        ...extra,
      },
      id,
    );
  const index = createAdvisoryIndex([
    rec('GHSA-0001-0001-0001', 'npm', 'lodash', [{ introduced: '0' }, { fixed: '4.17.21' }], {
      aliases: ['CVE-2021-23337'],
    }),
    rec('GHSA-0002-0002-0002', 'npm', 'lodash', [{ introduced: '0' }, { fixed: '4.0.0' }]),
    rec('GHSA-0003-0003-0003', 'npm', 'lodash', [{ introduced: '0' }], {
      withdrawn: '2024-02-01T00:00:00Z',
    }),
    rec('DSA-0001-1', 'Debian:12', 'openssl', [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }]),
    rec('DSA-0002-1', 'Debian:11', 'openssl', [{ introduced: '0' }, { fixed: '1.1.1w-0+deb11u1' }]),
    rec('PYSEC-0001-1', 'PyPI', 'django-rest-framework', [{ introduced: '0' }, { fixed: '3.1' }]),
  ]);

  it('finds the advisories for a package version, with the first fixed version; withdrawn ones never', () => {
    const m = matchPurl(index, 'pkg:npm/lodash@4.17.20');
    assert.equal(m.kind, 'matched');
    if (m.kind !== 'matched') return;
    assert.deepEqual(
      m.hits.map((h) => [h.record.id, h.fixed]),
      [['GHSA-0001-0001-0001', '4.17.21']],
    );
    assert.equal(index.withdrawn, 1);
  });
  it('scopes distribution advisories to the release (Debian:12 vs Debian:11) and matches source packages', () => {
    const s = scanPurls(index, [
      'pkg:deb/debian/libssl3@3.0.11-1~deb12u1?distro=debian-12&upstream=openssl',
    ]);
    assert.deepEqual(
      s.findings.map((f) => [f.id, f.fixed]),
      [['DSA-0001-1', '3.0.11-1~deb12u2']],
    );
  });
  it('normalises PyPI names', () => {
    assert.equal(scanPurls(index, ['pkg:pypi/Django_REST.framework@3.0']).findings.length, 1);
  });
  it('reports skipped components with a reason', () => {
    const s = scanPurls(index, ['pkg:npm/lodash', 'pkg:generic/x@1', 'not a purl']);
    assert.deepEqual(
      s.skipped.map((x) => x.reason),
      ['no-version', 'ecosystem-unknown', 'purl-invalid'],
    );
  });
  it('reports an unparseable component version as a problem, not a finding', () => {
    const s = scanPurls(index, ['pkg:npm/lodash@latest']);
    assert.deepEqual(s.findings, []);
    assert.deepEqual(
      s.problems.map((p) => p.kind),
      ['unparseable-version', 'unparseable-version'],
    );
  });
});
