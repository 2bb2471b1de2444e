import { AccessError, type Caller, inScope, requirePermission } from '../../../access/index.js';
import { AdmissionGovernanceError } from '../../../admission/governance-errors.js';
import {
  ANY_CLUSTER,
  checkClusterName,
  checkNamespaceName,
  defaultNamespaceConfig,
  type NamespaceConfigInput,
  validateNamespaceConfig,
} from '../../../admission/namespaces.js';
import type { AdmissionMode, NamespaceConfig } from '../../../admission/types.js';
import {
  type AdmissionNamespaceRow,
  bumpGovernanceGeneration,
  effectiveNamespaceRows,
  insertNamespaceConfig,
  latestNamespaceConfig,
  listNamespaceConfigs,
} from '../../../store/admission-governance.js';
import { audit } from '../../audit-trail.js';
import { recheckCaller } from '../../recheck-caller.js';
import type { Services } from '../../services.js';
import { isUniqueViolation, noteGovernanceWrite } from './shared.js';

export interface NamespaceConfigView extends NamespaceConfig {
  /** `stored`: an admin's configuration; `default`: none stored, the secure default applies. */
  source: 'stored' | 'default';
  updatedBy?: string;
  updatedAt?: string;
}

/** A stored row as the configuration it holds. */
export function configOfRow(r: AdmissionNamespaceRow): NamespaceConfig {
  const c = JSON.parse(r.config) as Omit<NamespaceConfig, 'cluster' | 'namespace' | 'version'>;
  return { ...c, cluster: r.cluster, namespace: r.namespace, version: r.version };
}

function view(r: AdmissionNamespaceRow): NamespaceConfigView {
  return { ...configOfRow(r), source: 'stored', updatedBy: r.updated_by, updatedAt: r.updated_at };
}

/**
 * Set a namespace's configuration (for one cluster, or `*` for all): a new version unless it is the
 * same as the newest (`created: false`). An admin sets it; a team-scoped admin only for a namespace
 * its team owns, before and after the change (it can neither take another team's namespace nor
 * give one away). Checked again inside the transaction that writes and audits.
 * @throws AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID; AdmissionGovernanceError
 *   ADMISSION_NAMESPACE_INVALID, ADMISSION_NAMESPACE_CONFLICT
 */
export async function setNamespaceConfig(
  s: Services,
  caller: Caller,
  cluster: string,
  namespace: string,
  input: NamespaceConfigInput,
): Promise<{ created: boolean; config: NamespaceConfigView }> {
  requirePermission(caller.principal, 'admin');
  const next = validateNamespaceConfig(cluster, namespace, input);
  const teams = caller.principal.teams;
  if (teams !== undefined && (next.team === undefined || !teams.includes(next.team)))
    throw forbidden(`a team-scoped admin sets namespaces of its own teams (${teams.join(', ')})`);
  const at = s.clock().toISOString();
  try {
    const out = await s.db.kysely.transaction().execute(async (trx) => {
      await recheckCaller(trx, caller, at);
      const latest = await latestNamespaceConfig(trx, cluster, namespace);
      if (latest && latest.team !== null && !inScope(caller.principal, latest.team))
        throw forbidden(`namespace ${namespace} belongs to team ${latest.team}`);
      if (latest && latest.team === null && teams !== undefined)
        throw forbidden(`namespace ${namespace} has no team; an organisation-wide admin sets it`);
      const { cluster: _c, namespace: _n, version: _v, ...body } = next;
      const json = JSON.stringify(body);
      if (latest && latest.config === json) return { created: false, config: view(latest) };
      const row = {
        cluster,
        namespace,
        version: (latest?.version ?? 0) + 1,
        config: json,
        team: next.team ?? null,
        updated_by: caller.principal.actor,
        updated_at: at,
      };
      await insertNamespaceConfig(trx, row);
      await bumpGovernanceGeneration(trx);
      await audit(
        trx,
        caller,
        {
          action: 'admission.namespace.set',
          target: `admission-namespace:${cluster}/${namespace}`,
          ...(next.team !== undefined ? { team: next.team } : {}),
          details: { cluster, namespace, version: row.version, config: body },
        },
        at,
      );
      return { created: true, config: view({ id: 0, ...row }) };
    });
    if (out.created) noteGovernanceWrite(s);
    return out;
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AdmissionGovernanceError(
        'ADMISSION_NAMESPACE_CONFLICT',
        `Namespace ${namespace} (cluster ${cluster}) changed while this version was stored; set it again`,
        { cause: e },
      );
    throw e;
  }
}

/**
 * The configuration that applies to a namespace in a cluster: the cluster's own, else `*`'s, else
 * the secure default. A team-scoped reader sees another team's stored configuration as not found.
 * @throws AccessError AUTH_FORBIDDEN; AdmissionGovernanceError ADMISSION_NAMESPACE_NOT_FOUND
 */
export async function getNamespaceConfig(
  s: Services,
  caller: Caller,
  cluster: string,
  namespace: string,
  defaultMode: AdmissionMode,
): Promise<NamespaceConfigView> {
  requirePermission(caller.principal, 'inventory:read');
  checkClusterName(cluster);
  checkNamespaceName(namespace);
  const rows = await effectiveNamespaceRows(s.db.read, cluster, namespace);
  const row = rows[0];
  if (row === undefined)
    return { ...defaultNamespaceConfig(cluster, namespace, defaultMode), source: 'default' };
  if (
    row.team === null ? caller.principal.teams !== undefined : !inScope(caller.principal, row.team)
  )
    throw new AdmissionGovernanceError(
      'ADMISSION_NAMESPACE_NOT_FOUND',
      `Namespace ${namespace} has no configuration in this token's teams`,
    );
  return view(row);
}

/** The newest configuration of every configured namespace the caller's teams own. */
export async function listNamespaceConfigViews(
  s: Services,
  caller: Caller,
  o: { cluster?: string; limit?: number },
): Promise<NamespaceConfigView[]> {
  requirePermission(caller.principal, 'inventory:read');
  if (o.cluster !== undefined) checkClusterName(o.cluster);
  const rows = await listNamespaceConfigs(s.db.read, {
    ...(caller.principal.teams !== undefined ? { teams: caller.principal.teams } : {}),
    ...(o.cluster !== undefined ? { cluster: o.cluster } : {}),
    limit: o.limit ?? 500,
  });
  return rows.map(view);
}

export { ANY_CLUSTER };

function forbidden(why: string): AccessError {
  return new AccessError('AUTH_FORBIDDEN', `This admin token may not configure it: ${why}`);
}
