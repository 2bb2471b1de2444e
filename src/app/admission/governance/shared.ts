import { AccessError, type Caller } from '../../../access/index.js';
import { AdmissionGovernanceError } from '../../../admission/governance-errors.js';
import type { Q } from '../../../store/db.js';
import type { Services } from '../../services.js';

/**
 * What the governance use cases share: the local write signal (so this replica's reader sees its
 * own writes at once; other replicas see the generation row change), the system caller of jobs,
 * and the unique-violation test.
 */

const localWrites = new WeakMap<object, { n: number }>();

/** Count a committed governance write on this replica's database handle. */
export function noteGovernanceWrite(s: Pick<Services, 'db'>): void {
  const c = localWrites.get(s.db) ?? { n: 0 };
  c.n++;
  localWrites.set(s.db, c);
}

export function localGovernanceWrites(s: Pick<Services, 'db'>): number {
  return localWrites.get(s.db)?.n ?? 0;
}

/** Jobs (the override reverter, the health prober) act as the service itself. */
export const GOVERNANCE_JOB_CALLER: Caller = {
  principal: { actor: 'system:admission', person: 'system', role: 'admin', teams: undefined },
  source: 'job',
};

export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/**
 * The team that owns a namespace: the newest configuration for every cluster (`*`) first, else
 * the newest cluster-specific one that names a team.
 */
export async function namespaceTeam(q: Q, namespace: string): Promise<string | undefined> {
  const rows = await q
    .selectFrom('admission_namespaces')
    .select(['cluster', 'team', 'version', 'id'])
    .where('namespace', '=', namespace)
    .orderBy('id', 'desc')
    .execute();
  const any = rows.find((r) => r.cluster === '*');
  if (any?.team) return any.team;
  return rows.find((r) => r.team !== null)?.team ?? undefined;
}

export function samePersonError(person: string): AccessError {
  return new AccessError(
    'AUTH_SAME_PERSON',
    `${person} approved this already in another capacity; another person must give the second approval`,
    { details: { person } },
  );
}

export function notFound(
  code: 'ADMISSION_EXCEPTION_NOT_FOUND' | 'ADMISSION_OVERRIDE_NOT_FOUND',
  what: string,
): AdmissionGovernanceError {
  return new AdmissionGovernanceError(code, `There is no ${what} in this token's teams`);
}

export function parseId(id: string | number): number {
  const n = typeof id === 'number' ? id : /^[1-9][0-9]{0,9}$/.test(id) ? Number(id) : Number.NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : 0;
}
