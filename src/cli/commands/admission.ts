import type { Command } from 'commander';
import type {
  BlastRadius,
  ClusterView,
  ExceptionView,
  HealthProbeView,
  NamespaceConfigView,
  OverrideView,
} from '../../app/admission/governance/index.js';
import { CustodyError } from '../../core/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';
import { clientFor, type ServiceFlags, withServiceOptions } from '../service.js';

const BASE = '/api/v1/admission';

/**
 * `custody admission namespace|cluster|exception|override|health`: admission governance against
 * the service at CUSTODY_URL. Exit codes: 0 done; 1 the service refused (not allowed, the same
 * person, a conflict with the object's state); 2 bad usage or bad input.
 */
export function registerAdmission(program: Command, io: CliIO): void {
  // Other parts of admission may register their own sub-commands under `admission`: share it.
  const adm =
    program.commands.find((c) => c.name() === 'admission') ??
    program
      .command('admission')
      .description('the admission gate: namespace modes, clusters, exceptions, mode overrides');

  // --- namespaces ---
  const ns = adm.command('namespace').description("a namespace's admission configuration");

  withServiceOptions(
    ns
      .command('set <namespace>')
      .description('set the configuration (a new version per change; an admin)')
      .requiredOption('--mode <mode>', 'enforce, warn or audit')
      .option('--cluster <name>', 'one cluster, or * for every cluster', '*')
      .option(
        '--team <team>',
        'the team that owns the namespace (its approvers are the service owners)',
      )
      .option('--policy <ref>', 'admission-default, builtin, or stored:<team>/<name>[@<version>]')
      .option(
        '--identity <json>',
        'an accepted signer as JSON ({"issuer":…,"subjectRegexp":…}); repeat for more',
        collect,
        [] as string[],
      )
      .option('--expected-issuer <url>', 'the OIDC issuer images are expected to be signed through')
      .option('--no-require-digest', 'let tag-only references through (not recommended)')
      .option(
        '--high-risk',
        'deny on infrastructure failures in every mode unless a rollback bundle is cached',
      )
      .option('--accept-fallback', 'count signatures made by a fallback signer')
      .option('--json', 'print the configuration as JSON'),
  ).action(
    async (
      namespace: string,
      o: ServiceFlags & {
        mode: string;
        cluster: string;
        team?: string;
        policy?: string;
        identity: string[];
        expectedIssuer?: string;
        requireDigest: boolean;
        highRisk?: boolean;
        acceptFallback?: boolean;
        json?: boolean;
      },
    ) => {
      const body = {
        mode: o.mode,
        ...(o.team !== undefined ? { team: o.team } : {}),
        ...(o.policy !== undefined ? { policy: policyRef(io, o.policy) } : {}),
        ...(o.identity.length > 0 ? { identities: o.identity.map((j) => identity(io, j)) } : {}),
        ...(o.expectedIssuer !== undefined ? { expectedIssuer: o.expectedIssuer } : {}),
        requireDigest: o.requireDigest,
        highRisk: o.highRisk === true,
        acceptFallback: o.acceptFallback === true,
      };
      const c = await call<NamespaceConfigView>(
        io,
        o,
        'PUT',
        `${BASE}/namespaces/${seg(namespace)}`,
        {
          query: { cluster: o.cluster },
          body,
        },
      );
      if (o.json) return json(io, c);
      io.stdout.write(`${describeNs(c)}\n`);
    },
  );

  withServiceOptions(
    ns
      .command('get <namespace>')
      .description('the configuration that applies (stored, or the secure default)')
      .option('--cluster <name>', 'the cluster asking', '*')
      .option('--json', 'JSON output'),
  ).action(async (namespace: string, o: ServiceFlags & { cluster: string; json?: boolean }) => {
    const c = await call<NamespaceConfigView>(
      io,
      o,
      'GET',
      `${BASE}/namespaces/${seg(namespace)}`,
      {
        query: { cluster: o.cluster },
      },
    );
    if (o.json) return json(io, c);
    io.stdout.write(`${describeNs(c)}\n`);
  });

  withServiceOptions(
    ns
      .command('list')
      .description("configured namespaces of the token's teams")
      .option('--cluster <name>', 'only this cluster (or *)')
      .option('--json', 'JSON output'),
  ).action(async (o: ServiceFlags & { cluster?: string; json?: boolean }) => {
    const { items } = await call<{ items: NamespaceConfigView[] }>(
      io,
      o,
      'GET',
      `${BASE}/namespaces`,
      {
        query: { cluster: o.cluster },
      },
    );
    if (o.json) return json(io, items);
    for (const c of items) io.stdout.write(`${describeNs(c)}\n`);
  });

  // --- clusters ---
  const cl = adm.command('cluster').description('clusters that call the admission webhook');

  withServiceOptions(
    cl
      .command('add <name>')
      .description('register a cluster; prints its bearer token once (an organisation-wide admin)')
      .option(
        '--cert-fingerprint <sha256>',
        "the SHA-256 fingerprint of the cluster's client certificate; repeat for more",
        collect,
        [] as string[],
      )
      .option('--json', 'JSON output (holds the token)'),
  ).action(
    async (name: string, o: ServiceFlags & { certFingerprint: string[]; json?: boolean }) => {
      const c = await call<ClusterView & { token: string }>(io, o, 'POST', `${BASE}/clusters`, {
        body: { name, certFingerprints: o.certFingerprint },
      });
      if (o.json) return json(io, c);
      io.stderr.write(
        `Cluster ${c.name} registered. Its webhook kubeconfig carries this bearer token; it is not shown again:\n`,
      );
      io.stdout.write(`${c.token}\n`);
    },
  );

  withServiceOptions(
    cl.command('list').description('registered clusters').option('--json', 'JSON output'),
  ).action(async (o: ServiceFlags & { json?: boolean }) => {
    const { items } = await call<{ items: ClusterView[] }>(io, o, 'GET', `${BASE}/clusters`);
    if (o.json) return json(io, items);
    for (const c of items)
      io.stdout.write(
        `${c.name}  certificates: ${c.certFingerprints.length}  token: ${c.hasToken ? 'yes' : 'no'}  by ${c.createdBy} at ${c.createdAt}\n`,
      );
  });

  // --- exceptions ---
  const ex = adm
    .command('exception')
    .description('time-boxed exceptions: the service owner and security approve');

  withServiceOptions(
    ex
      .command('request')
      .description('ask for an exception (prints its id)')
      .requiredOption('--namespace <ns>', 'the namespace')
      .requiredOption(
        '--image <pattern>',
        'image pattern: * within a segment, ** across (ghcr.io/acme/**)',
      )
      .requiredOption('--ticket <ticket>', 'the ticket it is for')
      .requiredOption(
        '--expires <when>',
        'an ISO 8601 time, or a duration from now (12h, 7d; at most 30d)',
      )
      .option(
        '--reason <reason>',
        'a reason it waives (unsigned, vulnerability, …); repeat; default: all',
        collect,
        [] as string[],
      )
      .option('--json', 'JSON output'),
  ).action(
    async (
      o: ServiceFlags & {
        namespace: string;
        image: string;
        ticket: string;
        expires: string;
        reason: string[];
        json?: boolean;
      },
    ) => {
      const e = await call<ExceptionView>(io, o, 'POST', `${BASE}/exceptions`, {
        body: {
          namespace: o.namespace,
          imagePattern: o.image,
          ticket: o.ticket,
          expiresAt: when(io, o.expires),
          ...(o.reason.length > 0 ? { reasons: o.reason } : {}),
        },
      });
      if (o.json) return json(io, e);
      io.stderr.write(
        `Exception ${e.id} for ${e.imagePattern} in ${e.namespace} waits for the service owner (an approver of team ${e.team}) and security: custody admission exception approve ${e.id}\n`,
      );
      io.stdout.write(`${e.id}\n`);
    },
  );

  withServiceOptions(
    ex
      .command('approve <id>')
      .description('approve as the service owner or security (not your own request)')
      .option('--as <side>', 'service-owner or security (default: what your token is)')
      .option('--json', 'JSON output'),
  ).action(async (id: string, o: ServiceFlags & { as?: string; json?: boolean }) => {
    const e = await call<ExceptionView>(
      io,
      o,
      'POST',
      `${BASE}/exceptions/${idOf(io, id)}/approvals`,
      {
        query: { as: o.as },
      },
    );
    if (o.json) return json(io, e);
    io.stdout.write(`${describeEx(e)}\n`);
  });

  withServiceOptions(
    ex
      .command('revoke <id>')
      .description('revoke an exception: it stops applying at once')
      .option('--reason <text>', 'why')
      .option('--json', 'JSON output'),
  ).action(async (id: string, o: ServiceFlags & { reason?: string; json?: boolean }) => {
    const e = await call<ExceptionView>(io, o, 'DELETE', `${BASE}/exceptions/${idOf(io, id)}`, {
      query: { reason: o.reason },
    });
    if (o.json) return json(io, e);
    io.stdout.write(`${describeEx(e)}\n`);
  });

  withServiceOptions(
    ex
      .command('list')
      .description("exceptions of the token's teams, newest first")
      .option('--state <state>', 'active, pending, expired or revoked')
      .option('--namespace <ns>', 'only this namespace')
      .option('--json', 'JSON output'),
  ).action(async (o: ServiceFlags & { state?: string; namespace?: string; json?: boolean }) => {
    const { items } = await call<{ items: ExceptionView[] }>(io, o, 'GET', `${BASE}/exceptions`, {
      query: { state: o.state, namespace: o.namespace },
    });
    if (o.json) return json(io, items);
    for (const e of items) io.stdout.write(`${describeEx(e)}\n`);
  });

  // --- overrides ---
  const ov = adm
    .command('override')
    .description('mode overrides during outages: at most 72 h, two approvers');

  withServiceOptions(
    ov
      .command('set')
      .description('set a mode override (an admin); prints its blast radius')
      .requiredOption(
        '--namespace <ns>',
        'a namespace it covers; repeat for more',
        collect,
        [] as string[],
      )
      .requiredOption('--mode <mode>', 'enforce, warn or audit')
      .requiredOption('--ticket <ticket>', 'the incident it is for')
      .requiredOption(
        '--expires <when>',
        'an ISO 8601 time, or a duration from now (90m, 12h; at most 72h)',
      )
      .option(
        '--revert-when-healthy <upstreams>',
        'revert early once these upstreams (comma-separated) are healthy',
      )
      .option('--probes <n>', 'consecutive healthy probes needed', '10')
      .option('--window <duration>', 'within this long (e.g. 5m)', '5m')
      .option('--json', 'JSON output'),
  ).action(
    async (
      o: ServiceFlags & {
        namespace: string[];
        mode: string;
        ticket: string;
        expires: string;
        revertWhenHealthy?: string;
        probes: string;
        window: string;
        json?: boolean;
      },
    ) => {
      if (!/^[1-9][0-9]{0,3}$/.test(o.probes)) usage(io, '--probes is a whole number from 1');
      const r = await call<{ override: OverrideView; blastRadius: BlastRadius | null }>(
        io,
        o,
        'POST',
        `${BASE}/overrides`,
        {
          body: {
            namespaces: o.namespace,
            mode: o.mode,
            ticket: o.ticket,
            expiresAt: when(io, o.expires),
            ...(o.revertWhenHealthy !== undefined
              ? {
                  revertWhenHealthy: {
                    upstreams: o.revertWhenHealthy
                      .split(',')
                      .map((x) => x.trim())
                      .filter(Boolean),
                    probes: Number(o.probes),
                    windowMs: durationMs(io, o.window),
                  },
                }
              : {}),
          },
        },
      );
      if (o.json) return json(io, r);
      io.stdout.write(`${describeOv(r.override)}\n`);
      if (r.blastRadius === null)
        io.stdout.write('Blast radius: unknown (the deployments inventory did not answer)\n');
      else {
        io.stdout.write(
          `Blast radius: ${r.blastRadius.namespaces.length} namespace(s), ${r.blastRadius.images.length} running image(s)\n`,
        );
        for (const i of r.blastRadius.images)
          io.stdout.write(`  ${i.namespace}  ${i.image}  ${i.digest}\n`);
      }
      io.stderr.write(
        `It waits for two approvers: custody admission override approve ${r.override.id}\n`,
      );
    },
  );

  withServiceOptions(
    ov
      .command('approve <id>')
      .description('approve a mode override (not your own)')
      .option('--json', 'JSON output'),
  ).action(async (id: string, o: ServiceFlags & { json?: boolean }) => {
    const v = await call<OverrideView>(
      io,
      o,
      'POST',
      `${BASE}/overrides/${idOf(io, id)}/approvals`,
    );
    if (o.json) return json(io, v);
    io.stdout.write(`${describeOv(v)}\n`);
  });

  withServiceOptions(
    ov
      .command('revoke <id>')
      .description('end a mode override now')
      .option('--reason <text>', 'why')
      .option('--json', 'JSON output'),
  ).action(async (id: string, o: ServiceFlags & { reason?: string; json?: boolean }) => {
    const v = await call<OverrideView>(io, o, 'DELETE', `${BASE}/overrides/${idOf(io, id)}`, {
      query: { reason: o.reason },
    });
    if (o.json) return json(io, v);
    io.stdout.write(`${describeOv(v)}\n`);
  });

  withServiceOptions(
    ov
      .command('list')
      .description('mode overrides, newest first')
      .option('--state <state>', 'active, pending, expired, reverted or revoked')
      .option('--json', 'JSON output'),
  ).action(async (o: ServiceFlags & { state?: string; json?: boolean }) => {
    const { items } = await call<{ items: OverrideView[] }>(io, o, 'GET', `${BASE}/overrides`, {
      query: { state: o.state },
    });
    if (o.json) return json(io, items);
    for (const v of items) io.stdout.write(`${describeOv(v)}\n`);
  });

  // --- health ---
  withServiceOptions(
    adm
      .command('health')
      .description('recent upstream health probes (what overrides revert on)')
      .option('--upstream <name>', 'only this upstream')
      .option('--json', 'JSON output'),
  ).action(async (o: ServiceFlags & { upstream?: string; json?: boolean }) => {
    const { items } = await call<{ items: HealthProbeView[] }>(
      io,
      o,
      'GET',
      `${BASE}/health-probes`,
      {
        query: { upstream: o.upstream },
      },
    );
    if (o.json) return json(io, items);
    for (const p of items)
      io.stdout.write(
        `${p.at}  ${p.upstream.padEnd(12)}  ${p.healthy ? 'healthy' : 'unhealthy'}  ${p.detail ?? ''}\n`,
      );
  });
}

