import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertStatementValid,
  changeStatus,
  isAllowedTransition,
  VEX_JUSTIFICATIONS,
  VEX_STATUSES,
  VEX_TRANSITIONS,
  VexLifecycleError,
  type VexProduct,
} from '../../src/vex/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';
import { draft, inStatus, T2, TO } from './statements.js';

/** The decided table: every (from, to) pair, allowed or not (transitions.ts says why). */
const DECIDED: Record<string, boolean> = {
  'under_investigation→affected': true,
  'under_investigation→not_affected': true,
  'under_investigation→fixed': true,
  'affected→fixed': true,
  'affected→not_affected': true,
  'affected→under_investigation': false,
  'not_affected→affected': true,
  'not_affected→under_investigation': true,
  'not_affected→fixed': false,
  'fixed→affected': true,
  'fixed→under_investigation': false,
  'fixed→not_affected': false,
};

describe('VEX_TRANSITIONS', () => {
  it('lists exactly the decided transitions, each with a reason', () => {
    const listed = VEX_TRANSITIONS.map((t) => `${t.from}→${t.to}`).sort();
    const decided = Object.entries(DECIDED)
      .filter(([, ok]) => ok)
      .map(([k]) => k)
      .sort();
    assert.deepEqual(listed, decided);
    for (const t of VEX_TRANSITIONS) assert.ok(t.why.length > 20, `${t.from}→${t.to} says why`);
  });

  for (const from of VEX_STATUSES) {
    for (const to of VEX_STATUSES) {
      const allowed = DECIDED[`${from}→${to}`] === true;
      it(`${from} → ${to}: ${allowed ? 'allowed, a new version' : 'VEX_TRANSITION_INVALID'}`, () => {
        const s = inStatus(from);
        assert.equal(isAllowedTransition(from, to), allowed);
        if (!allowed) {
          const e = expectCustodyError(
            () => changeStatus(s, TO[to], { by: 'carol', now: T2 }),
            VexLifecycleError,
            'VEX_TRANSITION_INVALID',
          );
          assert.deepEqual(e.details?.['from'], from);
          return;
        }
        const r = changeStatus(s, TO[to], { by: 'carol', now: T2 });
        assert.equal(r.statement.status, to);
        assert.equal(r.statement.version, s.version + 1);
        assert.equal(r.versioned, true);
        assert.ok(r.trail.some((t) => t.field === 'status' && t.kind === 'substantive'));
      });
    }
  }

  it('drops the old status fields: a justification does not follow not_affected → affected', () => {
    const na = { ...inStatus('not_affected'), statusDetail: 'false_positive' };
    const r = changeStatus(na, TO.affected, { by: 'carol', now: T2 });
    assert.equal(r.statement.justification, undefined);
    assert.equal(r.statement.statusDetail, undefined);
    assert.equal(r.statement.actionStatement, 'Upgrade to 1.0.1.');
  });
});

describe('what each status requires', () => {
  it('affected needs an action statement', () => {
    const e = expectCustodyError(
      () =>
        changeStatus(draft(), { status: 'affected', actionStatement: '  ' }, { by: 'a', now: T2 }),
      VexLifecycleError,
      'VEX_STATEMENT_INVALID',
    );
    assert.match(String((e.details?.['problems'] as string[] | undefined)?.[0]), /actionStatement/);
  });

  it('not_affected needs a justification from the list or an impact statement', () => {
    expectCustodyError(
      () => changeStatus(draft(), { status: 'not_affected' }, { by: 'a', now: T2 }),
      VexLifecycleError,
      'VEX_STATEMENT_INVALID',
    );
    const byImpact = changeStatus(
      draft(),
      { status: 'not_affected', impactStatement: 'The parser is never given user input.' },
      { by: 'a', now: T2 },
    );
    assert.equal(byImpact.statement.status, 'not_affected');
    for (const justification of VEX_JUSTIFICATIONS) {
      const r = changeStatus(
        draft(),
        { status: 'not_affected', justification },
        { by: 'a', now: T2 },
      );
      assert.equal(r.statement.justification, justification);
    }
  });

  it('refuses a justification outside the standard list', () => {
    expectCustodyError(
      () =>
        changeStatus(
          draft(),
          // @ts-expect-error not one of the standard's justifications
          { status: 'not_affected', justification: 'we_think_so' },
          { by: 'a', now: T2 },
        ),
      VexLifecycleError,
      'VEX_STATEMENT_INVALID',
    );
  });

  it('refuses a justification on a status other than not_affected, and unknown responses', () => {
    const s = inStatus('affected');
    expectCustodyError(
      () => assertStatementValid({ ...s, justification: 'component_not_present' }),
      VexLifecycleError,
      'VEX_STATEMENT_INVALID',
    );
    expectCustodyError(
      // @ts-expect-error not a response of the standard
      () => assertStatementValid({ ...s, responses: ['pray'] }),
      VexLifecycleError,
      'VEX_STATEMENT_INVALID',
    );
  });

  it('takes a product named by identifiers only (formats/ reads such), refuses one unnamed', () => {
    const s = draft();
    const named = { identifiers: { name: 'Acme Portal' }, versions: { list: ['1.0'] } };
    assertStatementValid({ ...s, products: [named as unknown as VexProduct] });
    expectCustodyError(
      () =>
        assertStatementValid({
          ...s,
          products: [{ versions: { list: ['1.0'] } } as unknown as VexProduct],
        }),
      VexLifecycleError,
      'VEX_STATEMENT_INVALID',
    );
  });

  it('refuses a product that is no purl and a range that is no vers', () => {
    const s = draft();
    expectCustodyError(
      () => assertStatementValid({ ...s, products: [{ purl: 'acme-portal' }] }),
      VexLifecycleError,
      'VEX_STATEMENT_INVALID',
    );
    expectCustodyError(
      () =>
        assertStatementValid({
          ...s,
          products: [{ purl: 'pkg:npm/acme-portal', versions: { range: 'vers:npm/>=x.y' } }],
        }),
      VexLifecycleError,
      'VEX_STATEMENT_INVALID',
    );
  });
});
