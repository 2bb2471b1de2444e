import type { ExceptionState } from '../../../admission/exceptions.js';
import type { OverrideState } from '../../../admission/overrides.js';
import {
  exceptionApprovals,
  listExceptions,
  listOverrides,
  overrideApprovals,
} from '../../../store/admission-governance.js';
import type { Services } from '../../services.js';
import { exceptionView } from './exceptions.js';
import { overrideView } from './overrides.js';

export interface GovernanceFigures {
  exceptions: Record<ExceptionState, number>;
  overrides: Record<OverrideState, number>;
}

/**
 * Exceptions and overrides by state at `at`, for `/metrics`. Ended ones are counted in SQL; the
 * unexpired (few: active or pending) are judged with their approvals.
 */
export async function governanceFigures(s: Services, at: Date): Promise<GovernanceFigures> {
  const q = s.db.read;
  const iso = at.toISOString();
  const exRevoked = await q
    .selectFrom('admission_exceptions')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('revoked_at', 'is not', null)
    .executeTakeFirst();
  const exExpired = await q
    .selectFrom('admission_exceptions')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('revoked_at', 'is', null)
    .where('expires_at', '<=', iso)
    .executeTakeFirst();
  const live = await listExceptions(q, { unexpiredAt: iso, limit: 100_000 });
  const exApprovals = await exceptionApprovals(
    q,
    live.map((r) => r.id),
  );
  const exceptions: Record<ExceptionState, number> = {
    active: 0,
    pending: 0,
    expired: Number(exExpired?.n ?? 0),
    revoked: Number(exRevoked?.n ?? 0),
  };
  for (const r of live) exceptions[exceptionView(r, exApprovals, at).state]++;
  const ovEnded = await q
    .selectFrom('admission_overrides')
    .select(['revoked_at', 'reverted_at', 'expires_at'])
    .where((eb) =>
      eb.or([
        eb('revoked_at', 'is not', null),
        eb('reverted_at', 'is not', null),
        eb('expires_at', '<=', iso),
      ]),
    )
    .execute();
  const overrides: Record<OverrideState, number> = {
    active: 0,
    pending: 0,
    expired: 0,
    reverted: 0,
    revoked: 0,
  };
  for (const r of ovEnded) {
    if (r.revoked_at !== null) overrides.revoked++;
    else if (r.reverted_at !== null) overrides.reverted++;
    else overrides.expired++;
  }
  const liveOv = await listOverrides(q, { unexpiredAt: iso, limit: 100_000 });
  const ovApprovals = await overrideApprovals(
    q,
    liveOv.map((r) => r.id),
  );
  for (const r of liveOv) overrides[overrideView(r, ovApprovals, at).state]++;
  return { exceptions, overrides };
}
