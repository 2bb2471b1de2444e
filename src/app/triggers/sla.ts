import { type Caller, inScope, requirePermission } from '../../access/index.js';
import { findTeam } from '../../store/catalogue.js';
import { findTeamSla, putTeamSla } from '../../store/trigger-events.js';
import { audit } from '../audit-trail.js';
import { notFound } from '../inventory/team-scope.js';
import { recheckCaller } from '../recheck-caller.js';
import { TriggerIntakeError } from './errors.js';
import type { TeamSla } from './ports.js';
import type { TriggerRuntime } from './runtime.js';

export interface TeamSlaView {
  team: string;
  /** What the team set (as written); `{}`: the engine's defaults throughout. */
  overrides: TeamSla;
  /** Every deadline in force for the team, in seconds. */
  effective: Record<string, { withinSeconds: number; alertAfterSeconds?: number }>;
}

/** The overrides stored for a team, `{}` when none (read by the intake for each event). */
export async function storedTeamSla(rt: TriggerRuntime, teamName: string): Promise<TeamSla> {
  const team = await findTeam(rt.s.db.kysely, teamName);
  if (!team) return {};
  const body = await findTeamSla(rt.s.db.kysely, team.id);
  return body === undefined ? {} : (JSON.parse(body) as TeamSla);
}

/**
 * A team's deadlines: what it set and what is in force.
 * @throws AccessError AUTH_FORBIDDEN; InventoryError INVENTORY_NOT_FOUND (a team out of scope too)
 */
export async function getTeamSla(
  rt: TriggerRuntime,
  caller: Caller,
  teamName: string,
): Promise<TeamSlaView> {
  requirePermission(caller.principal, 'inventory:read');
  const team = inScope(caller.principal, teamName)
    ? await findTeam(rt.s.db.kysely, teamName)
    : undefined;
  if (!team) throw notFound(`team ${teamName}`);
  return viewOf(rt, team.name, await storedTeamSla(rt, team.name));
}

/**
 * Replace a team's deadline overrides (`{}`: back to the defaults). The engine checks every name
 * and duration before anything is stored; the team, the caller's role and scope are checked again
 * in the transaction that writes, which also records the audit entry. Events already received
 * keep the deadlines they were given.
 * @throws AccessError AUTH_FORBIDDEN (needs admin); InventoryError INVENTORY_NOT_FOUND;
 *   TriggerIntakeError SLA_INVALID (not an object of objects); the engine's TRIGGER_SLA_INVALID
 */
export async function setTeamSla(
  rt: TriggerRuntime,
  caller: Caller,
  teamName: string,
  body: unknown,
): Promise<TeamSlaView> {
  requirePermission(caller.principal, 'admin');
  const overrides = parseOverrides(body);
  const view = viewOf(rt, teamName, overrides); // throws on what the engine refuses
  const at = rt.s.clock().toISOString();
  await rt.s.db.kysely.transaction().execute(async (trx) => {
    await recheckCaller(trx, caller, at);
    const team = inScope(caller.principal, teamName) ? await findTeam(trx, teamName) : undefined;
    if (!team) throw notFound(`team ${teamName}`);
    const empty = Object.keys(overrides).length === 0;
    await putTeamSla(
      trx,
      team.id,
      empty ? null : JSON.stringify(overrides),
      at,
      caller.principal.actor,
    );
    await audit(
      trx,
      caller,
      { action: 'team.sla', target: `team:${team.name}`, team: team.name, details: { overrides } },
      at,
    );
  });
  return view;
}

function viewOf(rt: TriggerRuntime, team: string, overrides: TeamSla): TeamSlaView {
  const table = rt.engine.slaTable?.(overrides) ?? {};
  const effective: TeamSlaView['effective'] = {};
  for (const [k, v] of Object.entries(table)) {
    effective[k] = {
      withinSeconds: v.withinMs / 1000,
      ...(v.alertAfterMs !== undefined ? { alertAfterSeconds: v.alertAfterMs / 1000 } : {}),
    };
  }
  return { team, overrides, effective };
}

const DURATION = (v: unknown) =>
  (typeof v === 'string' && v.length <= 40) || (typeof v === 'number' && Number.isFinite(v));

function parseOverrides(body: unknown): TeamSla {
  const problems: string[] = [];
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    problems.push('the body must be a JSON object: deadline name → { within, alertAfter? }');
  } else if (Object.keys(body).length > 50) {
    problems.push('at most 50 deadlines');
  } else {
    for (const [k, v] of Object.entries(body)) {
      const o = v as Record<string, unknown> | null;
      if (typeof o !== 'object' || o === null || Array.isArray(o)) {
        problems.push(`${k}: must be { within, alertAfter? }`);
        continue;
      }
      for (const f of Object.keys(o))
        if (f !== 'within' && f !== 'alertAfter') problems.push(`${k}.${f}: not a field`);
      if (!DURATION(o['within'])) problems.push(`${k}.within: a duration such as 15m, 4h or 30d`);
      if (o['alertAfter'] !== undefined && !DURATION(o['alertAfter']))
        problems.push(`${k}.alertAfter: a duration such as 12h`);
    }
  }
  if (problems.length > 0) {
    throw new TriggerIntakeError(
      'SLA_INVALID',
      `The SLA table is invalid: ${problems.join('; ')}`,
      { details: { problems } },
    );
  }
  return body as TeamSla;
}
