import type { AdmissionReason, TrustedIdentity } from './types.js';

/**
 * The closed mapping from what an image's check found to a reason (issue [9]: "Every decision is
 * stored with a reason from a closed list"). Pure: the engine (app/admission/engine/) gathers and
 * verifies, this file judges. Two rules hold throughout: an infrastructure failure is never a
 * policy reason, and a policy reason is never `infrastructure`.
 */

/** A signature that verified cryptographically (against the trusted roots, or a trusted key). */
export interface VerifiedSignature {
  /** The certificate's SAN, or null for a key signature. */
  identity: string | null;
  /** The certificate's OIDC issuer, or null. */
  issuer: string | null;
  /** The trusted key it verified with (its name), or null for a certificate. */
  key: string | null;
  /** The trusted key's role; null for a certificate. */
  keyRole: 'primary' | 'fallback' | null;
  /** The signed payload carries FALLBACK_MARK (a stand-in signer made it). */
  fallbackMarked: boolean;
  /** The certificate is one of Custody's emergency certificates. */
  emergency: boolean;
  /** At least one transparency-log entry verified for it. */
  logged: boolean;
}

export interface SignatureJudgement {
  /** Signatures that count for this namespace (trusted signer, expected issuer, fallback rules). */
  counted: VerifiedSignature[];
  /** Why none counts; absent when some do. */
  problem?: 'unsigned' | 'identity' | 'issuer-drift';
  /** In words a deployer can act on. */
  detail: string;
  /** Every counted signature is a fallback one. */
  fallback: boolean;
  /** Every counted signature was made with an emergency certificate. */
  emergency: boolean;
  /** Counted signatures exist but none of them is in a transparency log. */
  unlogged: boolean;
}

export interface SignatureRules {
  /** The namespace's identities, or the service's when the namespace names none. */
  identities: readonly TrustedIdentity[];
  expectedIssuer?: string | undefined;
  acceptFallback: boolean;
}

/**
 * Which verified signatures count. A key signature counts by its key's role: a primary key's
 * unmarked signature counts; a fallback key's (or a marked) signature counts only when marked and
 * the namespace accepts fallbacks. A certificate counts when an identity's subject and issuer
 * match and the issuer is the namespace's expected one; a subject that matches under another
 * issuer is drift, not a stranger. An emergency certificate counts on its subject alone (its
 * issuer is Custody's emergency issuer), and the verdict then names it.
 * @param found how many signature pieces were found at all (verified or not)
 * @param match a linear-time matcher for identity regular expressions (whole-value match)
 */
export function judgeSignatures(
  found: number,
  verified: readonly VerifiedSignature[],
  rules: SignatureRules,
  match: (pattern: string, value: string) => boolean,
): SignatureJudgement {
  const counted: VerifiedSignature[] = [];
  let drift: VerifiedSignature | undefined;
  let refusedFallback = false;
  let stranger: VerifiedSignature | undefined;
  for (const v of verified) {
    if (v.key !== null) {
      const isFallback = v.keyRole === 'fallback' || v.fallbackMarked;
      if (!isFallback) counted.push(v);
      else if (v.fallbackMarked && rules.acceptFallback) counted.push(v);
      else refusedFallback = true;
      continue;
    }
    // An emergency certificate's issuer is Custody's emergency issuer, never the namespace's
    // OIDC issuer (sign/emergency.ts): the subject decides whose it is, and the certificate is
    // reported as an emergency one rather than as drift.
    if (v.emergency && rules.identities.some((i) => subjectMatches(i, v.identity, match))) {
      counted.push(v);
      continue;
    }
    const subjectOk = rules.identities.some((i) => subjectMatches(i, v.identity, match));
    const fullOk = rules.identities.some(
      (i) => subjectMatches(i, v.identity, match) && issuerMatches(i, v.issuer, match),
    );
    const expectedOk = rules.expectedIssuer === undefined || v.issuer === rules.expectedIssuer;
    if (fullOk && expectedOk) counted.push(v);
    else if (subjectOk) drift ??= v;
    else stranger ??= v;
  }
  if (counted.length > 0) {
    return {
      counted,
      detail: `signed by ${counted.map(signerName).join(', ')}`,
      fallback: counted.every(
        (c) => c.key !== null && (c.keyRole === 'fallback' || c.fallbackMarked),
      ),
      emergency: counted.every((c) => c.emergency),
      unlogged: counted.every((c) => !c.logged),
    };
  }
  const none = { counted, fallback: false, emergency: false, unlogged: false };
  if (drift !== undefined)
    return {
      ...none,
      problem: 'issuer-drift',
      detail: `signed by ${drift.identity ?? '?'} through issuer ${drift.issuer ?? '(none)'}, not the expected ${rules.expectedIssuer ?? rules.identities.map((i) => i.issuer ?? i.issuerRegexp).join(' or ')}`,
    };
  if (stranger !== undefined || refusedFallback)
    return {
      ...none,
      problem: 'identity',
      detail:
        stranger !== undefined
          ? `signed by ${signerName(stranger)}, which is not a trusted identity here (trusted: ${rules.identities.map(identityName).join(', ') || 'none'})`
          : rules.acceptFallback
            ? 'signed by a fallback key without the fallback mark: a stand-in signature must say it is one'
            : 'signed only by a fallback signer, which this namespace does not accept',
    };
  return {
    ...none,
    problem: 'unsigned',
    detail:
      found === 0
        ? 'no signature names this image digest; sign it in the pipeline (custody sign <image>)'
        : `${found} signature(s) found, none verified against the trusted roots and keys`,
  };
}

