import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import type { StoredPolicyView } from '../../app/policy/index.js';
import { CustodyError } from '../../core/index.js';
import type { PolicyDecision } from '../../policy/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';
import { clientFor, type ServiceFlags, withServiceOptions } from '../service.js';
import {
  type CommitCheckFlags,
  checkReleaseCommit,
  withCommitCheckOptions,
} from './commit-check.js';

interface EvalFlags extends CommitCheckFlags {
  policy: string;
  artifact?: string;
  evidence?: string;
  param: string[];
  json?: boolean;
}

// The CEL engine and YAML load only when a policy command runs, not on every CLI start.
const policyApp = () => import('../../app/policy/index.js');

const POLICY_HELP = `
A policy file (YAML or JSON):
  name: release-gates
  version: 1
  params: { minQualityScore: 8.0 }
  rules:
    - name: sbom-quality
      expression: evidence.sbom.present && evidence.sbom.quality.score >= params.minQualityScore
      message: the SBOM's quality score is too low
      level: deny            # or warn
Each expression is CEL over \`evidence\` (custody policy show-evidence prints one) and \`params\`.
Exit codes: 0 every deny rule passed, 1 a deny rule failed or erred, 2 the policy or input is unusable.`;

/**
 * `custody policy eval|push|get|list|show-evidence`: CEL policies over an artifact's verified
 * evidence, evaluated locally over an evidence file or by the service over what it stores.
 */
export function registerPolicy(program: Command, io: CliIO): void {
  const policy = program
    .command('policy')
    .description('CEL policies over verified evidence: evaluate, store and read them');

  withServiceOptions(
    withCommitCheckOptions(policy.command('eval'))
      .description("evaluate a policy over an artifact's evidence and print each rule's result")
      .requiredOption(
        '--policy <policy>',
        'a policy file, `builtin` (the built-in pack), or `team:name[@version]` (stored)',
      )
      .option('--artifact <artifact>', 'sha256:<hex>, or a file whose digest it is')
      .option(
        '--evidence <file>',
        'evaluate locally over this evidence document instead of asking the service',
      )
      .option(
        '--param <name=value>',
        'override a policy param (value as JSON, else a string); repeatable',
        (v: string, all: string[]) => [...all, v],
        [] as string[],
      )
      .option('--json', 'print the decision as JSON')
      .addHelpText('after', POLICY_HELP),
  ).action(async (o: EvalFlags) => {
    const params = parseParams(o.param);
    const decision =
      o.evidence !== undefined
        ? await evalLocal(o, params, io)
        : o.verifyCommit !== undefined
          ? await evalWithCommit(o, params, io)
          : await evalRemote(o, params, io);
    if (o.json) io.stdout.write(`${JSON.stringify(decision, null, 2)}\n`);
    else io.stdout.write(formatDecision(decision));
    if (!decision.allowed) throw new CliExit(EXIT.no);
  });

  withServiceOptions(
    policy
      .command('push')
      .description("store a policy file as the team's next version of it (admins and publishers)")
      .argument('<file>', 'the policy (YAML or JSON)')
      .requiredOption('--team <team>', 'the team that owns the policy')
      .option('--json', 'print the stored version as JSON'),
  ).action(async (file: string, o: ServiceFlags & { team: string; json?: boolean }) => {
    const { source, name } = (await policyApp()).readPolicyFile(pathOf(io, file));
    const { status, body } = await clientFor(o, io).request<StoredPolicyView>(
      'PUT',
      `/api/v1/teams/${encodeURIComponent(o.team)}/policies/${encodeURIComponent(name)}`,
      { body: { source } },
    );
    if (o.json) io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    else
      io.stdout.write(
        `${status === 201 ? 'Stored' : 'Unchanged:'} ${body.team}/${body.name} version ${body.version} (${body.digest})\n`,
      );
  });

  withServiceOptions(
    policy
      .command('get')
      .description('print a stored policy (or the built-in pack)')
      .argument('<policy>', '`team:name[@version]`, or `builtin`')
      .option('--json', 'print the version with its metadata as JSON'),
  ).action(async (ref: string, o: ServiceFlags & { json?: boolean }) => {
    if (ref === 'builtin') {
      io.stdout.write((await policyApp()).builtinPolicySource());
      return;
    }
    const body = await fetchStored(ref, o, io);
    if (o.json) io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
    else io.stdout.write(body.source?.endsWith('\n') ? body.source : `${body.source ?? ''}\n`);
  });

  withServiceOptions(
    policy
      .command('list')
      .description("a team's policies at their newest versions, or one policy's versions")
      .requiredOption('--team <team>', 'the team')
      .option('--name <name>', "list this policy's versions")
      .option('--json', 'print the list as JSON'),
  ).action(async (o: ServiceFlags & { team: string; name?: string; json?: boolean }) => {
    const team = encodeURIComponent(o.team);
    const path =
      o.name === undefined
        ? `/api/v1/teams/${team}/policies`
        : `/api/v1/teams/${team}/policies/${encodeURIComponent(o.name)}/versions`;
    const { body } = await clientFor(o, io).request<{ items: StoredPolicyView[] }>('GET', path);
    if (o.json) {
      io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
      return;
    }
    if (body.items.length === 0) io.stdout.write('(no policies)\n');
    for (const p of body.items)
      io.stdout.write(
        `${p.name}\tversion ${p.version}\t${p.digest}\t${p.createdAt} by ${p.createdBy}\n`,
      );
  });

  withServiceOptions(
    withCommitCheckOptions(policy.command('show-evidence'))
      .description('print the verified-evidence document the service holds for an artifact')
      .requiredOption('--artifact <artifact>', 'sha256:<hex>, or a file whose digest it is'),
  ).action(async (o: CommitCheckFlags & { artifact: string }) => {
    const digest = await artifactDigest(o.artifact, io);
    const body = await serviceEvidence(digest, o, io);
    io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
  });
}

