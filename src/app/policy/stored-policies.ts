import { type Caller, inScope, requirePermission } from '../../access/index.js';
import { compilePolicy, POLICY_NAME, PolicyError, parsePolicy } from '../../policy/index.js';
import { findTeam } from '../../store/catalogue.js';
import {
  insertTeamPolicy,
  latestTeamPolicies,
  latestTeamPolicy,
  type TeamPolicyRow,
  teamPolicyVersion,
  teamPolicyVersions,
} from '../../store/policies.js';
import { audit } from '../audit-trail.js';
import { notFound } from '../inventory/team-scope.js';
import { recheckCaller } from '../recheck-caller.js';
import type { Services } from '../services.js';
import { PolicyServiceError } from './errors.js';

export interface StoredPolicyView {
  team: string;
  name: string;
  version: number;
  digest: string;
  createdAt: string;
  createdBy: string;
  /** The policy text as pushed (absent in lists). */
  source?: string;
}

/**
 * Store a team's policy: a new version when the text differs from the newest, nothing when it is
 * the same (`created: false`). The policy must parse and every rule compile within the limits,
 * and its `name` must be the one in the path. Role, team and scope are checked again inside the
 * transaction that writes, which also records the audit entry.
 * @throws AccessError AUTH_FORBIDDEN (admin or publisher); InventoryError INVENTORY_NOT_FOUND;
 *   PolicyError POLICY_INVALID, POLICY_TOO_LARGE, POLICY_COMPILE_FAILED, POLICY_TOO_COSTLY;
 *   PolicyServiceError POLICY_VERSION_CONFLICT
 */
export async function putTeamPolicy(
  s: Services,
  caller: Caller,
  teamName: string,
  name: string,
  source: string,
): Promise<{ created: boolean; policy: StoredPolicyView }> {
  requirePermission(caller.principal, 'inventory:write');
  assertName(name);
  const doc = parsePolicy(source, `policy ${name}`);
  if (doc.name !== name) {
    throw new PolicyError(
      'POLICY_INVALID',
      `The policy is named ${doc.name} but is pushed as ${name}; make the two the same`,
      { details: { what: `policy ${name}`, problems: [`name: ${doc.name} ≠ ${name}`] } },
    );
  }
  compilePolicy(doc);
  const at = s.clock().toISOString();
  try {
    return await s.db.kysely.transaction().execute(async (trx) => {
      await recheckCaller(trx, caller, at);
      const team = inScope(caller.principal, teamName) ? await findTeam(trx, teamName) : undefined;
      if (!team) throw notFound(`team ${teamName}`);
      const latest = await latestTeamPolicy(trx, team.id, name);
      if (latest && latest.digest === doc.digest)
        return { created: false, policy: view(team.name, latest) };
      const row = {
        team_id: team.id,
        name,
        version: (latest?.version ?? 0) + 1,
        source,
        digest: doc.digest,
        created_at: at,
        created_by: caller.principal.actor,
      };
      await insertTeamPolicy(trx, row);
      await audit(
        trx,
        caller,
        {
          action: 'policy.put',
          target: `policy:${team.name}/${name}`,
          team: team.name,
          details: { name, version: row.version, digest: row.digest },
        },
        at,
      );
      return { created: true, policy: view(team.name, { id: 0, ...row }) };
    });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE') {
      throw new PolicyServiceError(
        'POLICY_VERSION_CONFLICT',
        `Policy ${name} of team ${teamName} changed while this version was stored; push again`,
        { cause: e },
      );
    }
    throw e;
  }
}

/**
 * A stored policy: its newest version, or `version`.
 * @throws AccessError AUTH_FORBIDDEN; PolicyServiceError POLICY_NOT_FOUND (also out of scope)
 */
export async function getTeamPolicy(
  s: Services,
  caller: Caller,
  teamName: string,
  name: string,
  version?: number,
): Promise<StoredPolicyView> {
  requirePermission(caller.principal, 'inventory:read');
  const team = inScope(caller.principal, teamName)
    ? await findTeam(s.db.read, teamName)
    : undefined;
  const row = team
    ? version === undefined
      ? await latestTeamPolicy(s.db.read, team.id, name)
      : await teamPolicyVersion(s.db.read, team.id, name, version)
    : undefined;
  if (!team || !row) {
    throw new PolicyServiceError(
      'POLICY_NOT_FOUND',
      `Team ${teamName} has no policy ${name}${version === undefined ? '' : ` version ${version}`}; list them with custody policy list --team ${teamName}`,
      { details: { team: teamName, name, ...(version === undefined ? {} : { version }) } },
    );
  }
  return view(team.name, row);
}

/** A team's policies at their newest versions, or one policy's versions (without sources). */
export async function listTeamPolicies(
  s: Services,
  caller: Caller,
  teamName: string,
  name?: string,
): Promise<StoredPolicyView[]> {
  requirePermission(caller.principal, 'inventory:read');
  const team = inScope(caller.principal, teamName)
    ? await findTeam(s.db.read, teamName)
    : undefined;
  if (!team) throw notFound(`team ${teamName}`);
  const rows =
    name === undefined
      ? await latestTeamPolicies(s.db.read, team.id)
      : await teamPolicyVersions(s.db.read, team.id, name);
  return rows.map((r) => {
    const { source: _source, ...v } = view(team.name, { ...r, source: '' });
    return v;
  });
}

function view(team: string, r: TeamPolicyRow): StoredPolicyView {
  return {
    team,
    name: r.name,
    version: Number(r.version),
    digest: r.digest,
    createdAt: r.created_at,
    createdBy: r.created_by,
    source: r.source,
  };
}

function assertName(name: string): void {
  if (!POLICY_NAME.test(name)) {
    throw new PolicyError(
      'POLICY_INVALID',
      `${JSON.stringify(name.slice(0, 80))} is not a policy name: letters, digits, ".", "_" or "-" (at most 63)`,
      { details: { what: 'name', problems: ['name'] } },
    );
  }
}