/** A call to the service; a refusal (403, 409) exits 1, bad input 2. */
async function call<T>(
  io: CliIO,
  o: ServiceFlags,
  method: string,
  path: string,
  r: { query?: Record<string, string | undefined>; body?: object } = {},
): Promise<T> {
  try {
    const { body } = await clientFor(o, io).request<T>(method, path, r);
    return body;
  } catch (e) {
    const status = (e as { status?: number }).status;
    if (e instanceof CustodyError && (status === 403 || status === 409)) {
      io.stderr.write(`custody: ${e.code}: ${e.message}\n`);
      throw new CliExit(EXIT.no);
    }
    throw e;
  }
}

function describeNs(c: NamespaceConfigView): string {
  const where = c.cluster === '*' ? 'every cluster' : `cluster ${c.cluster}`;
  const src = c.source === 'default' ? 'default' : `v${c.version} by ${c.updatedBy}`;
  return `${c.namespace} (${where}): ${c.mode}  policy ${c.policy.kind === 'stored' ? `${c.policy.team}/${c.policy.name}` : c.policy.kind}  team ${c.team ?? '-'}  digests ${c.requireDigest ? 'required' : 'optional'}${c.highRisk ? '  high-risk' : ''}${c.expectedIssuer ? `  issuer ${c.expectedIssuer}` : ''}  [${src}]`;
}

