import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decideTrigger,
  EVENT_KINDS,
  eventId,
  parseTriggerEvent,
  RULES_BY_ID,
  SLA_KEYS,
  slaTable,
  TriggerError,
  type TriggerEvent,
  VEX_CHANGES,
} from '../../src/triggers/index.js';

const text = fc.string({ minLength: 1, maxLength: 20 });
const hex = (n: number) =>
  fc
    .array(fc.constantFrom(...'0123456789abcdef'), { minLength: n, maxLength: n })
    .map((a) => a.join(''));
const version = fc.oneof(
  fc
    .tuple(
      fc.nat(20),
      fc.nat(20),
      fc.nat(20),
      fc.option(fc.constantFrom('alpha.1', 'rc.2')),
      fc.option(hex(7)),
    )
    .map(
      ([a, b, c, pre, build]) => `${a}.${b}.${c}${pre ? `-${pre}` : ''}${build ? `+${build}` : ''}`,
    ),
  text,
);
const at = fc
  .integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') })
  .map((ms) => new Date(ms).toISOString());
const vuln = fc.constantFrom('CVE-2026-0001', 'GHSA-xxxx-yyyy-zzzz', 'PRIV-7');
const strings = fc.array(text, { maxLength: 4 });

/** Every field an event of each kind may carry (optional ones sometimes absent). */
const byKind: Record<(typeof EVENT_KINDS)[number], fc.Arbitrary<Record<string, unknown>>> = {
  release: fc.record(
    {
      version,
      previousVersion: version,
      hotfix: fc.boolean(),
      prerelease: fc.boolean(),
      rebuild: fc.boolean(),
      branch: fc.constantFrom('main', 'hotfix/x', 'release/1.x'),
      fixes: strings,
      securityFix: fc.boolean(),
      dependenciesChanged: fc.boolean(),
    },
    { requiredKeys: ['version'] },
  ),
  commit: fc.record(
    { branch: text, onReleaseBranch: fc.boolean(), filesTruncated: fc.boolean() },
    { requiredKeys: ['branch', 'onReleaseBranch'] },
  ),
  'lockfile-change': fc.record(
    {
      branch: text,
      onReleaseBranch: fc.boolean(),
      lockfiles: strings,
      dependenciesChanged: fc.boolean(),
    },
    { requiredKeys: ['onReleaseBranch', 'lockfiles'] },
  ),
  'dependency-update': fc.record({ component: text }, { requiredKeys: [] }),
  'transitive-change': fc.record({ component: text }, { requiredKeys: [] }),
  'component-addition': fc.record({ component: text }, { requiredKeys: [] }),
  'component-removal': fc.record({ component: text }, { requiredKeys: [] }),
  'build-config-change': fc.constant({}),
  'software-change': fc.record({ componentsChanged: fc.boolean() }),
  'documentation-change': fc.constant({}),
  'runtime-config-change': fc.constant({}),
  'metadata-correction': fc.record({ significant: fc.boolean() }),
  enrichment: fc.constant({}),
  'format-migration': fc.record({ from: text, to: text }),
  're-scan': fc.record({ diffEmpty: fc.boolean() }),
  'eol-announcement': fc.constant({}),
  'cve-published': fc.record(
    { vulnerability: vuln, affectedVersions: strings, fixedVersions: strings },
    { requiredKeys: ['vulnerability'] },
  ),
  'private-disclosure': fc.record(
    { vulnerability: vuln, affectedVersions: strings },
    { requiredKeys: ['vulnerability'] },
  ),
  'analysis-complete': fc.record({
    vulnerability: vuln,
    outcome: fc.constantFrom('affected', 'not_affected'),
  }),
  'analysis-revised': fc.record({ vulnerability: vuln }),
  'patch-developed': fc.record({ vulnerability: vuln, released: fc.boolean() }),
  'workaround-identified': fc.record({ vulnerability: vuln }),
  'exploit-published': fc.record({ vulnerability: vuln }),
  'new-affected-version': fc.record({ vulnerability: vuln, version: text }),
  'epss-change': fc.record({
    vulnerability: vuln,
    previous: fc.double({ min: 0, max: 1, noNaN: true }),
    current: fc.double({ min: 0, max: 1, noNaN: true }),
  }),
  'kev-listed': fc.record({ vulnerability: vuln }),
  'vex-update': fc.record({ change: fc.constantFrom(...VEX_CHANGES) }),
  'scheduled-review': fc.record({ since: at }, { requiredKeys: [] }),
};

