import type { Caller } from '../../access/index.js';
import {
  BUILTIN_PACK_NAME,
  BUILTIN_PACK_SOURCE,
  type CompiledPolicy,
  compilePolicy,
  type Evidence,
  evaluatePolicy,
  type PolicyDecision,
  parseEvidence,
  parsePolicy,
} from '../../policy/index.js';
import type { Services } from '../services.js';
import { PolicyServiceError } from './errors.js';
import { gatherEvidence } from './gather-evidence.js';
import { getTeamPolicy } from './stored-policies.js';

/** Which policy to evaluate: the built-in pack, a team's stored policy, or a source given inline. */
export type PolicyRef =
  | { kind: 'builtin' }
  | { kind: 'stored'; team: string; name: string; version?: number }
  | { kind: 'inline'; source: string; what?: string };

export interface EvaluationRequest {
  artifact: string;
  policy: PolicyRef;
  params?: Record<string, unknown>;
}

export interface Evaluation {
  decision: PolicyDecision;
  evidence: Evidence;
}

/**
 * Evaluate a policy over the evidence the service holds for an artifact. A policy that does not
 * compile or spends its budget is refused (PolicyError); rule outcomes are values.
 * @throws AccessError AUTH_FORBIDDEN; InventoryError INVENTORY_NOT_FOUND; PolicyServiceError
 *   POLICY_NOT_FOUND, POLICY_ARTIFACT_INVALID; PolicyError POLICY_INVALID, POLICY_TOO_LARGE,
 *   POLICY_COMPILE_FAILED, POLICY_TOO_COSTLY
 */
export async function evaluateForArtifact(
  s: Services,
  caller: Caller,
  req: EvaluationRequest,
): Promise<Evaluation> {
  const source = await policySource(s, caller, req.policy);
  const evidence = await gatherEvidence(s, caller, req.artifact);
  return { decision: evaluateSource(source.text, source.what, evidence, req.params), evidence };
}

/**
 * Evaluate a policy source over an evidence document (parsed here: untrusted, e.g. a local file
 * that admission or an offline check produced).
 * @throws PolicyError POLICY_EVIDENCE_INVALID and the policy's codes
 */
export function evaluateSource(
  source: string,
  what: string,
  evidence: unknown,
  params?: Record<string, unknown>,
): PolicyDecision {
  const policy = compiledFor(source, what);
  const checked = parseEvidence(evidence, 'the evidence');
  return evaluatePolicy(policy, checked, {
    ...(params ? { params } : {}),
    now: () => performance.now(),
  });
}

// Compiled policies by their source: the built-in pack and a team's stored versions are
// evaluated again and again, and compiling is most of an evaluation's cost. A compiled policy
// holds no evaluation state, so one serves every request.
const compiled = new Map<string, CompiledPolicy>();
const MAX_COMPILED = 64;

function compiledFor(source: string, what: string): CompiledPolicy {
  const hit = compiled.get(source);
  if (hit) {
    compiled.delete(source);
    compiled.set(source, hit);
    return hit;
  }
  const policy = compilePolicy(parsePolicy(source, what));
  compiled.set(source, policy);
  if (compiled.size > MAX_COMPILED) compiled.delete(compiled.keys().next().value as string);
  return policy;
}

/** The built-in pack's source (for `custody policy get builtin`, and to read its rules). */
export function builtinPolicySource(): string {
  return BUILTIN_PACK_SOURCE;
}

async function policySource(
  s: Services,
  caller: Caller,
  ref: PolicyRef,
): Promise<{ text: string; what: string }> {
  switch (ref.kind) {
    case 'builtin':
      return { text: BUILTIN_PACK_SOURCE, what: `policy ${BUILTIN_PACK_NAME}` };
    case 'inline':
      return { text: ref.source, what: ref.what ?? 'the inline policy' };
    case 'stored': {
      const p = await getTeamPolicy(s, caller, ref.team, ref.name, ref.version);
      return { text: p.source ?? '', what: `policy ${ref.team}/${ref.name} v${p.version}` };
    }
    default: {
      const never: never = ref;
      throw new PolicyServiceError('POLICY_REQUEST_INVALID', `Unknown policy ${String(never)}`);
    }
  }
}
