import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  analysisAffected,
  analysisNotAffected,
  analysisRevised,
  assertNoScopeConflict,
  draftConfidentialStatements,
  draftStatements,
  endOfLife,
  exploitPublished,
  falsePositive,
  type LifecycleStatement,
  newAffectedVersion,
  patchReleased,
  SYSTEM_ACTOR,
  urgencyOf,
  VexLifecycleError,
  type VexProduct,
  workaroundIdentified,
} from '../../src/vex/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';
import { COMPONENT, draft, inStatus, PRODUCT, T0, T1, T2 } from './statements.js';

const alice = { by: 'alice', now: T1 };
const carol = { by: 'carol', now: T2 };

describe('seed 001, VEX publication triggers (one test per row)', () => {
  it('CVE published affecting your components → under_investigation, automated draft', () => {
    const drafts = draftStatements(
      { id: 'CVE-2024-1234' },
      [
        { product: `${PRODUCT}@1.10.0`, component: `${COMPONENT}@1.2.0` },
        { product: `${PRODUCT}@1.9.0`, component: `${COMPONENT}@1.2.0` },
        { product: 'pkg:npm/acme-cli@3.0.0', component: `${COMPONENT}@1.1.0` },
      ],
      T0,
    );
    assert.deepEqual(
      drafts.map((d) => [d.statement.status, d.statement.draftedBy, d.needsApproval]),
      [
        ['under_investigation', SYSTEM_ACTOR, false],
        ['under_investigation', SYSTEM_ACTOR, false],
      ],
    );
    // One statement per product, all its affected versions in it, in version order (edge case 2).
    assert.deepEqual(drafts[1]?.statement.products, [
      { purl: PRODUCT, versions: { list: ['1.9.0', '1.10.0'] }, subcomponents: [COMPONENT] },
    ]);
    assert.deepEqual(draftStatements({ id: 'CVE-2024-1234' }, [], T0), []);
  });

  it('Private vulnerability disclosed → under_investigation, immediately, manual (confidential)', () => {
    const [d] = draftConfidentialStatements(
      { id: 'ACME-2025-7' },
      [{ product: `${PRODUCT}@1.0.0`, component: `${COMPONENT}@1.2.0` }],
      { by: 'alice', now: T0 },
    );
    assert.ok(d);
    assert.deepEqual(
      [d.statement.status, d.statement.confidential, d.statement.draftedBy, d.statement.timestamp],
      ['under_investigation', true, 'alice', T0],
    );
  });

  it('Analysis completed (not affected) → not_affected, semi-automated (human approval)', () => {
    const r = analysisNotAffected(draft(), { justification: 'vulnerable_code_not_present' }, alice);
    assert.deepEqual(
      [r.statement.status, r.statement.version, r.needsApproval],
      ['not_affected', 2, true],
    );
  });

  it('Analysis completed (affected) → affected with an action statement, human approval', () => {
    const r = analysisAffected(
      draft(),
      { actionStatement: 'Upgrade to 1.0.1.', responses: ['update'] },
      alice,
    );
    assert.deepEqual([r.statement.status, r.needsApproval], ['affected', true]);
    expectCustodyError(
      () => analysisAffected(draft(), { actionStatement: '' }, alice),
      VexLifecycleError,
      'VEX_STATEMENT_INVALID',
    );
  });
});

