import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyRelease,
  DEFAULT_SLA,
  decideTrigger,
  durationMs,
  evaluateObligations,
  eventId,
  matchesAny,
  obligationFor,
  parseSemver,
  parseTriggerEvent,
  slaTable,
  TriggerError,
} from '../../src/triggers/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';
import { AT, decide, ev, HOUR, MINUTE, SHA } from './helpers.js';

describe('classifyRelease (semver 2.0.0)', () => {
  const cases: [string, string | undefined, string][] = [
    ['2.0.0', '1.9.9', 'major'],
    ['1.1.0', '1.0.7', 'minor'],
    ['1.0.1', '1.0.0', 'patch'],
    ['v1.0.1', 'v1.0.0', 'patch'],
    ['1.0.0-alpha.1', '0.9.0', 'pre-release'],
    ['1.0.0', '1.0.0-rc.2', 'major'],
    ['1.2.0', '1.2.0-rc.1', 'minor'],
    ['1.0.0+sha.9f2c1e7', '0.9.0', 'build'],
    ['1.0.1+build.5', '1.0.1', 'build'],
    ['1.0.1', '1.0.1', 'rebuild'],
    ['1.2.5', '2.0.0', 'patch'], // a maintenance release on an older line
    ['3.0.0', undefined, 'major'],
    ['3.4.0', undefined, 'minor'],
    ['3.4.1', undefined, 'patch'],
    ['release-2026-01-15', undefined, 'unversioned'],
    ['01.2.3', undefined, 'unversioned'], // not semver: leading zero, never coerced
  ];
  for (const [version, previousVersion, kind] of cases) {
    it(`${previousVersion ?? '(none)'} → ${version} is ${kind}`, () => {
      assert.equal(classifyRelease({ version, previousVersion }), kind);
    });
  }

  it('a hotfix comes from the flag or the branch name; a team names its own hotfix branches', () => {
    assert.equal(classifyRelease({ version: '1.0.2', hotfix: true }), 'hotfix');
    assert.equal(classifyRelease({ version: '1.0.2', branch: 'hotfix/cve-1' }), 'hotfix');
    assert.equal(classifyRelease({ version: '1.0.2', branch: 'main' }), 'patch');
    assert.equal(classifyRelease({ version: '1.0.2', branch: 'urgent/x' }, ['urgent/*']), 'hotfix');
  });

  it('build metadata wins over the hotfix flag; the rebuild flag wins over everything', () => {
    assert.equal(classifyRelease({ version: '1.0.2+abc', hotfix: true }), 'build');
    assert.equal(classifyRelease({ version: '1.0.2+abc', rebuild: true }), 'rebuild');
  });

  it('parseSemver keeps pre-release and build apart', () => {
    assert.deepEqual(parseSemver('1.2.3-rc.1+sha.5'), {
      major: 1,
      minor: 2,
      patch: 3,
      prerelease: 'rc.1',
      build: 'sha.5',
    });
    assert.equal(parseSemver('1.2'), undefined);
  });
});

describe('SLA table', () => {
  it('defaults: CVE draft 48 h (alert 24 h), private 1 h, exploit 4 h, workaround 24 h, analysis 30 d, SBOMs 15 min, EOL 24 h', () => {
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(DEFAULT_SLA).map(([k, v]) => [
          k,
          [v.withinMs / MINUTE, (v.alertAfterMs ?? 0) / MINUTE],
        ]),
      ),
      {
        cveDraft: [2880, 1440],
        privateDisclosure: [60, 0],
        exploit: [240, 0],
        workaround: [1440, 0],
        analysis: [43200, 0],
        release: [15, 0],
        hotfix: [15, 0],
        rebuild: [15, 0],
        lockfile: [15, 0],
        eol: [1440, 0],
      },
    );
  });

  it('a team’s table replaces the defaults it names', () => {
    const sla = slaTable({
      exploit: { within: '2h' },
      cveDraft: { within: '24h', alertAfter: '12h' },
    });
    assert.equal(
      decide({ kind: 'exploit-published', vulnerability: 'CVE-1' }, { sla }).deadline?.due,
      '2026-01-15T11:00:00.000Z',
    );
    const d = decide({ kind: 'cve-published', vulnerability: 'CVE-1' }, { sla });
    assert.deepEqual(
      [d.deadline?.due, d.deadline?.alertAt],
      ['2026-01-16T09:00:00.000Z', '2026-01-15T21:00:00.000Z'],
    );
    assert.equal(sla.release.withinMs, 15 * MINUTE);
  });

  it('durations: 15m, 48h, 30d, 1h30m, 2w, milliseconds', () => {
    assert.deepEqual(['15m', '48h', '30d', '1h30m', '2w', 5000].map(durationMs), [
      15 * MINUTE,
      48 * HOUR,
      30 * 24 * HOUR,
      90 * MINUTE,
      14 * 24 * HOUR,
      5000,
    ]);
    assert.deepEqual(
      ['', '0m', '-1h', '1.5h', 'h', 0, -5, 1.5].map(durationMs),
      Array(8).fill(undefined),
    );
  });

  it('an unknown key, a bad duration or an alert not before the deadline is TRIGGER_SLA_INVALID, all listed', () => {
    const e = expectCustodyError(
      () =>
        slaTable({
          nope: { within: '1h' },
          exploit: { within: 'soon' },
          eol: { within: '1h', alertAfter: '2h' },
        }),
      TriggerError,
      'TRIGGER_SLA_INVALID',
    );
    assert.equal((e.details?.['problems'] as string[] | undefined)?.length, 3);
  });
});

