import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  approveStatement,
  assertPublishable,
  changeStatus,
  discloseStatement,
  draftConfidentialStatements,
  draftStatements,
  isConfidential,
  type LifecycleStatement,
  metricLabel,
  publishableDocument,
  redactConfidential,
  VexLifecycleError,
} from '../../src/vex/index.js';
import { expectCustodyError } from '../helpers/expect-error.js';
import { COMPONENT, PRODUCT, T0, T1, T2, TO } from './statements.js';

const release = [{ product: `${PRODUCT}@1.0.0`, component: `${COMPONENT}@1.2.0` }];

function confidential(id = 'CVE-2025-0001', notes = 'Reported privately by a researcher.') {
  const [r] = draftConfidentialStatements(
    { id, aliases: [`${id}-ALIAS`], summary: `${notes} (summary)` },
    release,
    { by: 'alice', now: T0 },
  );
  if (r === undefined) throw new Error('no draft');
  return { ...r.statement, statusNotes: notes };
}

function publicStatement(id: string, notes: string): LifecycleStatement {
  const [r] = draftStatements({ id }, release, T0);
  if (r === undefined) throw new Error('no draft');
  return { ...r.statement, statusNotes: notes };
}

describe('confidential statements (private disclosure)', () => {
  it('are drafted confidential by the person who received the report, published nowhere', () => {
    const s = confidential();
    assert.equal(isConfidential(s), true);
    assert.equal(s.draftedBy, 'alice');
    expectCustodyError(() => assertPublishable(s), VexLifecycleError, 'VEX_CONFIDENTIAL');
    assert.deepEqual(redactConfidential([s]), []);
    assert.equal(metricLabel(s), 'confidential');
    expectCustodyError(
      () => draftConfidentialStatements({ id: 'X-1' }, release, { by: 'system', now: T0 }),
      VexLifecycleError,
      'VEX_APPROVER_INVALID',
    );
  });

  it('stay confidential through their status changes', () => {
    const affected = changeStatus(confidential(), TO.affected, {
      by: 'alice',
      now: T1,
      approver: 'bob',
    });
    assert.equal(affected.statement.confidential, true);
    expectCustodyError(
      () => assertPublishable(affected.statement),
      VexLifecycleError,
      'VEX_CONFIDENTIAL',
    );
  });

  it('go public by an explicit disclosure, in place, recorded in the trail', () => {
    const s = changeStatus(confidential(), TO.affected, { by: 'alice', now: T1 }).statement;
    const d = discloseStatement(s, { by: 'bob', now: T2 });
    assert.equal(d.statement.confidential, false);
    assert.equal(d.statement.disclosedAt, T2);
    assert.equal(d.versioned, false);
    assert.equal(d.statement.version, s.version);
    assert.deepEqual(
      d.trail.map((t) => [t.field, t.kind, t.by, t.at]),
      [['confidential', 'disclosure', 'bob', T2]],
    );
    // Disclosed but still a judgment waiting for approval: not yet public.
    expectCustodyError(
      () => assertPublishable(d.statement),
      VexLifecycleError,
      'VEX_APPROVAL_REQUIRED',
    );
    const approved = approveStatement(d.statement, 'bob', T2).statement;
    assertPublishable(approved);
    assert.equal(metricLabel(approved), 'CVE-2025-0001');
    assert.equal(publishableDocument({ id: 'doc', statements: [approved] }).statements.length, 1);
  });

  it('disclosure is one way: a public statement has nothing to disclose', () => {
    const d = discloseStatement(confidential(), { by: 'bob', now: T2 }).statement;
    expectCustodyError(
      () => discloseStatement(d, { by: 'bob', now: T2 }),
      VexLifecycleError,
      'VEX_TRANSITION_INVALID',
    );
    expectCustodyError(
      () => discloseStatement(confidential(), { by: 'token:3:ci', now: T2 }),
      VexLifecycleError,
      'VEX_APPROVER_INVALID',
    );
  });

  it('a public statement naming a confidential vulnerability is withheld too', () => {
    const secret = confidential('CVE-2025-0001');
    const leaky = publicStatement('CVE-2024-1111', 'See also cve-2025-0001 for the same parser.');
    const clean = publicStatement('CVE-2024-2222', 'Unrelated.');
    assert.deepEqual(
      redactConfidential([secret, leaky, clean]).map((s) => s.vulnerability),
      ['CVE-2024-2222'],
    );
  });

  it('never leak: no confidential id, alias or text in the publishable output (property)', () => {
    const word = fc.stringMatching(/^[a-hj-r ]{0,24}$/); // no "s": never spells "secret"
    const item = fc.record({
      secret: fc.boolean(),
      notes: word,
      mentions: fc.option(fc.nat(), { nil: undefined }),
      approved: fc.boolean(),
    });
    fc.assert(
      fc.property(
        fc.array(item, { maxLength: 12 }),
        fc.stringMatching(/^[0-9a-f]{6}$/),
        (items, salt) => {
          const secrets: string[] = [];
          const statements = items.map((it, i) => {
            if (it.secret) {
              const id = `CVE-SECRET-${i}-${salt}`;
              const text = `SECRETTEXT${i}${salt} ${it.notes}`;
              secrets.push(id, `${id}-ALIAS`, `SECRETTEXT${i}${salt}`);
              return confidential(id, text);
            }
            const target = it.mentions === undefined ? undefined : items.findIndex((x) => x.secret);
            const mention =
              target !== undefined && target >= 0 ? ` related to CVE-SECRET-${target}-${salt}` : '';
            const s = publicStatement(`CVE-2024-${1000 + i}`, `${it.notes}${mention}`);
            return it.approved
              ? s
              : changeStatus(s, TO.affected, { by: 'alice', now: T1 }).statement;
          });
          const doc = publishableDocument({ id: `doc-${salt}`, statements });
          const outputs = [
            JSON.stringify(doc),
            JSON.stringify(redactConfidential(statements)),
            statements.map(metricLabel).join('\n'),
          ].map((o) => o.toLowerCase());
          for (const out of outputs) {
            for (const s of secrets) assert.ok(!out.includes(s.toLowerCase()), `${s} leaked`);
          }
          // Nothing public and approved is withheld unless it names a secret.
          const expected = statements.filter(
            (s, i) =>
              !isConfidential(s) &&
              items[i]?.approved === true &&
              !s.statusNotes?.includes('SECRET'),
          );
          assert.deepEqual(
            doc.statements.map((s) => s.vulnerability),
            expected.map((s) => s.vulnerability),
          );
        },
      ),
    );
  });

  it('the public form drops who drafted and approved, evidence and intelligence', () => {
    const s = approveStatement(
      changeStatus(publicStatement('CVE-2024-1', 'n'), TO.affected, { by: 'alice', now: T1 })
        .statement,
      'bob',
      T2,
    ).statement;
    const [pub] = publishableDocument({
      id: 'd',
      statements: [{ ...s, intel: { kev: true } }],
    }).statements;
    assert.ok(pub);
    for (const k of ['draftedBy', 'approvedBy', 'fixEvidence', 'intel', 'confidential']) {
      assert.equal(k in pub, false, k);
    }
  });
});