const base = fc.record(
  {
    at,
    product: text,
    team: text,
    source: fc.constantFrom('github', 'gitlab', 'api'),
    context: text,
    commit: hex(40),
    digest: hex(64).map((h) => `sha256:${h}`),
  },
  { requiredKeys: ['at'] },
);

export const eventArb: fc.Arbitrary<TriggerEvent> = fc
  .constantFrom(...EVENT_KINDS)
  .chain((kind) =>
    fc.tuple(base, byKind[kind]).map(([b, f]) => ({ kind, ...b, ...f }) as unknown as TriggerEvent),
  );

const slaArb = fc
  .dictionary(
    fc.constantFrom(...SLA_KEYS),
    fc.integer({ min: 2, max: 90 * 24 * 3_600_000 }).map((within) => ({
      within,
      alertAfter: Math.max(1, Math.floor(within / 2)),
    })),
  )
  .map((o) => slaTable(o));

describe('trigger engine properties', () => {
  it('every event gets exactly one decision, the same every time', () => {
    fc.assert(
      fc.property(eventArb, (e) => {
        const d = decideTrigger(e);
        assert.ok(RULES_BY_ID.has(d.rule));
        assert.equal(d.eventKind, e.kind);
        assert.deepEqual(decideTrigger(structuredClone(e)), d);
      }),
      { numRuns: 2000 },
    );
  });

  it('deadlines are positive, whatever the team’s SLA table; alerts fall between event and deadline', () => {
    fc.assert(
      fc.property(eventArb, slaArb, (e, sla) => {
        const d = decideTrigger(e, { sla });
        const t = Date.parse(e.at);
        for (const dl of [d.deadline, d.followUp]) {
          if (dl === null) continue;
          assert.ok(dl.withinMs > 0);
          assert.ok(Date.parse(dl.due) > t);
          if (dl.alertAt !== undefined) {
            assert.ok(Date.parse(dl.alertAt) > t);
            assert.ok(Date.parse(dl.alertAt) < Date.parse(dl.due));
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('a runtime configuration change never yields an SBOM or VEX action, only "update deployment docs"', () => {
    fc.assert(
      fc.property(base, (b) => {
        const d = decideTrigger({ kind: 'runtime-config-change', ...b } as TriggerEvent);
        assert.equal(d.sbom.action, 'none');
        assert.equal(d.sbom.obligation, false);
        assert.equal(d.vex.action, 'none');
        assert.equal(d.deadline, null);
        assert.deepEqual(d.extras, ['update deployment docs']);
      }),
    );
  });

  it('decisions agree with the decision framework tree they sit on', () => {
    fc.assert(
      fc.property(eventArb, (e) => {
        const d = decideTrigger(e);
        if (d.branch === 'no-action') {
          assert.equal(d.sbom.action, 'none');
          assert.equal(d.vex.action, 'none');
        }
        if (d.branch === 'generate-sbom') assert.ok(['new', 'new-build'].includes(d.sbom.action));
        if (d.branch === 're-evaluate') assert.equal(d.sbom.action, 're-evaluate');
        if (d.sbom.obligation) assert.notEqual(d.deadline, null);
      }),
      { numRuns: 1000 },
    );
  });

  it('an event survives JSON and parseTriggerEvent unchanged', () => {
    fc.assert(
      fc.property(eventArb, (e) => {
        assert.deepEqual(parseTriggerEvent(JSON.parse(JSON.stringify(e))), e);
      }),
      { numRuns: 1000 },
    );
  });

  it('any JSON value parses as an event or fails with TRIGGER_EVENT_INVALID', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          fc.record({
            kind: fc.constantFrom(...EVENT_KINDS),
            at: fc.jsonValue(),
            x: fc.jsonValue(),
          }),
        ),
        (v) => {
          try {
            parseTriggerEvent(v);
          } catch (err) {
            assert.ok(err instanceof TriggerError);
            assert.equal(err.code, 'TRIGGER_EVENT_INVALID');
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('the event id leaves out when, whence and the context', () => {
    fc.assert(
      fc.property(eventArb, at, text, (e, when, context) => {
        assert.equal(eventId({ ...e, at: when, source: 'poller', context }), eventId(e));
      }),
    );
  });
});