/** What a policy rule is about, read from the evidence fields its expression names. */
export type RuleArea = 'signature' | 'provenance' | 'sbom' | 'vulnerability';

/**
 * A failed rule's area: the first of signatures, provenance (provenance, slsa, commit, artifact),
 * SBOM, vulnerabilities (vulnerabilities, vex) that its expression reads. A rule that reads none
 * of them is about the artifact's origin: provenance.
 */
export function ruleArea(expression: string): RuleArea {
  if (/\bevidence\.signatures\b/.test(expression)) return 'signature';
  if (/\bevidence\.(provenance|slsa|commit|artifact)\b/.test(expression)) return 'provenance';
  if (/\bevidence\.sbom\b/.test(expression)) return 'sbom';
  if (/\bevidence\.(vulnerabilities|vex)\b/.test(expression)) return 'vulnerability';
  return 'provenance';
}

export interface ClassifyInput {
  signatures: Pick<SignatureJudgement, 'problem' | 'emergency' | 'counted'>;
  /** The policy's failed deny rules (name and expression), in the policy's order. */
  failedRules: readonly { name: string; expression: string }[];
  sbomPresent: boolean;
}

export type Classification =
  | { outcome: 'pass' }
  | { outcome: 'fail'; reason: AdmissionReason; rules: string[] };

/** Reasons in the order the first applicable one is reported. */
const ORDER: readonly AdmissionReason[] = [
  'unsigned',
  'identity',
  'issuer-drift',
  'provenance',
  'sbom-missing',
  'sbom-gate',
  'vulnerability',
  'emergency-certificate',
];

/**
 * The reason for a policy's verdict: the signature judgement's problem first (no counted
 * signature explains a failing signature rule better than the rule does), then each failed
 * rule's area; an emergency certificate is reported when nothing else failed (an exception may
 * waive it, and must not waive anything else with it).
 */
export function classifyVerdict(i: ClassifyInput): Classification {
  const reasons = new Set<AdmissionReason>();
  if (i.signatures.problem !== undefined) reasons.add(i.signatures.problem);
  for (const r of i.failedRules) {
    const area = ruleArea(r.expression);
    if (area === 'signature')
      reasons.add(
        i.signatures.problem ?? (i.signatures.counted.length > 0 ? 'identity' : 'unsigned'),
      );
    else if (area === 'sbom') reasons.add(i.sbomPresent ? 'sbom-gate' : 'sbom-missing');
    else reasons.add(area);
  }
  if (reasons.size === 0 && i.signatures.emergency && i.signatures.counted.length > 0)
    reasons.add('emergency-certificate');
  const reason = ORDER.find((r) => reasons.has(r));
  return reason === undefined
    ? { outcome: 'pass' }
    : { outcome: 'fail', reason, rules: i.failedRules.map((r) => r.name) };
}

function subjectMatches(
  i: TrustedIdentity,
  identity: string | null,
  match: (p: string, v: string) => boolean,
): boolean {
  if (identity === null) return false;
  if (i.subject === undefined && i.subjectRegexp === undefined) return false;
  return (
    (i.subject === undefined || i.subject === identity) &&
    (i.subjectRegexp === undefined || match(i.subjectRegexp, identity))
  );
}

function issuerMatches(
  i: TrustedIdentity,
  issuer: string | null,
  match: (p: string, v: string) => boolean,
): boolean {
  if (i.issuer === undefined && i.issuerRegexp === undefined) return true;
  if (issuer === null) return false;
  return (
    (i.issuer === undefined || i.issuer === issuer) &&
    (i.issuerRegexp === undefined || match(i.issuerRegexp, issuer))
  );
}

function signerName(v: VerifiedSignature): string {
  return v.key !== null ? `key ${v.key}` : `${v.identity ?? '?'} (${v.issuer ?? 'no issuer'})`;
}

function identityName(i: TrustedIdentity): string {
  return `${i.subject ?? `/${i.subjectRegexp ?? ''}/`}${i.issuer !== undefined ? ` via ${i.issuer}` : ''}`;
}