async function evalLocal(
  o: EvalFlags,
  params: Record<string, unknown>,
  io: CliIO,
): Promise<PolicyDecision> {
  const app = await policyApp();
  const evidence = app.readEvidenceFile(pathOf(io, o.evidence as string));
  const { source, what } = await localSource(o, io);
  const decision = app.evaluateSource(source, what, evidence, params);
  // The evidence must be about the artifact asked for: a file for another one is refused.
  if (o.artifact !== undefined) {
    const digest = await artifactDigest(o.artifact, io);
    if (decision.artifact !== digest)
      throw new CustodyError(
        'USAGE',
        `${o.evidence} is the evidence of ${decision.artifact}, not of ${digest}; pass the evidence of this artifact`,
      );
  }
  return decision;
}

async function localSource(o: EvalFlags, io: CliIO): Promise<{ source: string; what: string }> {
  const app = await policyApp();
  if (o.policy === 'builtin') return { source: app.builtinPolicySource(), what: 'policy builtin' };
  if (isStoredRef(o.policy)) {
    const p = await fetchStored(o.policy, o, io);
    return { source: p.source ?? '', what: `policy ${p.team}/${p.name} v${p.version}` };
  }
  return { source: app.readPolicyFile(pathOf(io, o.policy)).source, what: o.policy };
}

async function evalRemote(
  o: EvalFlags,
  params: Record<string, unknown>,
  io: CliIO,
): Promise<PolicyDecision> {
  if (o.artifact === undefined)
    throw new CustodyError('USAGE', 'give --artifact (sha256:<hex> or a file), or --evidence');
  const artifact = await artifactDigest(o.artifact, io);
  let ref: Record<string, unknown>;
  if (o.policy === 'builtin') ref = { policy: 'builtin' };
  else if (isStoredRef(o.policy)) {
    const { team, name, version } = storedRef(o.policy);
    ref = { team, policy: name, ...(version !== undefined ? { version } : {}) };
  } else ref = { source: (await policyApp()).readPolicyFile(pathOf(io, o.policy)).source };
  const { body } = await clientFor(o, io).request<PolicyDecision>(
    'POST',
    '/api/v1/policies/evaluate',
    { body: { artifact, ...ref, ...(Object.keys(params).length > 0 ? { params } : {}) } },
  );
  return body;
}