describe('seed 001, VEX updates (one test per row)', () => {
  const evidence = [
    { product: `${PRODUCT}@1.0.1`, component: `${COMPONENT}@1.2.1`, fixedVersion: '1.2.1' },
  ];

  it('Patch/fix released → fixed at release time (v1.0.1 fixes CVE-2024-1234)', () => {
    const affected = inStatus('affected');
    const fixed = [{ purl: PRODUCT, versions: { list: ['1.0.1'] } }];
    const r = patchReleased(affected, { products: fixed, evidence }, { by: SYSTEM_ACTOR, now: T2 });
    // A statement of its own for the fixed version; 1.0.0 stays affected (edge case 2).
    assert.deepEqual(
      [r.statement.status, r.statement.version, r.needsApproval, r.statement.products[0]?.versions],
      ['fixed', 1, false, { list: ['1.0.1'] }],
    );
    assert.equal(r.statement.fixEvidence?.length, 1);
    assertNoScopeConflict([affected, r.statement]);
    // The statement covering exactly the patched product (a service, a rebuild) changes status.
    const service = { ...affected, products: fixed };
    const same = patchReleased(
      service,
      { products: fixed, evidence },
      { by: SYSTEM_ACTOR, now: T2 },
    );
    assert.deepEqual(
      [same.statement.status, same.statement.version],
      ['fixed', service.version + 1],
    );
    // A "fixed" version the affected statement lists would be both: refused.
    expectCustodyError(
      () =>
        patchReleased(
          affected,
          { products: [{ purl: PRODUCT, versions: { list: ['1.0.0', '1.0.1'] } }] },
          carol,
        ),
      VexLifecycleError,
      'VEX_SCOPE_CONFLICT',
    );
    // A not_affected product line had nothing to fix.
    expectCustodyError(
      () => patchReleased(inStatus('not_affected'), { products: fixed, evidence }, carol),
      VexLifecycleError,
      'VEX_TRANSITION_INVALID',
    );
  });

  it('Workaround identified → mitigation details added, as soon as possible (semi)', () => {
    const r = workaroundIdentified(inStatus('affected'), 'Set import.enabled=false.', carol);
    assert.equal(r.statement.actionStatement, 'Upgrade to 1.0.1.\n\nSet import.enabled=false.');
    assert.deepEqual(r.statement.responses, ['update', 'workaround_available']);
    assert.deepEqual([r.versioned, r.needsApproval], [true, true]);
    const ui = workaroundIdentified(draft(), 'Set import.enabled=false.', carol);
    assert.match(ui.statement.statusNotes ?? '', /import\.enabled=false/);
    assert.deepEqual([ui.statement.status, ui.needsApproval], ['under_investigation', true]);
    expectCustodyError(
      () => workaroundIdentified(inStatus('fixed'), 'x', carol),
      VexLifecycleError,
      'VEX_STATEMENT_INVALID',
    );
  });

  it('Analysis revised → justification updated (the initial assessment was incorrect)', () => {
    const na = inStatus('not_affected');
    const j = analysisRevised(na, { status: 'not_affected', impactStatement: 'Sandboxed.' }, carol);
    assert.deepEqual(
      [
        j.statement.justification,
        j.statement.impactStatement,
        j.statement.version,
        j.needsApproval,
      ],
      [undefined, 'Sandboxed.', na.version + 1, true],
    );
    const toAffected = analysisRevised(
      na,
      { status: 'affected', actionStatement: 'Upgrade.' },
      carol,
    );
    assert.equal(toAffected.statement.status, 'affected');
    const toNa = analysisRevised(
      inStatus('affected'),
      { status: 'not_affected', justification: 'component_not_present' },
      carol,
    );
    assert.equal(toNa.statement.status, 'not_affected');
  });

  it('Exploit published → urgency and severity update, within hours', () => {
    const before = inStatus('affected');
    assert.equal(urgencyOf(before), 'normal');
    const r = exploitPublished(
      before,
      {
        reference: 'https://exploit-db.example/1',
        severity: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H',
      },
      carol,
    );
    assert.equal(urgencyOf(r.statement), 'high');
    assert.deepEqual(r.statement.intel?.exploit, {
      publishedAt: T2,
      reference: 'https://exploit-db.example/1',
    });
    assert.match(r.statement.statusNotes ?? '', /Public exploit code is available/);
    assert.deepEqual([r.versioned, r.needsApproval], [true, true]);
    // On a draft the update publishes at once.
    assert.equal(exploitPublished(draft(), {}, { by: SYSTEM_ACTOR, now: T2 }).needsApproval, false);
  });

  it('New affected version → scope extended (the CVE also affects v2.0.0)', () => {
    const added = [{ purl: PRODUCT, versions: { list: ['2.0.0'] } }];
    const affected = inStatus('affected');
    const r = newAffectedVersion(affected, added, carol);
    assert.deepEqual(r.statement.products[0]?.versions, { list: ['1.0.0', '2.0.0'] });
    assert.deepEqual(
      [r.versioned, r.statement.version, r.needsApproval],
      [true, affected.version + 1, true],
    );
    // A draft takes it automatically.
    assert.equal(
      newAffectedVersion(draft(), added, { by: SYSTEM_ACTOR, now: T2 }).needsApproval,
      false,
    );
  });
});

