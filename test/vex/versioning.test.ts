import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  approveStatement,
  changeStatus,
  documentChangeOf,
  EPSS_VERSION_STEP,
  type LifecycleStatement,
  NON_SUBSTANTIVE,
  type NonSubstantiveField,
  nextCsafRevision,
  nextDocumentVersion,
  type Revision,
  reviseStatement,
  type StatementEdit,
  SUBSTANTIVE,
  type SubstantiveField,
  VexLifecycleError,
} from '../../src/vex/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';
import { COMPONENT, inStatus, PRODUCT, T2, TO } from './statements.js';

const ctx = { by: 'carol', now: T2 };

/** One substantive change per SUBSTANTIVE field: the statement it starts from and the change. */
const SUBSTANTIVE_CASES: Record<
  SubstantiveField,
  { from: () => LifecycleStatement; change: (s: LifecycleStatement) => Revision }
> = {
  status: { from: () => inStatus('affected'), change: (s) => changeStatus(s, TO.fixed, ctx) },
  statusDetail: {
    from: () => inStatus('not_affected'),
    change: (s) => reviseStatement(s, { statusDetail: 'false_positive' }, ctx),
  },
  justification: {
    from: () => inStatus('not_affected'),
    change: (s) => reviseStatement(s, { justification: 'component_not_present' }, ctx),
  },
  justificationDetail: {
    from: () => inStatus('not_affected'),
    change: (s) => reviseStatement(s, { justificationDetail: 'requires_environment' }, ctx),
  },
  impactStatement: {
    from: () => inStatus('not_affected'),
    change: (s) => reviseStatement(s, { impactStatement: 'Input is never user-controlled.' }, ctx),
  },
  statusNotes: {
    from: () => inStatus('affected'),
    change: (s) => reviseStatement(s, { statusNotes: 'Only the admin console is exposed.' }, ctx),
  },
  actionStatement: {
    from: () => inStatus('affected'),
    change: (s) => reviseStatement(s, { actionStatement: 'Disable the import feature.' }, ctx),
  },
  responses: {
    from: () => inStatus('affected'),
    change: (s) => reviseStatement(s, { responses: ['update', 'workaround_available'] }, ctx),
  },
  products: {
    from: () => inStatus('affected'),
    change: (s) =>
      reviseStatement(
        s,
        { products: [{ purl: PRODUCT, versions: { list: ['1.0.0', '2.0.0'] } }] },
        ctx,
      ),
  },
  aliases: {
    from: () => inStatus('affected'),
    change: (s) => reviseStatement(s, { aliases: ['GHSA-aaaa-bbbb-cccc', 'OSV-2024-1'] }, ctx),
  },
  'intel.exploit': {
    from: () => inStatus('affected'),
    change: (s) =>
      reviseStatement(s, { intel: { exploit: { publishedAt: T2, reference: 'https://x' } } }, ctx),
  },
  'intel.kev': {
    from: () => inStatus('affected'),
    change: (s) => reviseStatement(s, { intel: { kev: true } }, ctx),
  },
  'intel.severity': {
    from: () => inStatus('affected'),
    change: (s) =>
      reviseStatement(
        s,
        { intel: { severity: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' } },
        ctx,
      ),
  },
  'intel.epss': {
    from: () => inStatus('affected'),
    change: (s) => reviseStatement(s, { intel: { epss: 0.42 } }, ctx),
  },
};

/** One change per NON_SUBSTANTIVE field. */
const METADATA_CASES: Record<NonSubstantiveField, StatementEdit> = {
  description: { description: 'Prototype pollution in left-pad (corrected summary).' },
  productIdentifiers: {
    products: [
      {
        purl: PRODUCT,
        versions: { list: ['1.0.0'] },
        subcomponents: [COMPONENT],
        identifiers: { cpe: 'cpe:2.3:a:acme:portal' },
      },
    ],
  },
};

describe('SUBSTANTIVE: each field changed is a new statement version', () => {
  it('names the fields (one case each below)', () => {
    assert.deepEqual(Object.keys(SUBSTANTIVE_CASES).sort(), [...SUBSTANTIVE].sort());
  });
  for (const field of SUBSTANTIVE) {
    it(`${field}: version + 1, new timestamp, drafted by the editor, approval again`, () => {
      const c = SUBSTANTIVE_CASES[field];
      const before = c.from();
      const r = c.change(before);
      assert.equal(r.versioned, true);
      assert.equal(r.statement.version, before.version + 1);
      assert.equal(r.statement.timestamp, T2);
      assert.equal(r.statement.draftedBy, 'carol');
      assert.equal(r.statement.approvedBy, undefined);
      const entry = r.trail.find((t) => t.field === field);
      assert.ok(entry, `the trail names ${field}`);
      assert.equal(entry.kind, 'substantive');
      assert.equal(entry.version, before.version + 1);
    });
  }
});

describe('NON_SUBSTANTIVE: each field is edited in place, in the trail', () => {
  it('names the fields (one case each below)', () => {
    assert.deepEqual(Object.keys(METADATA_CASES).sort(), [...NON_SUBSTANTIVE].sort());
  });
  for (const field of NON_SUBSTANTIVE) {
    it(`${field}: same version, timestamp and approval`, () => {
      const before = inStatus('affected');
      const r = reviseStatement(before, METADATA_CASES[field], ctx);
      assert.equal(r.versioned, false);
      assert.equal(r.statement.version, before.version);
      assert.equal(r.statement.timestamp, before.timestamp);
      assert.equal(r.statement.approvedBy, 'bob');
      assert.equal(r.needsApproval, false);
      assert.deepEqual(
        r.trail.map((t) => [t.field, t.kind, t.version, t.by, t.at]),
        [[field, 'metadata', before.version, 'carol', T2]],
      );
    });
  }
});

describe('seed 001: create a new VEX version when', () => {
  it('the analysis status changes (under_investigation → affected)', () => {
    const r = changeStatus(inStatus('under_investigation'), TO.affected, ctx);
    assert.deepEqual([r.versioned, r.statement.version], [true, 2]);
  });
  it('new information becomes available: exploit details', () => {
    assert.equal(SUBSTANTIVE_CASES['intel.exploit'].change(inStatus('affected')).versioned, true);
  });
  it('new information becomes available: an EPSS change of 0.1 or more, and only then', () => {
    const s = reviseStatement(inStatus('affected'), { intel: { epss: 0.2 } }, ctx).statement;
    const up = reviseStatement(s, { intel: { epss: 0.3 } }, ctx);
    assert.equal(up.versioned, true, '0.2 → 0.3 is a step of 0.1 (binary rounding aside)');
    const down = reviseStatement(s, { intel: { epss: 0.1 } }, ctx);
    assert.equal(down.versioned, true);
    const drift = reviseStatement(s, { intel: { epss: 0.2 + EPSS_VERSION_STEP / 2 } }, ctx);
    assert.equal(drift.versioned, false);
    assert.deepEqual(
      drift.trail.map((t) => [t.field, t.kind]),
      [['intel.epss', 'metadata']],
    );
    assert.equal(drift.statement.intel?.epss, 0.25);
    const first = reviseStatement(inStatus('affected'), { intel: { epss: 0.05 } }, ctx);
    assert.equal(first.versioned, false, 'a first score under the step is recorded in place');
  });
  it('new information becomes available: a KEV listing', () => {
    assert.equal(SUBSTANTIVE_CASES['intel.kev'].change(inStatus('affected')).versioned, true);
  });
  it('mitigation guidance changes', () => {
    assert.equal(SUBSTANTIVE_CASES.actionStatement.change(inStatus('affected')).versioned, true);
  });
  it('the affected version list changes', () => {
    assert.equal(SUBSTANTIVE_CASES.products.change(inStatus('affected')).versioned, true);
  });
});

describe('seed 001: do NOT create a new VEX version for', () => {
  it('typo corrections, declared as such', () => {
    const s = reviseStatement(
      inStatus('affected'),
      { actionStatement: 'Upgrdae to 1.0.1 adn restart.' },
      ctx,
    ).statement;
    const approved = approveStatement(s, 'bob', T2).statement;
    const r = reviseStatement(
      approved,
      { actionStatement: 'Upgrade to 1.0.1 and restart.' },
      { ...ctx, by: 'dave', correction: 'typo' },
    );
    assert.equal(r.versioned, false);
    assert.equal(r.statement.version, approved.version);
    assert.equal(r.statement.approvedBy, 'bob');
    assert.deepEqual(
      r.trail.map((t) => [t.field, t.kind, t.before, t.after]),
      [
        [
          'actionStatement',
          'typo',
          'Upgrdae to 1.0.1 adn restart.',
          'Upgrade to 1.0.1 and restart.',
        ],
      ],
    );
  });
  it('formatting changes (whitespace and line breaks), declared or not', () => {
    const s = inStatus('affected');
    const r = reviseStatement(s, { actionStatement: '  Upgrade   to\n1.0.1. ' }, ctx);
    assert.equal(r.versioned, false);
    assert.deepEqual(
      r.trail.map((t) => [t.field, t.kind]),
      [['actionStatement', 'formatting']],
    );
  });
  it('non-substantive metadata updates', () => {
    const r = reviseStatement(inStatus('affected'), METADATA_CASES.description, {
      ...ctx,
      correction: 'metadata',
    });
    assert.equal(r.versioned, false);
  });
  it('nothing at all: no version, empty trail', () => {
    const s = inStatus('affected');
    const r = reviseStatement(s, { actionStatement: s.actionStatement }, ctx);
    assert.deepEqual([r.versioned, r.trail.length, r.statement.version], [false, 0, s.version]);
  });
});

describe('a declared correction that says more is refused', () => {
  const s = inStatus('affected');
  const typo = { ...ctx, correction: 'typo' as const };
  const refused: [
    string,
    StatementEdit,
    typeof typo | (typeof ctx & { correction: 'metadata' }),
  ][] = [
    ['a changed version number', { actionStatement: 'Upgrade to 1.0.2. Do not restart.' }, typo],
    ['a negation prefix', { statusNotes: 'unaffected' }, typo],
    [
      'a negation turned around (not → now)',
      { actionStatement: 'Upgrade to 1.0.1. Do now restart.' },
      typo,
    ],
    ['a rewrite', { actionStatement: 'Disable the import feature.' }, typo],
    ['a status field outside text', { responses: ['will_not_fix'] }, typo],
    [
      'a substantive field as metadata',
      { aliases: ['CVE-2024-9999'] },
      { ...ctx, correction: 'metadata' },
    ],
  ];
  const base = reviseStatement(
    s,
    { actionStatement: 'Upgrade to 1.0.1. Do not restart.', statusNotes: 'affected' },
    ctx,
  ).statement;
  for (const [what, edit, opts] of refused) {
    it(`${what}: VEX_CORRECTION_INVALID`, () => {
      expectCustodyError(
        () => reviseStatement(base, edit, opts),
        VexLifecycleError,
        'VEX_CORRECTION_INVALID',
      );
    });
  }
  it('an undeclared small change is a new version (a typo cannot be told from a meaning)', () => {
    const r = reviseStatement(base, { actionStatement: 'Upgrade to 1.0.1. Do not restrat.' }, ctx);
    assert.equal(r.versioned, true);
  });
});

describe('nextDocumentVersion: the document version moves on every publication', () => {
  const cases: [Parameters<typeof nextDocumentVersion>, string][] = [
    [['openvex', undefined, 'content'], '1'],
    [['openvex', 3, 'editorial'], '4'],
    [['cyclonedx', '1', 'editorial'], '2'],
    [['cyclonedx', 7, 'products'], '8'],
    [['csaf', undefined, 'content'], '1'],
    [['csaf', '0', 'content'], '1'],
    [['csaf', '2', 'editorial'], '3'],
    [['csaf', undefined, 'content', 'semver'], '1.0.0'],
    [['csaf', '0.3.1', 'content'], '1.0.0'],
    [['csaf', '1.0.0-rc.2', 'content'], '1.0.0'],
    [['csaf', '1.2.3', 'products'], '2.0.0'],
    [['csaf', '1.2.3', 'content'], '1.3.0'],
    [['csaf', '1.2.3', 'editorial'], '1.2.4'],
  ];
  for (const [args, want] of cases) {
    it(`${args.map(String).join(', ')} → ${want}`, () => {
      assert.equal(nextDocumentVersion(...args), want);
    });
  }
  it('refuses a version it cannot increment: VEX_DOCUMENT_VERSION_INVALID', () => {
    for (const bad of ['v2', '1.2', '-1', '01']) {
      expectCustodyError(
        () => nextDocumentVersion('openvex', bad, 'content'),
        VexLifecycleError,
        'VEX_DOCUMENT_VERSION_INVALID',
      );
    }
  });
  it('derives the change from the revisions, and appends a CSAF revision entry', () => {
    const s = inStatus('affected');
    const typo = reviseStatement(s, { actionStatement: ` ${s.actionStatement}` }, ctx);
    const content = SUBSTANTIVE_CASES.statusNotes.change(s);
    const products = SUBSTANTIVE_CASES.products.change(s);
    assert.equal(documentChangeOf([typo]), 'editorial');
    assert.equal(documentChangeOf([typo, content]), 'content');
    assert.equal(documentChangeOf([content, products]), 'products');
    const next = nextCsafRevision(
      [{ number: '1.0.0', date: T2, summary: 'Initial' }],
      '1.0.0',
      'content',
      { date: T2, summary: 'Mitigation' },
    );
    assert.equal(next.version, '1.1.0');
    assert.deepEqual(next.history.at(-1), { number: '1.1.0', date: T2, summary: 'Mitigation' });
  });
});