/** The service's evidence document, its `commit` filled by a check in a checkout when asked. */
async function serviceEvidence(
  digest: string,
  o: CommitCheckFlags,
  io: CliIO,
): Promise<Record<string, unknown>> {
  const client = clientFor(o, io);
  const { body } = await client.request<Record<string, unknown>>(
    'GET',
    `/api/v1/artifacts/${encodeURIComponent(digest)}/evidence`,
  );
  if (o.verifyCommit === undefined) return body;
  // The service keeps no verdict on commit signatures: the release's commit is checked here,
  // in the caller's checkout, as `custody git verify` checks it (gitsign, identity, log).
  const artifact = body['artifact'] as { product: string | null; release: string | null };
  if (artifact.product === null || artifact.release === null) return body;
  const { body: release } = await client.request<{ commit: string | null }>(
    'GET',
    `/api/v1/products/${encodeURIComponent(artifact.product)}/releases/${encodeURIComponent(artifact.release)}`,
  );
  if (release.commit === null) return body;
  const c = await checkReleaseCommit(release.commit, o, io);
  return {
    ...body,
    commit: { signed: c.signed, identity: c.identity ?? null, issuer: c.issuer ?? null },
  };
}

async function evalWithCommit(
  o: EvalFlags,
  params: Record<string, unknown>,
  io: CliIO,
): Promise<PolicyDecision> {
  if (o.artifact === undefined)
    throw new CustodyError(
      'USAGE',
      'give --artifact (sha256:<hex> or a file) with --verify-commit',
    );
  const app = await policyApp();
  const evidence = await serviceEvidence(await artifactDigest(o.artifact, io), o, io);
  const { source, what } = await localSource(o, io);
  return app.evaluateSource(source, what, evidence, params);
}

function fetchStored(ref: string, o: ServiceFlags, io: CliIO): Promise<StoredPolicyView> {
  const { team, name, version } = storedRef(ref);
  const base = `/api/v1/teams/${encodeURIComponent(team)}/policies/${encodeURIComponent(name)}`;
  return clientFor(o, io)
    .request<StoredPolicyView>('GET', version === undefined ? base : `${base}/versions/${version}`)
    .then((r) => r.body);
}

// `team:name[@version]`; a file path with a colon is given as ./path.
function isStoredRef(s: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9._-]*:[A-Za-z0-9][A-Za-z0-9._-]*(@\d+)?$/.test(s);
}

function storedRef(s: string): { team: string; name: string; version?: number } {
  const m = /^([^:]+):([^@]+)(?:@(\d+))?$/.exec(s);
  if (!m || !isStoredRef(s)) throw new CustodyError('USAGE', `${s} is not team:name[@version]`);
  return {
    team: m[1] as string,
    name: m[2] as string,
    ...(m[3] !== undefined ? { version: Number(m[3]) } : {}),
  };
}

async function artifactDigest(a: string, io: CliIO): Promise<string> {
  const { ARTIFACT_DIGEST, artifactDigestOfFile } = await policyApp();
  if (a.startsWith('sha256:')) {
    if (!ARTIFACT_DIGEST.test(a))
      throw new CustodyError('USAGE', `--artifact ${a} is not sha256:<64 lower-case hex>`);
    return a;
  }
  return artifactDigestOfFile(pathOf(io, a));
}

function parseParams(list: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of list) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new CustodyError('USAGE', `--param ${p}: write name=value`);
    const value = p.slice(eq + 1);
    try {
      out[p.slice(0, eq)] = JSON.parse(value);
    } catch {
      out[p.slice(0, eq)] = value;
    }
  }
  return out;
}

function pathOf(io: CliIO, p: string): string {
  return isAbsolute(p) ? p : resolve(io.cwd, p);
}

const LABEL = { pass: 'PASS ', fail: 'FAIL ', error: 'ERROR' } as const;

function formatDecision(d: PolicyDecision): string {
  const out = [`Policy ${d.policy.name} v${d.policy.version} on ${d.artifact}`];
  for (const r of d.results) {
    const label = r.level === 'warn' && r.outcome !== 'pass' ? 'WARN ' : LABEL[r.outcome];
    const why = r.outcome === 'pass' ? '' : `: ${r.message}${r.reason ? ` (${r.reason})` : ''}`;
    out.push(`  ${label} ${r.name}${why}`);
  }
  const c = d.counts;
  out.push(
    `${d.allowed ? 'ALLOWED' : 'DENIED'}: ${c.pass} passed, ${c.fail} failed, ${c.error} errors, ${c.warn} warnings`,
  );
  return `${out.join('\n')}\n`;
}
