import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ApiError } from '../../app/remote.js';
import { CustodyError } from '../../core/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT } from '../io.js';
import { progress } from '../output.js';
import { clientFor, type ServiceFlags, withServiceOptions } from '../service.js';

const SBOM_EXTENSIONS = new Set(['.json', '.xml', '.spdx', '.yaml', '.yml']);
const CONCURRENCY = 4;

interface PushFlags extends ServiceFlags {
  product?: string;
  release?: string;
  artifact?: string;
  team?: string;
  tag?: string;
  commit?: string;
  ticket?: string;
  bundle?: string;
  json?: boolean;
}

interface Outcome {
  file: string;
  ok: boolean;
  created?: boolean;
  sbom?: {
    id: number;
    digest: string;
    componentCount: number;
    qualityScore: number;
    artifact?: string;
    product?: string;
    release?: string;
  };
  /** Gate warnings: passed, but flagged for follow-up (components listed in --json). */
  warnings?: { check: string; message: string; components: { label: string }[] }[];
  followUps?: { open: number; overdue: number; slaDays: number; list: string };
  /** What validation allowed but flagged (purls that break the purl spec). */
  validationWarnings?: { pointer: string; message: string }[];
  /** The bundle's signature, when --bundle was given and the service accepted it. */
  signature?: {
    signer: { kind: string; identity?: string; issuer?: string; name?: string | null };
    logIndex: number | null;
  };
  error?: { code: string; message: string; details?: unknown };
}

/** Refusals that are a checked "no" (exit 1), like a gate's. */
const POLICY_NO = new Set([
  'SBOM_GATE_FAILED',
  'SBOM_BUNDLE_UNVERIFIED',
  'SBOM_SIGNER_NOT_ADMITTED',
]);

interface PushAnswer {
  created: boolean;
  sbom: Outcome['sbom'];
  gate?: { warnings?: Outcome['warnings'] };
  followUps?: Outcome['followUps'];
  validation?: { warnings?: Outcome['validationWarnings'] };
}

/**
 * `custody push sbom <file|dir>…`: send SBOMs to the service. A directory is pushed whole (bulk
 * ingest) with a progress bar; without --product/--release each SBOM is filed under its subject's
 * name and version.
 */
