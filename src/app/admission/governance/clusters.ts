import { createHash, randomBytes } from 'node:crypto';
import { type Caller, requireOrganisationWide, requirePermission } from '../../../access/index.js';
import { AdmissionGovernanceError } from '../../../admission/governance-errors.js';
import { checkClusterName } from '../../../admission/namespaces.js';
import {
  bumpGovernanceGeneration,
  insertCluster,
  insertClusterCredential,
  listClusters,
} from '../../../store/admission-governance.js';
import { audit } from '../../audit-trail.js';
import { recheckCaller } from '../../recheck-caller.js';
import type { Services } from '../../services.js';
import { isUniqueViolation, noteGovernanceWrite } from './shared.js';

/**
 * Clusters that call the admission webhook. A cluster proves who it is with a client certificate
 * (its SHA-256 fingerprint is registered) or the bearer token its webhook kubeconfig carries (only
 * the token's SHA-256 is stored; the token is shown once, when the cluster is registered).
 */

const TOKEN_PREFIX = 'cadm_';
const MAX_FINGERPRINTS = 10;

export interface ClusterView {
  name: string;
  certFingerprints: string[];
  hasToken: boolean;
  createdBy: string;
  createdAt: string;
}

/** SHA-256 hex of a bearer token, as stored. */
export function clusterTokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * A certificate fingerprint as stored: lower-case hex, from `AB:CD:…`, `abcd…` or `sha256:abcd…`.
 * Undefined when it is not 32 bytes of hex.
 */
export function normaliseFingerprint(s: string): string | undefined {
  const hex = s
    .trim()
    .replace(/^sha256:/i, '')
    .replace(/:/g, '')
    .toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

/**
 * Register a cluster (organisation-wide admin): its name, the fingerprints of its client
 * certificates, and a new bearer token, returned here once.
 * @throws AccessError AUTH_FORBIDDEN, AUTH_TOKEN_INVALID; AdmissionGovernanceError
 *   ADMISSION_CLUSTER_INVALID, ADMISSION_CLUSTER_CONFLICT
 */
export async function registerCluster(
  s: Services,
  caller: Caller,
  r: { name: string; certFingerprints?: string[] },
): Promise<ClusterView & { token: string }> {
  requirePermission(caller.principal, 'admin');
  requireOrganisationWide(
    caller.principal,
    'Clusters serve every team; an organisation-wide admin registers them',
  );
  try {
    checkClusterName(r.name, false);
  } catch (e) {
    throw new AdmissionGovernanceError('ADMISSION_CLUSTER_INVALID', (e as Error).message);
  }
  const given = r.certFingerprints ?? [];
  if (given.length > MAX_FINGERPRINTS)
    throw new AdmissionGovernanceError(
      'ADMISSION_CLUSTER_INVALID',
      `At most ${MAX_FINGERPRINTS} certificate fingerprints`,
    );
  const fingerprints = given.map((f) => {
    const n = normaliseFingerprint(f);
    if (n === undefined)
      throw new AdmissionGovernanceError(
        'ADMISSION_CLUSTER_INVALID',
        `${JSON.stringify(f.slice(0, 100))} is not a SHA-256 certificate fingerprint (64 hex digits, colons allowed)`,
      );
    return n;
  });
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const at = s.clock().toISOString();
  try {
    await s.db.kysely.transaction().execute(async (trx) => {
      await recheckCaller(trx, caller, at);
      const id = await insertCluster(trx, {
        name: r.name,
        created_by: caller.principal.actor,
        created_at: at,
      });
      for (const f of new Set(fingerprints))
        await insertClusterCredential(trx, {
          cluster_id: id,
          kind: 'cert-sha256',
          value: f,
          created_at: at,
        });
      await insertClusterCredential(trx, {
        cluster_id: id,
        kind: 'token-sha256',
        value: clusterTokenHash(token),
        created_at: at,
      });
      await bumpGovernanceGeneration(trx);
      await audit(
        trx,
        caller,
        {
          action: 'admission.cluster.register',
          target: `admission-cluster:${r.name}`,
          details: { name: r.name, certFingerprints: [...new Set(fingerprints)] },
        },
        at,
      );
    });
  } catch (e) {
    if (isUniqueViolation(e))
      throw new AdmissionGovernanceError(
        'ADMISSION_CLUSTER_CONFLICT',
        `A cluster named ${r.name}, or one of these certificates, is registered already`,
        { cause: e },
      );
    throw e;
  }
  noteGovernanceWrite(s);
  return {
    name: r.name,
    certFingerprints: [...new Set(fingerprints)],
    hasToken: true,
    createdBy: caller.principal.actor,
    createdAt: at,
    token,
  };
}

/** Registered clusters (any reader: names and fingerprints are not secrets; tokens are never shown). */
export async function listClusterViews(s: Services, caller: Caller): Promise<ClusterView[]> {
  requirePermission(caller.principal, 'inventory:read');
  const rows = await listClusters(s.db.read);
  return rows.map((c) => ({
    name: c.name,
    certFingerprints: c.credentials.filter((k) => k.kind === 'cert-sha256').map((k) => k.value),
    hasToken: c.credentials.some((k) => k.kind === 'token-sha256'),
    createdBy: c.created_by,
    createdAt: c.created_at,
  }));
}