function describeEx(e: ExceptionView): string {
  const approvals = e.approvals.map((a) => `${a.side} ${a.approver}`).join(', ') || 'no approvals';
  return `${e.id.padStart(4)}  ${e.state.padEnd(7)}  ${e.namespace}  ${e.imagePattern}  ${e.ticket}  until ${e.expiresAt}  by ${e.requester}; ${approvals}`;
}

function describeOv(v: OverrideView): string {
  const approvals = v.approvals.map((a) => a.approver).join(', ') || 'no approvals';
  return `${v.id.padStart(4)}  ${v.state.padEnd(8)}  ${v.mode} in ${v.namespaces.join(', ')}  ${v.ticket}  until ${v.expiresAt}  by ${v.requester}; ${approvals}${v.revertReason ? `; reverted: ${v.revertReason}` : ''}`;
}

function json(io: CliIO, v: unknown): void {
  io.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

function collect(v: string, prev: string[]): string[] {
  return [...prev, v];
}

function seg(s: string): string {
  return encodeURIComponent(s);
}

function idOf(io: CliIO, id: string): string {
  if (!/^[1-9][0-9]{0,9}$/.test(id)) usage(io, 'the id is a number (the list commands show them)');
  return id;
}

function policyRef(io: CliIO, s: string): object {
  if (s === 'admission-default' || s === 'builtin') return { kind: s };
  const m = /^stored:([^/]+)\/([^@]+)(?:@([1-9][0-9]*))?$/.exec(s);
  if (!m)
    return usage(io, '--policy is admission-default, builtin or stored:<team>/<name>[@<version>]');
  return { kind: 'stored', team: m[1], name: m[2], ...(m[3] ? { version: Number(m[3]) } : {}) };
}

function identity(io: CliIO, j: string): object {
  try {
    const v = JSON.parse(j) as unknown;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) return v;
  } catch {
    // reported below
  }
  return usage(
    io,
    '--identity is a JSON object such as {"issuer":"https://…","subjectRegexp":"…"}',
  );
}

/** A duration such as 90m, 12h or 7d, in milliseconds. */
function durationMs(io: CliIO, s: string): number {
  const m = /^([1-9][0-9]{0,5})(s|m|h|d)$/.exec(s);
  if (!m) return usage(io, `${s} is not a duration (90s, 5m, 12h, 7d)`);
  return (
    Number(m[1]) * { s: 1000, m: 60_000, h: 3600_000, d: 86_400_000 }[m[2] as 's' | 'm' | 'h' | 'd']
  );
}

/** An ISO 8601 time as given, or now plus a duration. */
function when(io: CliIO, s: string): string {
  if (/^\d{4}-\d\d-\d\dT/.test(s)) return s;
  return new Date(Date.now() + durationMs(io, s)).toISOString();
}

function usage(io: CliIO, message: string): never {
  io.stderr.write(`custody: USAGE: ${message}\n`);
  throw new CliExit(EXIT.usage);
}