describe('edge case 2: affected and fixed versions never merged', () => {
  const fixed = () =>
    patchReleased(
      inStatus('affected'),
      {
        products: [{ purl: PRODUCT, versions: { list: ['1.0.1'] } }],
        evidence: [
          { product: `${PRODUCT}@1.0.1`, component: `${COMPONENT}@1.2.1`, fixedVersion: '1.2.1' },
        ],
      },
      { by: SYSTEM_ACTOR, now: T2 },
    ).statement;

  it('a new affected version is not added to a fixed statement: it gets its own', () => {
    const r = newAffectedVersion(
      fixed(),
      [{ purl: PRODUCT, versions: { list: ['2.0.0'] } }],
      carol,
      {
        actionStatement: 'Upgrade to 2.0.1.',
      },
    );
    assert.deepEqual(
      [r.statement.status, r.statement.version, r.statement.products[0]?.versions],
      ['affected', 1, { list: ['2.0.0'] }],
    );
    assert.deepEqual(r.statement.products[0]?.subcomponents, [COMPONENT]);
    const ui = newAffectedVersion(
      fixed(),
      [{ purl: PRODUCT, versions: { list: ['2.0.0'] } }],
      carol,
    );
    assert.equal(ui.statement.status, 'under_investigation');
  });

  it('a version the fixed statement holds is a regression, not a scope extension', () => {
    expectCustodyError(
      () => newAffectedVersion(fixed(), [{ purl: PRODUCT, versions: { list: ['1.0.1'] } }], carol),
      VexLifecycleError,
      'VEX_SCOPE_CONFLICT',
    );
  });

  it('extending an affected statement over a version a sibling says is fixed is refused', () => {
    const f = fixed();
    expectCustodyError(
      () =>
        newAffectedVersion(
          inStatus('affected'),
          [{ purl: PRODUCT, versions: { list: ['1.0.1'] } }],
          carol,
          {
            siblings: [f],
          },
        ),
      VexLifecycleError,
      'VEX_SCOPE_CONFLICT',
    );
  });

  it('ranges: disjoint ranges pass, touching or overlapping ones are refused', () => {
    const at = (status: LifecycleStatement['status'], range: string): LifecycleStatement => ({
      ...inStatus(status),
      products: [{ purl: PRODUCT, versions: { range } }],
    });
    assertNoScopeConflict([
      at('affected', 'vers:npm/>=1.0.0|<1.0.1'),
      at('fixed', 'vers:npm/>=1.0.1'),
    ]);
    assertNoScopeConflict([at('affected', 'vers:npm/<1.0.1'), at('fixed', 'vers:npm/>1.0.1')]);
    for (const [a, f] of [
      ['vers:npm/>=1.0.0|<=1.0.1', 'vers:npm/>=1.0.1'],
      ['vers:npm/>1.0.0|<2.0.0', 'vers:npm/>1.0.0|<2.0.0'],
      ['vers:npm/*', 'vers:npm/1.5.0'],
      ['vers:npm/<3.0.0', 'vers:npm/>=2.0.0|<2.1.0'],
    ] as const) {
      expectCustodyError(
        () => assertNoScopeConflict([at('affected', a), at('fixed', f)]),
        VexLifecycleError,
        'VEX_SCOPE_CONFLICT',
      );
    }
    // Products named by identifiers only are compared by those identifiers.
    const named = (status: LifecycleStatement['status'], list: string[]): LifecycleStatement => ({
      ...inStatus(status),
      products: [
        { identifiers: { name: 'Acme Portal' }, versions: { list } } as unknown as VexProduct,
      ],
    });
    assertNoScopeConflict([named('affected', ['1.0']), named('fixed', ['1.1'])]);
    expectCustodyError(
      () => assertNoScopeConflict([named('affected', ['1.0']), named('fixed', ['1.0'])]),
      VexLifecycleError,
      'VEX_SCOPE_CONFLICT',
    );
    // A listed version inside a range.
    expectCustodyError(
      () =>
        assertNoScopeConflict([
          at('affected', 'vers:npm/>=1.0.0|<2.0.0'),
          { ...inStatus('fixed'), products: [{ purl: PRODUCT, versions: { list: ['1.4.0'] } }] },
        ]),
      VexLifecycleError,
      'VEX_SCOPE_CONFLICT',
    );
  });
});

describe('edge case 4: false positive → not_affected with a justification', () => {
  it('publishes not_affected with the justification saying why, after approval', () => {
    const r = falsePositive(
      draft(),
      {
        justification: 'component_not_present',
        impactStatement: 'The scanner matched a test fixture.',
      },
      alice,
    );
    assert.deepEqual(
      [r.statement.status, r.statement.justification, r.needsApproval],
      ['not_affected', 'component_not_present', true],
    );
    // From an automated "affected" too.
    assert.equal(
      falsePositive(inStatus('affected'), { justification: 'component_not_present' }, carol)
        .statement.status,
      'not_affected',
    );
  });
  it('refuses a false positive without a justification', () => {
    expectCustodyError(
      // @ts-expect-error the justification is required
      () => falsePositive(draft(), { impactStatement: 'trust me' }, alice),
      VexLifecycleError,
      'VEX_STATEMENT_INVALID',
    );
  });
});

describe('EOL announcement: update, no fixes', () => {
  it('under_investigation → affected, will_not_fix, with the action statement (manual: approval)', () => {
    const r = endOfLife(draft(), 'Migrate to acme-portal 2.x; 1.x gets no more fixes.', alice);
    assert.deepEqual(
      [r.statement.status, r.statement.responses, r.statement.actionStatement, r.needsApproval],
      ['affected', ['will_not_fix'], 'Migrate to acme-portal 2.x; 1.x gets no more fixes.', true],
    );
  });
  it('an affected statement drops "update" for will_not_fix and keeps a workaround', () => {
    const a = workaroundIdentified(inStatus('affected'), 'Disable imports.', carol).statement;
    const r = endOfLife(a, 'Migrate to 2.x.', { by: 'dave', now: T2 });
    assert.deepEqual(r.statement.responses, ['will_not_fix', 'workaround_available']);
    assert.equal(r.statement.version, a.version + 1);
  });
  it('fixed and not_affected statements have nothing to fix: unchanged', () => {
    for (const status of ['fixed', 'not_affected'] as const) {
      const s = inStatus(status);
      const r = endOfLife(s, 'Migrate.', carol);
      assert.deepEqual([r.statement, r.versioned, r.trail.length], [s, false, 0]);
    }
  });
  it('needs an action statement', () => {
    expectCustodyError(
      () => endOfLife(draft(), ' ', alice),
      VexLifecycleError,
      'VEX_STATEMENT_INVALID',
    );
  });
});
