import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  approvalSide,
  exceptionCovers,
  exceptionState,
  MAX_EXCEPTION_DAYS,
  validateExceptionRequest,
} from '../../src/admission/exceptions.js';

const NOW = new Date('2026-12-01T12:00:00Z');
const inDays = (d: number) => new Date(NOW.getTime() + d * 86_400_000).toISOString();

describe('exceptions', () => {
  const ok = {
    namespace: 'web',
    imagePattern: 'ghcr.io/acme/*',
    ticket: 'INC-42',
    expiresAt: inDays(7),
  };

  it('takes a request with a ticket, a pattern, reasons and an expiry within the maximum', () => {
    const r = validateExceptionRequest(
      { ...ok, reasons: ['unsigned', 'unsigned', 'sbom-missing'] },
      NOW,
    );
    assert.deepEqual(r.reasons, ['unsigned', 'sbom-missing']);
    assert.equal(r.expiresAt, inDays(7));
  });

  const bad: [string, Partial<typeof ok> & { reasons?: string[] }, string][] = [
    ['no ticket', { ticket: ' ' }, 'ADMISSION_EXCEPTION_INVALID'],
    ['a ticket over the bound', { ticket: 'x'.repeat(201) }, 'ADMISSION_EXCEPTION_INVALID'],
    ['an unknown reason', { reasons: ['bored'] }, 'ADMISSION_EXCEPTION_INVALID'],
    ['waiving request-invalid', { reasons: ['request-invalid'] }, 'ADMISSION_EXCEPTION_INVALID'],
    ['an expiry in the past', { expiresAt: inDays(-1) }, 'ADMISSION_EXCEPTION_INVALID'],
    [
      'an expiry beyond the maximum',
      { expiresAt: inDays(MAX_EXCEPTION_DAYS + 0.01) },
      'ADMISSION_EXCEPTION_INVALID',
    ],
    ['an expiry that is no date', { expiresAt: 'tomorrow' }, 'ADMISSION_EXCEPTION_INVALID'],
    ['a bad pattern', { imagePattern: 'a b' }, 'ADMISSION_PATTERN_INVALID'],
    ['a bad namespace', { namespace: 'Web' }, 'ADMISSION_NAMESPACE_INVALID'],
  ];
  for (const [what, change, code] of bad)
    it(`refuses ${what}`, () => {
      assert.throws(() => validateExceptionRequest({ ...ok, ...change }, NOW), { code });
    });

  it('security is organisation-wide; the service owner is scoped to the namespace team', () => {
    assert.equal(approvalSide(undefined, 'shop'), 'security');
    assert.equal(approvalSide(['shop'], 'shop'), 'service-owner');
    assert.throws(() => approvalSide(['shop'], 'shop', 'security'), {
      code: 'ADMISSION_APPROVER_FORBIDDEN',
    });
    assert.throws(() => approvalSide(['other'], 'shop'), { code: 'ADMISSION_APPROVER_FORBIDDEN' });
    assert.throws(() => approvalSide(undefined, 'shop', 'service-owner'), {
      code: 'ADMISSION_APPROVER_FORBIDDEN',
    });
    assert.throws(() => approvalSide(['shop'], undefined), {
      code: 'ADMISSION_APPROVER_FORBIDDEN',
    });
  });

  it('is active only with both approvals and before its expiry, and never once revoked', () => {
    const both = [{ side: 'service-owner' }, { side: 'security' }];
    const e = { expiresAt: inDays(1), revokedAt: null, approvals: both };
    assert.equal(exceptionState(e, NOW), 'active');
    assert.equal(exceptionState({ ...e, approvals: [{ side: 'security' }] }, NOW), 'pending');
    assert.equal(exceptionState(e, new Date(inDays(1))), 'expired');
    assert.equal(exceptionState({ ...e, revokedAt: NOW.toISOString() }, NOW), 'revoked');
  });

  it('covers the reasons it names for images its pattern matches; never request-invalid', () => {
    const e = { imagePattern: 'ghcr.io/acme/*', reasons: ['unsigned' as const] };
    assert.equal(exceptionCovers(e, 'ghcr.io/acme/web:1', 'unsigned'), true);
    assert.equal(exceptionCovers(e, 'ghcr.io/acme/web:1', 'vulnerability'), false);
    assert.equal(exceptionCovers(e, 'ghcr.io/other/web:1', 'unsigned'), false);
    assert.equal(
      exceptionCovers({ ...e, reasons: [] }, 'ghcr.io/acme/web:1', 'vulnerability'),
      true,
    );
    assert.equal(
      exceptionCovers({ ...e, reasons: [] }, 'ghcr.io/acme/web:1', 'request-invalid'),
      false,
    );
  });
});