export function registerPush(program: Command, io: CliIO): void {
  const push = program.command('push').description('send evidence to a Custody service');
  withServiceOptions(
    push
      .command('sbom <paths...>')
      .description('push SBOM files (or every SBOM in a directory) to the inventory')
      .option('--product <name>', 'product (default: the SBOM subject’s name)')
      .option('--release <version>', 'release version (default: the SBOM subject’s version)')
      .option(
        '--artifact <digest>',
        'sha256:<hex> of the artifact (one file only; default: the SBOM subject’s SHA-256)',
      )
      .option('--team <team>', 'team that owns a new product (when the token has several)')
      .option('--tag <tag>', 'VCS tag of a new release')
      .option('--commit <sha>', 'VCS commit of a new release')
      .option('--ticket <id>', 'change ticket (SOX / SOC 2) of a new release, e.g. CHG-123')
      .option(
        '--bundle <file>',
        'a Sigstore bundle over the SBOM (custody sign / custody attest): marks it signed (one file only)',
      )
      .option('--json', 'print the results as JSON'),
  ).action(async (paths: string[], o: PushFlags) => {
    const files = paths.flatMap((p) => expand(resolve(io.cwd, p)));
    if (files.length === 0) {
      io.stderr.write(
        'custody: USAGE: no SBOM files found (looked for .json, .xml, .spdx, .yaml)\n',
      );
      throw new CliExit(EXIT.usage);
    }
    if (o.artifact !== undefined && files.length > 1) {
      io.stderr.write('custody: USAGE: --artifact names one artifact; push one file with it\n');
      throw new CliExit(EXIT.usage);
    }
    if (o.bundle !== undefined && files.length > 1) {
      io.stderr.write('custody: USAGE: --bundle signs one SBOM; push one file with it\n');
      throw new CliExit(EXIT.usage);
    }
    const bundle = o.bundle === undefined ? undefined : readFileSync(resolve(io.cwd, o.bundle));
    const client = clientFor(o, io);
    const tick = progress(io, 'pushing');
    const outcomes: Outcome[] = new Array(files.length);
    let next = 0;
    let done = 0;
    const worker = async () => {
      for (let i = next++; i < files.length; i = next++) {
        outcomes[i] = await pushOne(client, files[i] as string, o, io, bundle);
        tick(++done, files.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
    report(io, outcomes, o.json === true);
    const failed = outcomes.filter((r) => !r.ok);
    if (
      failed.some(
        (r) => r.error?.code === 'SERVICE_UNREACHABLE' || r.error?.code === 'AUTH_TOKEN_INVALID',
      )
    ) {
      throw new CliExit(EXIT.usage);
    }
    if (failed.length > 0) {
      // A gate saying no is a policy answer (1); anything else is bad input (2).
      throw new CliExit(
        failed.every((r) => POLICY_NO.has(r.error?.code ?? '')) ? EXIT.no : EXIT.usage,
      );
    }
  });
  registerPushAttestation(push, io);
}

/** Refusals of an attestation that are a checked "no" (exit 1). */
const ATTESTATION_NO = new Set([
  'ATTESTATION_BUNDLE_UNVERIFIED',
  'ATTESTATION_SIGNER_NOT_ADMITTED',
  'ATTESTATION_SUBJECT_MISMATCH',
]);

interface AttestationAnswer {
  created: boolean;
  attestations: {
    id: number;
    artifact: string;
    predicateType: string;
    signer: { kind: string; identity?: string | null; name?: string | null };
    provenance: { builderId: string | null } | null;
    logIndex: number | null;
  }[];
}

/**
 * `custody push attestation <bundle> --product P --release V`: an in-toto attestation (SLSA
 * provenance from custody attest) about a release's artifact, stored beside it.
 */
function registerPushAttestation(push: Command, io: CliIO): void {
  withServiceOptions(
    push
      .command('attestation <bundle>')
      .description("push an attestation (e.g. SLSA provenance) about a release's artifact")
      .requiredOption('--product <name>', 'the product')
      .requiredOption('--release <version>', 'the release')
      .option('--artifact <digest>', 'only this artifact (sha256:<hex>) of the release')
      .option('--json', 'print the result as JSON'),
  ).action(
    async (
      file: string,
      o: ServiceFlags & { product: string; release: string; artifact?: string; json?: boolean },
    ) => {
      const bytes = readFileSync(resolve(io.cwd, file));
      let answer: { status: number; body: AttestationAnswer };
      try {
        answer = await clientFor(o, io).request<AttestationAnswer>(
          'POST',
          `/api/v1/products/${encodeURIComponent(o.product)}/releases/${encodeURIComponent(o.release)}/attestations`,
          {
            body: bytes,
            contentType: 'application/json',
            ...(o.artifact !== undefined ? { query: { artifact: o.artifact } } : {}),
          },
        );
      } catch (e) {
        if (!(e instanceof CustodyError) || !ATTESTATION_NO.has(e.code)) throw e;
        io.stderr.write(`refused  ${file}: ${e.code}: ${e.message}\n`);
        throw new CliExit(EXIT.no);
      }
      const { body } = answer;
      if (o.json) {
        io.stdout.write(`${JSON.stringify(body, null, 2)}\n`);
        return;
      }
      for (const a of body.attestations) {
        const who =
          a.signer.kind === 'key' ? `key ${a.signer.name ?? '(unnamed)'}` : `${a.signer.identity}`;
        io.stdout.write(
          `${body.created ? 'stored' : 'already stored'}  ${file} → ${o.product} ${o.release} ${a.artifact}: ${a.predicateType}${a.provenance?.builderId ? ` by builder ${a.provenance.builderId}` : ''}, signed by ${who}${a.logIndex === null ? '' : `, log index ${a.logIndex}`}\n`,
        );
      }
    },
  );
}

async function pushOne(
  client: ReturnType<typeof clientFor>,
  file: string,
  o: PushFlags,
  io: CliIO,
  bundle: Buffer | undefined,
): Promise<Outcome> {
  const name = relative(io.cwd, file) || file;
  try {
    const bytes = readFileSync(file);
    let { product, release } = o;
    if (product === undefined || release === undefined) {
      const subject = cycloneDxJsonSubject(bytes) ?? (await fullSubject(bytes, name));
      product ??= subject.name;
      release ??= subject.version;
      if (product === undefined || release === undefined) {
        throw new CustodyError(
          'USAGE',
          `${name}: its subject has no ${product === undefined ? 'name' : 'version'}; pass --product and --release`,
        );
      }
    }
    const { status, body } = await client.request<PushAnswer>('POST', '/api/v1/sboms', {
      query: {
        product,
        release,
        artifact: o.artifact,
        team: o.team,
        tag: o.tag,
        commit: o.commit,
        ticket: o.ticket,
      },
      body: bytes,
      contentType: contentTypeOf(file),
    });
    const warnings = body.gate?.warnings ?? [];
    const validationWarnings = body.validation?.warnings ?? [];
    const pushed: Outcome = {
      file: name,
      ok: true,
      created: status === 201,
      ...(body.sbom ? { sbom: body.sbom } : {}),
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(body.followUps ? { followUps: body.followUps } : {}),
      ...(validationWarnings.length > 0 ? { validationWarnings } : {}),
    };
    if (bundle === undefined || !body.sbom) return pushed;
    try {
      const signed = await client.request<{ signature: Outcome['signature'] }>(
        'POST',
        `/api/v1/sboms/${body.sbom.id}/bundles`,
        { body: bundle, contentType: 'application/json' },
      );
      return { ...pushed, ...(signed.body.signature ? { signature: signed.body.signature } : {}) };
    } catch (e) {
      // The SBOM is stored; only the bundle was refused, which the error says.
      if (!(e instanceof CustodyError)) throw e;
      const details = (e as ApiError).details;
      return {
        ...pushed,
        ok: false,
        error: { code: e.code, message: `bundle: ${e.message}`, ...(details ? { details } : {}) },
      };
    }
  } catch (e) {
    if (e instanceof CustodyError) {
      const details = (e as ApiError).details;
      return {
        file: name,
        ok: false,
        error: { code: e.code, message: e.message, ...(details ? { details } : {}) },
      };
    }
    throw e;
  }
}

function report(io: CliIO, outcomes: Outcome[], json: boolean): void {
  if (json) {
    io.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
    return;
  }
  for (const r of outcomes) {
    if (r.sbom) {
      const s = r.sbom;
      io.stdout.write(
        `${r.created ? 'stored' : 'already stored'}  ${r.file} → SBOM ${s.id} of ${s.product} ${s.release} (${s.componentCount} components, score ${s.qualityScore}, ${s.digest.slice(0, 19)}…)\n`,
      );
      writeWarnings(io, r);
    }
    if (r.signature) {
      const g = r.signature.signer;
      const who = g.kind === 'key' ? `key ${g.name ?? '(unnamed)'}` : `${g.identity} (${g.issuer})`;
      const at = r.signature.logIndex === null ? 'not logged' : `log index ${r.signature.logIndex}`;
      io.stdout.write(`signed  ${r.file}: by ${who}, ${at}\n`);
    }
    if (r.ok) continue;
    const err = r.error as NonNullable<Outcome['error']>;
    io.stderr.write(`failed  ${r.file}: ${err.code}: ${err.message}\n`);
    const failures = (
      err.details as { failures?: { check: string; message: string; count: number }[] } | undefined
    )?.failures;
    for (const f of failures ?? [])
      io.stderr.write(`  - ${f.check}: ${f.message} (${f.count} components)\n`);
  }
  const ok = outcomes.filter((r) => r.ok).length;
  if (outcomes.length > 1) io.stderr.write(`${ok} of ${outcomes.length} SBOMs pushed\n`);
}

// Warnings go to stdout with the result they belong to: the push succeeded.
function writeWarnings(io: CliIO, r: Outcome): void {
  const f = r.followUps;
  if (r.warnings && r.warnings.length > 0) {
    const due = f ? `, due within ${f.slaDays} days` : '';
    io.stdout.write(`  warnings (flagged for follow-up${due}; they did not block the push):\n`);
    for (const w of r.warnings) io.stdout.write(`  ! ${w.check}: ${w.message}\n`);
  }
  if (f && f.open > 0) {
    const overdue = f.overdue > 0 ? `, ${f.overdue} overdue` : '';
    io.stdout.write(`  ${f.open} follow-up(s) open${overdue}: GET ${f.list}\n`);
  }
  for (const v of r.validationWarnings ?? []) {
    io.stdout.write(`  ! validation ${v.pointer || '/'}: ${v.message}\n`);
  }
}

/**
 * The subject of a CycloneDX JSON document as sbomSubject reads it (metadata.component's name,
 * made name-safe, and version), from a plain JSON.parse: reading the whole document into the SBOM
 * model only to name it cost more CPU than the upload. Undefined for anything else (other
 * formats, unparsable or unusual documents), which takes the full reader and its errors; the
 * service reads and checks every document in full either way.
 */
function cycloneDxJsonSubject(bytes: Buffer): { name?: string; version?: string } | undefined {
  if (bytes[0] !== 0x7b) return undefined; // BOM, whitespace, XML: the full reader decides
  let doc: unknown;
  try {
    doc = JSON.parse(bytes.toString('utf8'));
  } catch {
    return undefined;
  }
  const d = doc as { bomFormat?: unknown; specVersion?: unknown; metadata?: unknown };
  if (d.bomFormat !== 'CycloneDX' || typeof d.specVersion !== 'string') return undefined;
  const m = d.metadata;
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return undefined;
  const c = (m as { component?: unknown }).component;
  if (c === null || typeof c !== 'object' || Array.isArray(c)) return undefined;
  const { name, version } = c as { name?: unknown; version?: unknown };
  if (typeof name !== 'string' || (version !== undefined && typeof version !== 'string')) {
    return undefined;
  }
  return {
    ...(name ? { name: name.replace(/^@/, '').replace(/\//g, '-') } : {}),
    ...(version ? { version } : {}),
  };
}

async function fullSubject(
  bytes: Buffer,
  name: string,
): Promise<{ name?: string; version?: string }> {
  const { sbomSubject } = await import('../../app/inventory/sbom-subject.js');
  return sbomSubject(bytes, name);
}

function expand(path: string): string[] {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st) throw new CustodyError('FILE_NOT_FOUND', `${path} does not exist`);
  if (st.isFile()) return [path];
  return readdirSync(path, { withFileTypes: true })
    .filter((e) => !e.name.startsWith('.') && e.name !== 'node_modules')
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((e) =>
      e.isDirectory()
        ? expand(join(path, e.name))
        : SBOM_EXTENSIONS.has(extname(e.name).toLowerCase())
          ? [join(path, e.name)]
          : [],
    );
}

function contentTypeOf(file: string): string {
  switch (extname(file).toLowerCase()) {
    case '.xml':
      return 'application/xml';
    case '.spdx':
      return 'text/spdx';
    case '.yaml':
    case '.yml':
      return 'application/yaml';
    default:
      return 'application/json';
  }
}
