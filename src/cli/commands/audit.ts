import type { Command } from 'commander';
import type { AuditAnchorResult, AuditVerifyReport } from '../../api/index.js';
import type { Services } from '../../app/services.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT, serveConfigOf, settingsOf } from '../io.js';
import { clientFor, type ServiceFlags, withServiceOptions } from '../service.js';

interface AuditFlags extends ServiceFlags {
  dataDir?: string;
  json?: boolean;
}

/**
 * `custody audit verify|anchor`: the tamper-evident audit trail. On the data directory (or
 * CUSTODY_DATABASE_URL) with its transparency log, like `custody token`; against a service when
 * --url or CUSTODY_URL names one and no --data-dir is given.
 */
export function registerAudit(program: Command, io: CliIO): void {
  const audit = program.command('audit').description('check and anchor the audit trail');
  const dataDirHelp =
    'work on this data directory (env CUSTODY_DATA_DIR, default ./.custody) instead of a service';

  withServiceOptions(
    audit
      .command('verify')
      .description(
        "check the audit trail's hash chain from its start, and its anchors in the transparency log; exit 1 on any problem",
      )
      .option('--data-dir <dir>', dataDirHelp)
      .option('--json', 'print the report as JSON'),
  ).action(async (o: AuditFlags) => {
    const report = remote(o, io)
      ? (await clientFor(o, io).request<AuditVerifyReport>('GET', '/api/v1/audit/verify')).body
      : await local(io, o, async (s) => {
          const { verifyAuditTrail } = await import('../../app/audit/verify.js');
          return verifyAuditTrail(s);
        });
    if (o.json) io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      for (const p of report.problems)
        io.stdout.write(`${p.id === null ? '-' : `row ${p.id}`}: ${p.code}: ${p.message}\n`);
      const newest = report.anchors.newest;
      io.stderr.write(
        `${report.ok ? 'intact' : 'NOT INTACT'}: ${report.rows} rows (${report.firstId ?? '-'}..${report.lastId ?? '-'}), head ${report.head ?? '-'}; ${report.anchors.checked} anchors${newest ? `, newest at row ${newest.auditId} (log entry ${newest.logIndex})` : ''}\n`,
      );
    }
    if (!report.ok) throw new CliExit(EXIT.no);
  });

  withServiceOptions(
    audit
      .command('anchor')
      .description("log the audit trail's head in the transparency log now")
      .option('--data-dir <dir>', dataDirHelp)
      .option('--json', 'print the anchor as JSON'),
  ).action(async (o: AuditFlags) => {
    const r = remote(o, io)
      ? (await clientFor(o, io).request<AuditAnchorResult>('POST', '/api/v1/audit/anchor')).body
      : await local(io, o, async (s) => {
          const { anchorAuditHead } = await import('../../app/audit/anchor.js');
          const { CLI_CALLER } = await import('../../app/tokens.js');
          return anchorAuditHead(s, CLI_CALLER);
        });
    if (o.json) io.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
    else if (r.anchor === null) io.stderr.write('the audit trail is empty: nothing to anchor\n');
    else
      io.stderr.write(
        `${r.anchored ? 'anchored' : 'already anchored'}: row ${r.anchor.auditId} ${r.anchor.hash} at log entry ${r.anchor.logIndex}\n`,
      );
  });
}

function remote(o: AuditFlags, io: CliIO): boolean {
  const url = o.url ?? settingsOf(io).url;
  return o.dataDir === undefined && url !== undefined && url !== '';
}

async function local<T>(io: CliIO, o: AuditFlags, f: (s: Services) => Promise<T>): Promise<T> {
  const { resolve } = await import('node:path');
  const { openServices } = await import('../../app/services.js');
  const cfg = serveConfigOf(io, o.dataDir !== undefined ? { dataDir: o.dataDir } : {});
  const s = await openServices({
    dataDir: resolve(io.cwd, cfg.dataDir),
    databaseUrl: cfg.databaseUrl,
    blobDir: settingsOf(io).blobDir,
    tlog: { origin: cfg.tlog.origin, keyPath: cfg.tlog.keyPath, keyType: cfg.tlog.keyType },
  });
  try {
    return await f(s);
  } finally {
    await s.close();
  }
}