describe('SBOM obligations', () => {
  const release = ev({ kind: 'release', version: '1.4.0', previousVersion: '1.3.0', commit: SHA });
  const obligation = obligationFor(eventId(release), release, decideTrigger(release));
  const at = (minutes: number) => new Date(Date.parse(AT) + minutes * MINUTE).toISOString();

  it('a release creates an obligation for its commit, due 15 minutes after the event', () => {
    assert.ok(obligation);
    assert.deepEqual(
      [obligation.commit, obligation.version, obligation.due],
      [SHA, '1.4.0', '2026-01-15T09:15:00.000Z'],
    );
  });

  it('met by a push for the commit, the digest or the product version; open before the deadline; overdue after', () => {
    assert.ok(obligation);
    const o = [obligation];
    assert.equal(evaluateObligations(o, [{ at: at(5), commit: SHA }], at(6)).met[0]?.late, false);
    assert.equal(
      evaluateObligations(o, [{ at: at(5), product: 'acme/shop', version: 'v1.4.0' }], at(6)).met
        .length,
      1,
    );
    assert.equal(evaluateObligations(o, [{ at: at(20), commit: SHA }], at(30)).met[0]?.late, true);
    assert.deepEqual(
      evaluateObligations(o, [{ at: at(5), commit: SHA.replace('9', '8') }], at(10)).open,
      o,
    );
    assert.deepEqual(evaluateObligations(o, [], at(16)).overdue, o);
    // A push later than `now` is not seen yet.
    assert.deepEqual(evaluateObligations(o, [{ at: at(20), commit: SHA }], at(10)).open, o);
  });

  it('a digest-only rebuild obligation is met by a push of that digest', () => {
    const digest = `sha256:${'ab'.repeat(32)}`;
    const e = ev({ kind: 'release', version: '1.4.0', rebuild: true, digest });
    const o = obligationFor(eventId(e), e, decideTrigger(e));
    assert.ok(o);
    assert.equal(
      evaluateObligations(
        [o],
        [{ at: at(1), digest: digest.toUpperCase().replace('SHA256', 'sha256') }],
        at(2),
      ).met.length,
      1,
    );
  });

  it('a push before the event meets it (CI pushed, then tagged), except the old SBOM of a rebuilt version', () => {
    assert.ok(obligation);
    assert.equal(
      evaluateObligations([obligation], [{ at: at(-5), commit: SHA }], at(1)).met.length,
      1,
    );
    const e = ev({ kind: 'release', version: '1.4.0', rebuild: true, product: 'acme/shop' });
    const o = obligationFor(eventId(e), e, decideTrigger(e));
    assert.ok(o);
    const before = { at: at(-60), product: 'acme/shop', version: '1.4.0' };
    assert.deepEqual(evaluateObligations([o], [before], at(1)).open, [o]);
    const after = { at: at(2), product: 'acme/shop', version: '1.4.0' };
    assert.equal(evaluateObligations([o], [before, after], at(3)).met[0]?.push, after);
  });

  it('no SBOM, no deadline or nothing to match by: no obligation', () => {
    const cve = ev({ kind: 'cve-published', vulnerability: 'CVE-1' });
    assert.equal(obligationFor('x', cve, decideTrigger(cve)), null);
    const config = ev({ kind: 'build-config-change', commit: SHA });
    assert.equal(obligationFor('x', config, decideTrigger(config)), null);
    const anonymous = {
      kind: 'lockfile-change',
      at: AT,
      onReleaseBranch: true,
      lockfiles: ['Cargo.lock'],
    } as const;
    assert.equal(obligationFor('x', anonymous, decideTrigger(anonymous)), null);
  });
});

describe('parseTriggerEvent', () => {
  it('lists every problem: unknown field, missing field, wrong type, bad date', () => {
    const e = expectCustodyError(
      () =>
        parseTriggerEvent({ kind: 'release', at: 'yesterday', versoin: '1.0.0', hotfix: 'yes' }),
      TriggerError,
      'TRIGGER_EVENT_INVALID',
    );
    assert.deepEqual(e.details?.['problems'], [
      'at: an RFC 3339 date such as 2026-01-31T12:00:00Z',
      'version: required for release',
      'hotfix: true or false',
      'versoin: not a field of release',
    ]);
  });

  it('an unknown kind and a non-object are TRIGGER_EVENT_INVALID', () => {
    expectCustodyError(
      () => parseTriggerEvent({ kind: 'party', at: AT }),
      TriggerError,
      'TRIGGER_EVENT_INVALID',
    );
    expectCustodyError(() => parseTriggerEvent([]), TriggerError, 'TRIGGER_EVENT_INVALID');
    expectCustodyError(
      () =>
        parseTriggerEvent({
          kind: 'commit',
          at: AT,
          branch: 'main',
          onReleaseBranch: true,
          commit: 'abc',
        }),
      TriggerError,
      'TRIGGER_EVENT_INVALID',
    );
  });

  it('decideTrigger refuses an event whose time is not a date', () => {
    expectCustodyError(
      () => decideTrigger({ kind: 'documentation-change', at: 'soon' }),
      TriggerError,
      'TRIGGER_EVENT_INVALID',
    );
  });
});

describe('branch patterns', () => {
  it('* stays within a path segment, ** crosses them, the rest is literal', () => {
    assert.equal(matchesAny('release/1.x', ['release/*']), true);
    assert.equal(matchesAny('release/1.x/hot', ['release/*']), false);
    assert.equal(matchesAny('release/1.x/hot', ['release/**']), true);
    assert.equal(matchesAny('release-1.2', ['release-*']), true);
    assert.equal(matchesAny('releaseX1', ['release.1']), false);
  });
});
