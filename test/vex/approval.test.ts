import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  approveStatement,
  assertPublishable,
  changeStatus,
  draftStatements,
  needsApproval,
  patchReleased,
  SYSTEM_ACTOR,
  samePersonName,
  VexLifecycleError,
} from '../../src/vex/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';
import { COMPONENT, draft, inStatus, PRODUCT, T0, T1, T2, TO } from './statements.js';

describe('drafts are automatic', () => {
  it('the system drafts under_investigation for a new CVE and it publishes without approval', () => {
    const [r] = draftStatements(
      { id: 'CVE-2024-1234' },
      [{ product: `${PRODUCT}@1.0.0`, component: `${COMPONENT}@1.2.0` }],
      T0,
    );
    assert.ok(r);
    assert.equal(r.statement.draftedBy, SYSTEM_ACTOR);
    assert.equal(r.statement.status, 'under_investigation');
    assert.equal(r.needsApproval, false);
    assertPublishable(r.statement);
  });
});

describe('a judgment needs an approver who is not the drafter', () => {
  for (const status of ['affected', 'not_affected'] as const) {
    it(`${status} without an approver: VEX_APPROVAL_REQUIRED until another person approves`, () => {
      const r = changeStatus(draft(), TO[status], { by: 'alice', now: T1 });
      assert.equal(r.needsApproval, true);
      assert.equal(needsApproval(r.statement), true);
      expectCustodyError(
        () => assertPublishable(r.statement),
        VexLifecycleError,
        'VEX_APPROVAL_REQUIRED',
      );
      const approved = approveStatement(r.statement, 'bob', T2);
      assert.equal(approved.statement.approvedBy, 'bob');
      assert.equal(approved.versioned, false);
      assert.equal(approved.statement.version, r.statement.version);
      assert.deepEqual(
        approved.trail.map((t) => [t.field, t.kind, t.by]),
        [['approvedBy', 'approval', 'bob']],
      );
      assertPublishable(approved.statement);
    });
  }

  it('the drafter cannot approve, whatever the case and spacing of the name', () => {
    const r = changeStatus(draft(), TO.affected, { by: 'Alice', now: T1 });
    for (const same of ['Alice', 'alice', '  ALICE ']) {
      expectCustodyError(
        () => approveStatement(r.statement, same, T2),
        VexLifecycleError,
        'VEX_SAME_PERSON',
      );
    }
    expectCustodyError(
      () => changeStatus(draft(), TO.affected, { by: 'alice', now: T1, approver: 'ALICE' }),
      VexLifecycleError,
      'VEX_SAME_PERSON',
    );
    assert.equal(samePersonName(' Alice', 'alice '), true);
  });

  it('the approver is a person: not empty, not the system, not a token', () => {
    const r = changeStatus(draft(), TO.not_affected, { by: 'alice', now: T1 });
    for (const who of ['', '   ', 'system', 'token:12:ci']) {
      expectCustodyError(
        () => approveStatement(r.statement, who, T2),
        VexLifecycleError,
        'VEX_APPROVER_INVALID',
      );
    }
  });

  it('a judgment the system drafted is approved by any person', () => {
    const r = changeStatus(draft(), TO.not_affected, { by: SYSTEM_ACTOR, now: T1 });
    assert.equal(approveStatement(r.statement, 'bob', T2).statement.approvedBy, 'bob');
  });

  it('a new version of an approved judgment needs approval again', () => {
    const approved = inStatus('affected');
    assert.equal(needsApproval(approved), false);
    const revised = changeStatus(approved, TO.not_affected, { by: 'carol', now: T2 });
    assert.equal(revised.statement.approvedBy, undefined);
    assert.equal(revised.needsApproval, true);
  });
});

describe('fixed from evidence publishes without approval (matrix: Patch developed, Full)', () => {
  const affected = () => inStatus('affected');
  const release = [{ purl: PRODUCT, versions: { list: ['1.0.1'] } }];
  const evidence = (component: string, fixedVersion = '1.2.1') => [
    { product: `${PRODUCT}@1.0.1`, component, fixedVersion },
  ];

  it('the release SBOM holds the component at the fixed version: no approval', () => {
    const r = patchReleased(
      affected(),
      { products: release, evidence: evidence(`${COMPONENT}@1.2.1`) },
      { by: SYSTEM_ACTOR, now: T2 },
    );
    assert.equal(r.statement.status, 'fixed');
    assert.equal(r.needsApproval, false);
    assertPublishable(r.statement);
  });

  it('above the fixed version too, in the ecosystem order (1.10.0 > 1.9.0)', () => {
    const r = patchReleased(
      affected(),
      { products: release, evidence: evidence(`${COMPONENT}@1.10.0`, '1.9.0') },
      { by: SYSTEM_ACTOR, now: T2 },
    );
    assert.equal(r.needsApproval, false);
  });

  it('a comparison function may be given', () => {
    const calls: string[] = [];
    patchReleased(
      affected(),
      {
        products: release,
        evidence: evidence(`${COMPONENT}@1.2.1`),
        compare: (scheme, a, b) => {
          calls.push(`${scheme}:${a}:${b}`);
          return 1;
        },
      },
      { by: SYSTEM_ACTOR, now: T2 },
    );
    assert.deepEqual(calls, ['npm:1.2.1:1.2.1']);
  });

  it('without evidence a fixed status is a judgment: approval needed', () => {
    const r = patchReleased(affected(), { products: release }, { by: 'alice', now: T2 });
    assert.equal(r.needsApproval, true);
    expectCustodyError(
      () => assertPublishable(r.statement),
      VexLifecycleError,
      'VEX_APPROVAL_REQUIRED',
    );
  });

  const refusals: [string, ReturnType<typeof evidence>][] = [
    ['the component below the fixed version', evidence(`${COMPONENT}@1.2.0`)],
    ['another component', evidence('pkg:npm/right-pad@9.0.0')],
    ['an unreadable component version', evidence(`${COMPONENT}@not.a.version`)],
    ['an unreadable fixed version', evidence(`${COMPONENT}@1.2.1`, 'latest')],
    ['a component without version', evidence(COMPONENT)],
    [
      'a release that is not the fixed product',
      [{ product: `${PRODUCT}@1.0.0`, component: `${COMPONENT}@1.2.1`, fixedVersion: '1.2.1' }],
    ],
  ];
  for (const [what, ev] of refusals) {
    it(`refuses evidence with ${what}: VEX_EVIDENCE_MISMATCH`, () => {
      expectCustodyError(
        () => patchReleased(affected(), { products: release, evidence: ev }, { by: 'x', now: T2 }),
        VexLifecycleError,
        'VEX_EVIDENCE_MISMATCH',
      );
    });
  }

  it('refuses evidence that leaves a listed fixed version unproven', () => {
    expectCustodyError(
      () =>
        patchReleased(
          affected(),
          {
            products: [{ purl: PRODUCT, versions: { list: ['1.0.1', '1.0.2'] } }],
            evidence: evidence(`${COMPONENT}@1.2.1`),
          },
          { by: SYSTEM_ACTOR, now: T2 },
        ),
      VexLifecycleError,
      'VEX_EVIDENCE_MISMATCH',
    );
  });
});
