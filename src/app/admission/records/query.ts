import { type Caller, requireOrganisationWide, requirePermission } from '../../../access/index.js';
import { AdmissionRecordsError } from './errors.js';

/**
 * Admission records name clusters and namespaces, which carry no team in Custody's tables: a
 * team-scoped token would see every team's workloads, so reads need an organisation-wide token
 * (any role: every role reads the inventory).
 * @throws AccessError AUTH_FORBIDDEN
 */
export function requireRecordReader(caller: Caller): void {
  requirePermission(caller.principal, 'inventory:read');
  requireOrganisationWide(
    caller.principal,
    'Admission records cover every namespace, which belong to no team in Custody: use an organisation-wide token',
  );
}

export function invalid(message: string, field: string): AdmissionRecordsError {
  return new AdmissionRecordsError('ADMISSION_RECORDS_QUERY_INVALID', message, {
    details: { field },
  });
}

/** A whole number within bounds, or the default when absent. */
export function intParam(
  v: string | undefined,
  field: string,
  o: { min: number; max: number; default?: number },
): number | undefined {
  if (v === undefined || v === '') return o.default;
  if (!/^\d{1,12}$/.test(v)) throw invalid(`${field} must be a whole number`, field);
  const n = Number(v);
  if (n < o.min || n > o.max) throw invalid(`${field} must be ${o.min}–${o.max}`, field);
  return n;
}

/** A name filter (namespace, cluster): Kubernetes names are at most 253 characters. */
export function nameParam(v: string | undefined, field: string): string | undefined {
  if (v === undefined || v === '') return undefined;
  if (v.length > 253 || !/^[A-Za-z0-9_.:*-]+$/.test(v))
    throw invalid(`${field} must be a Kubernetes name (letters, digits, '-', '.')`, field);
  return v;
}

/** An ISO 8601 time (or date), normalised to UTC. */
export function timeParam(v: string | undefined, field: string): string | undefined {
  if (v === undefined || v === '') return undefined;
  const t = /^\d{4}-\d{2}-\d{2}(T[0-9:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(v)
    ? Date.parse(v)
    : Number.NaN;
  if (Number.isNaN(t)) throw invalid(`${field} must be an ISO 8601 date or time`, field);
  return new Date(t).toISOString();
}

export function boolParam(v: string | undefined, field: string): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalid(`${field} must be true or false`, field);
}
