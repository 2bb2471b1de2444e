import { stripDigest } from './image-pattern.js';
import type {
  ActiveException,
  ActiveOverride,
  AdmissionDecision,
  AdmissionMode,
  AdmissionReason,
  ImageEffect,
  ImageVerdict,
  NamespaceConfig,
} from './types.js';

/** What the decision is about, from the review. */
export interface DecisionSubject {
  uid: string;
  api: AdmissionDecision['api'];
  cluster?: string;
  namespace: string;
  workload: string;
  operation: string;
  dryRun: boolean;
}

export interface DecideInput {
  subject: DecisionSubject;
  verdicts: readonly ImageVerdict[];
  ns: NamespaceConfig;
  exceptions: readonly ActiveException[];
  override: ActiveOverride | undefined;
  /** Whether an exception's image pattern matches an image (image-pattern.ts; injected to keep this file small). */
  matches: (pattern: string, image: string) => boolean;
  at: Date;
}

/**
 * Apply the namespace's mode, its exceptions and an active mode override to each image's verdict.
 *
 * The order matters and is the whole policy of this function:
 * 1. A pass is admitted — unless a signature that counted was made with an emergency certificate,
 *    which is admitted only when an exception or an override covers it.
 * 2. In a high-risk namespace an infrastructure failure denies whatever the mode (fail closed);
 *    only a pre-verified rollback bundle (already a pass, step 1) lets such an image through.
 * 3. A failure an active exception covers (namespace, image pattern, reason) is admitted and says so.
 * 4. Otherwise the mode decides: enforce denies, warn admits with a warning, audit admits with an
 *    audit annotation. An infrastructure failure goes through the same modes as a violation but
 *    keeps its own reason, so neither is ever reported as the other.
 */
export function decide(input: DecideInput): AdmissionDecision {
  const { ns, override } = input;
  const mode: AdmissionMode = override?.mode ?? ns.mode;
  const modeSource: AdmissionDecision['modeSource'] =
    override !== undefined ? 'override' : ns.version === 0 ? 'default' : 'namespace';
  const warnings: string[] = [];
  const denials: string[] = [];
  const images = input.verdicts.map((v) => {
    const r = judgeImage(v, mode, input);
    if (r.warning !== undefined) warnings.push(r.warning);
    if (r.effect === 'deny') denials.push(denialLine(v, r.reason ?? v.reason, mode, r.message));
    return {
      ...v,
      effect: r.effect,
      ...(r.exceptionId !== undefined ? { exceptionId: r.exceptionId } : {}),
    };
  });
  const allowed = denials.length === 0;
  return {
    ...input.subject,
    mode,
    modeSource,
    ...(override !== undefined ? { overrideId: override.id } : {}),
    allowed,
    images,
    degraded: input.verdicts.some((v) => v.degraded !== undefined || v.outcome === 'infra'),
    warnings,
    ...(allowed ? {} : { message: denials.join('; ') }),
    at: input.at.toISOString(),
  };
}

interface ImageJudgement {
  effect: ImageEffect;
  reason?: AdmissionReason;
  exceptionId?: string;
  warning?: string;
  /** What a denial says, when it is not the verdict's own message. */
  message?: string;
}

function judgeImage(v: ImageVerdict, mode: AdmissionMode, input: DecideInput): ImageJudgement {
  if (v.outcome === 'pass') {
    if (v.emergency === true) {
      const ex = coveringException(v, 'emergency-certificate', input);
      if (ex !== undefined)
        return {
          effect: 'allow-by-exception',
          exceptionId: ex.id,
          warning: `${v.image}: signed with an emergency certificate; admitted under exception ${ex.id} (ticket ${ex.ticket}, expires ${ex.expiresAt})`,
        };
      if (input.override !== undefined)
        return {
          effect: 'allow',
          warning: `${v.image}: signed with an emergency certificate; admitted under mode override ${input.override.id} (ticket ${input.override.ticket}, expires ${input.override.expiresAt})`,
        };
      return byMode(v, 'emergency-certificate', mode, 'signed with an emergency certificate');
    }
    return v.degraded !== undefined
      ? { effect: 'allow', warning: `${v.image}: ${degradedLine(v)}` }
      : { effect: 'allow' };
  }
  const reason = v.reason ?? (v.outcome === 'infra' ? 'infrastructure' : 'unsigned');
  if (v.outcome === 'infra' && input.ns.highRisk) return { effect: 'deny', reason }; // fail closed: no waiver, no mode, no override
  const ex = reason === 'request-invalid' ? undefined : coveringException(v, reason, input);
  if (ex !== undefined)
    return {
      effect: 'allow-by-exception',
      exceptionId: ex.id,
      warning: `exception ${ex.id} (expires ${ex.expiresAt}) waived ${reason} for ${v.image}: ${v.message}`,
    };
  return byMode(v, reason, mode, v.message);
}

function byMode(
  v: ImageVerdict,
  reason: AdmissionReason,
  mode: AdmissionMode,
  message: string,
): ImageJudgement {
  if (mode === 'enforce') return { effect: 'deny', reason, message };
  const policy = v.policy?.name ?? 'admission';
  return {
    effect: mode,
    reason,
    // The reason first: Kubernetes cuts long warnings, and the reason is what a deployer acts on.
    warning: `policy ${policy} (mode=${mode}, reason ${reason}): ${v.image}: ${message}`,
  };
}

function coveringException(
  v: ImageVerdict,
  reason: AdmissionReason,
  input: DecideInput,
): ActiveException | undefined {
  const at = input.at.getTime();
  return input.exceptions.find(
    (e) =>
      e.namespace === input.subject.namespace &&
      Date.parse(e.expiresAt) > at &&
      (e.reasons.length === 0 || e.reasons.includes(reason)) &&
      input.matches(e.imagePattern, withoutDigest(v.image)),
  );
}

/** `registry/repo:tag@sha256:…` → `registry/repo:tag`: patterns name repositories and tags. */
export const withoutDigest = stripDigest;

function denialLine(
  v: ImageVerdict,
  reason: AdmissionReason | undefined,
  mode: AdmissionMode,
  message = v.message,
) {
  const what = reason === 'infrastructure' ? 'could not be verified' : 'denied';
  const policy = v.policy !== undefined ? `policy ${v.policy.name}, ` : '';
  return `image ${v.image} ${what}: ${message} (${policy}reason ${reason ?? 'unknown'}, mode=${mode})`;
}

function degradedLine(v: ImageVerdict): string {
  const d = v.degraded;
  if (d === undefined) return '';
  const when = d.verifiedAt !== undefined ? `, verified ${d.verifiedAt}` : '';
  return `admitted in degraded mode (${d.upstream} unavailable; ${d.via}${when}); it will be re-verified when ${d.upstream} is back`;
}
