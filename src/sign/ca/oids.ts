/**
 * Fulcio's certificate extensions (Sigstore's PEN 57264; fulcio docs/oid-info.md). `.1`–`.6` hold
 * the raw string bytes; `.8` onwards a DER UTF8String. sigstore-js reads the issuer from `.8`,
 * falling back to `.1`, so both are written.
 */
export const FULCIO_OID = {
  issuerV1: '1.3.6.1.4.1.57264.1.1',
  githubWorkflowTrigger: '1.3.6.1.4.1.57264.1.2',
  githubWorkflowSha: '1.3.6.1.4.1.57264.1.3',
  githubWorkflowName: '1.3.6.1.4.1.57264.1.4',
  githubWorkflowRepository: '1.3.6.1.4.1.57264.1.5',
  githubWorkflowRef: '1.3.6.1.4.1.57264.1.6',
  issuer: '1.3.6.1.4.1.57264.1.8',
  buildSignerUri: '1.3.6.1.4.1.57264.1.9',
  buildSignerDigest: '1.3.6.1.4.1.57264.1.10',
  runnerEnvironment: '1.3.6.1.4.1.57264.1.11',
  sourceRepositoryUri: '1.3.6.1.4.1.57264.1.12',
  sourceRepositoryDigest: '1.3.6.1.4.1.57264.1.13',
  sourceRepositoryRef: '1.3.6.1.4.1.57264.1.14',
  sourceRepositoryIdentifier: '1.3.6.1.4.1.57264.1.15',
  sourceRepositoryOwnerUri: '1.3.6.1.4.1.57264.1.16',
  sourceRepositoryOwnerIdentifier: '1.3.6.1.4.1.57264.1.17',
  buildConfigUri: '1.3.6.1.4.1.57264.1.18',
  buildConfigDigest: '1.3.6.1.4.1.57264.1.19',
  buildTrigger: '1.3.6.1.4.1.57264.1.20',
  runInvocationUri: '1.3.6.1.4.1.57264.1.21',
  sourceRepositoryVisibilityAtSigning: '1.3.6.1.4.1.57264.1.22',
} as const;

/**
 * Marks an emergency certificate (longer life, approver sign-off); the value is a UTF8String JSON
 * object naming the approver and the reason. Provisional: Custody has no enterprise number yet,
 * and the ASN.1 libraries here (asn1js, @sigstore/core) cannot encode or read a full 128-bit UUID
 * arc under 2.25, so this is a 2.25 arc small enough for both. Move it under Custody's own PEN
 * once one is registered; verifiers match it by this constant.
 */
export const CUSTODY_EMERGENCY_OID = '2.25.1396012611';

/** One certificate extension value: `raw` bytes of the string, or a DER `utf8` UTF8String. */
export interface ClaimExtension {
  oid: string;
  value: string;
  encoding: 'raw' | 'utf8';
}

/** The GitHub Actions issuer, whose tokens carry the workflow claims mapped below. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/**
 * The issuer extensions, and for a GitHub Actions token the CI workflow extensions Fulcio derives
 * from its claims (fulcio pkg/identity/github). A claim that is absent leaves its extension out.
 */
export function claimExtensions(
  issuer: string,
  claims: Readonly<Record<string, unknown>>,
): ClaimExtension[] {
  const out: ClaimExtension[] = [
    { oid: FULCIO_OID.issuerV1, value: issuer, encoding: 'raw' },
    { oid: FULCIO_OID.issuer, value: issuer, encoding: 'utf8' },
  ];
  if (!isGithubWorkflowToken(claims)) return out;
  const s = (k: string): string | undefined => {
    const v = claims[k];
    return typeof v === 'string' && v !== '' ? v : undefined;
  };
  const server = (s('server_url') ?? 'https://github.com').replace(/\/+$/, '');
  const under = (k: string): string | undefined => {
    const v = s(k);
    return v === undefined ? undefined : `${server}/${v}`;
  };
  const repo = s('repository');
  const runId = s('run_id');
  const attempt = s('run_attempt');
  const add = (oid: string, value: string | undefined, encoding: 'raw' | 'utf8' = 'utf8') => {
    if (value !== undefined) out.push({ oid, value, encoding });
  };
  add(FULCIO_OID.githubWorkflowTrigger, s('event_name'), 'raw');
  add(FULCIO_OID.githubWorkflowSha, s('sha'), 'raw');
  add(FULCIO_OID.githubWorkflowName, s('workflow'), 'raw');
  add(FULCIO_OID.githubWorkflowRepository, repo, 'raw');
  add(FULCIO_OID.githubWorkflowRef, s('ref'), 'raw');
  add(FULCIO_OID.buildSignerUri, under('job_workflow_ref'));
  add(FULCIO_OID.buildSignerDigest, s('job_workflow_sha'));
  add(FULCIO_OID.runnerEnvironment, s('runner_environment'));
  add(FULCIO_OID.sourceRepositoryUri, under('repository'));
  add(FULCIO_OID.sourceRepositoryDigest, s('sha'));
  add(FULCIO_OID.sourceRepositoryRef, s('ref'));
  add(FULCIO_OID.sourceRepositoryIdentifier, s('repository_id'));
  add(FULCIO_OID.sourceRepositoryOwnerUri, under('repository_owner'));
  add(FULCIO_OID.sourceRepositoryOwnerIdentifier, s('repository_owner_id'));
  add(FULCIO_OID.buildConfigUri, under('workflow_ref'));
  add(FULCIO_OID.buildConfigDigest, s('workflow_sha'));
  add(FULCIO_OID.buildTrigger, s('event_name'));
  add(
    FULCIO_OID.runInvocationUri,
    repo && runId && attempt
      ? `${server}/${repo}/actions/runs/${runId}/attempts/${attempt}`
      : undefined,
  );
  add(FULCIO_OID.sourceRepositoryVisibilityAtSigning, s('repository_visibility'));
  return out;
}

/** A GitHub Actions workflow token: the claim Fulcio builds the identity from is there. */
export function isGithubWorkflowToken(claims: Readonly<Record<string, unknown>>): boolean {
  return typeof claims['job_workflow_ref'] === 'string' && claims['job_workflow_ref'] !== '';
}

/** DER of an extension value: the raw UTF-8 bytes, or a UTF8String (tag 0x0C). */
export function encodeClaimValue(e: ClaimExtension): Uint8Array {
  const bytes = new TextEncoder().encode(e.value);
  return e.encoding === 'raw' ? bytes : derTlv(0x0c, bytes);
}

// Definite-length DER: short form below 128 bytes, long form (0x80 | count) above.
function derTlv(tag: number, body: Uint8Array): Uint8Array {
  const len: number[] = [];
  if (body.length < 0x80) len.push(body.length);
  else {
    for (let n = body.length; n > 0; n = Math.floor(n / 256)) len.unshift(n % 256);
    len.unshift(0x80 | len.length);
  }
  return Uint8Array.from([tag, ...len, ...body]);
}
