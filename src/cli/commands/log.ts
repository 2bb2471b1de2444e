import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  exportCheckpoints,
  isInclusionRefusal,
  parseArchive,
  parseInclusionClaim,
  type Since,
  verifyArchivedInclusion,
} from '../../app/tlog-follow/archive.js';
import {
  type CheckpointEvidence,
  type LogIdentity,
  splitViewOf,
} from '../../app/tlog-follow/follow.js';
import { type MirrorResult, mirrorOnce } from '../../app/tlog-follow/mirror.js';
import {
  checkLog,
  type MonitorCheck,
  readMonitorState,
  writeMonitorState,
} from '../../app/tlog-follow/monitor.js';
import { custodyCheckpointList, logIdentity, remoteLog } from '../../app/tlog-follow/remote-log.js';
import type { FollowReporter } from '../../app/tlog-follow/report-to.js';
import { CoreError } from '../../core/index.js';
import { CliExit } from '../exit.js';
import { type CliIO, EXIT, settingsOf } from '../io.js';
import { progress, writeOutput } from '../output.js';

/**
 * `custody log mirror|monitor|checkpoints export|verify-inclusion`: follow a C2SP tlog-tiles log
 * (Custody's `<base>/tlog/` or any other) from outside. Exit codes: 0 ok; 1 the log is
 * inconsistent (split view, rollback) or the proof does not verify; 2 usage or bad input; 3 internal.
 */
export function registerLog(program: Command, io: CliIO): void {
  const log = program
    .command('log')
    .description('mirror, monitor and audit a transparency log (C2SP tlog-tiles)');

  withReportOptions(
    withLogOptions(
      log
        .command('mirror')
        .description('keep a verified static copy of a log in a folder (servable as it is)')
        .requiredOption('--dir <dir>', 'the mirror folder')
        .option('--follow', 'keep mirroring every --interval seconds')
        .option('--interval <s>', 'seconds between checks when following (default 60)'),
    ),
  ).action(
    async (o: LogFlags & ReportFlags & { dir: string; follow?: boolean; interval?: string }) => {
      const id = identity(o, io);
      const fetcher = remoteLog(o.from);
      const dir = resolve(io.cwd, o.dir);
      const reporter = await reporterFor(o, io, 'mirror');
      await loop(o.follow === true || o.interval !== undefined, interval(o.interval), async () => {
        const r = await guard(io, o, reporter, () =>
          mirrorOnce({
            ...id,
            fetcher,
            dir,
            now: () => new Date(),
            onProgress: progress(io, 'tiles'),
          }),
        );
        report(io, o, { event: 'tlog.mirrored', ...r }, describeMirror(r));
        await sendReport(io, reporter, { origin: r.origin, size: r.size, rootHash: r.rootHash });
      });
    },
  );

  withReportOptions(
    withLogOptions(
      log
        .command('monitor')
        .description('check that each checkpoint of a log is consistent with the last one seen')
        .option('--state <file>', 'remember the last checkpoint here between runs')
        .option('--follow', 'keep checking every --interval seconds')
        .option('--interval <s>', 'seconds between checks when following (default 60)'),
    ),
  ).action(
    async (o: LogFlags & ReportFlags & { state?: string; follow?: boolean; interval?: string }) => {
      const id = identity(o, io);
      const fetcher = remoteLog(o.from);
      const statePath = o.state === undefined ? undefined : resolve(io.cwd, o.state);
      let last = statePath === undefined ? undefined : readMonitorState(statePath, id);
      const reporter = await reporterFor(o, io, 'monitor');
      await loop(o.follow === true || o.interval !== undefined, interval(o.interval), async () => {
        const r = await guard(io, o, reporter, () => checkLog({ ...id, fetcher }, last));
        if (r.kind === 'rollback') {
          const old = (r.evidence as NonNullable<MonitorCheck['evidence']>).old;
          await sendReport(io, reporter, {
            origin: r.origin,
            size: old.size,
            rootHash: old.rootHash,
            inconsistency: {
              code: 'TLOG_ROLLBACK',
              message: `the log serves size ${r.size} and no longer the tiles of size ${old.size} it signed`,
            },
          });
          alarm(
            io,
            'tlog.rollback',
            r.origin,
            r.evidence as NonNullable<MonitorCheck['evidence']>,
            'the log serves a smaller checkpoint and not the tiles of the larger one it signed',
          );
          throw new CliExit(EXIT.no);
        }
        last = r.latest;
        if (statePath !== undefined) writeMonitorState(statePath, r.latest, new Date());
        const { latest: _latest, ...shown } = r;
        report(io, o, { event: 'tlog.checked', ...shown }, describeCheck(r));
        await sendReport(io, reporter, { origin: r.origin, size: r.size, rootHash: r.rootHash });
      });
    },
  );

  const checkpoints = log.command('checkpoints').description("a log's signed checkpoints");
  checkpoints
    .command('export')
    .description(
      "write an auditor's archive: the log's vkey and its signed checkpoints (JSON lines)",
    )
    .requiredOption(
      '--from <url|dir>',
      "the log's tlog prefix URL, or a mirror folder (its history)",
    )
    .requiredOption('--vkey <vkey>', "the log's verifier key (or a file holding it)")
    .option('--origin <origin>', "the log's origin line (default: the vkey's name)")
    .option(
      '--since <date|size>',
      'only checkpoints seen from this ISO date, or of at least this size',
    )
    .option('-o, --output <file>', 'write here instead of stdout')
    .action(
      async (o: {
        from: string;
        vkey: string;
        origin?: string;
        since?: string;
        output?: string;
      }) => {
        const vkey = readVkey(o.vkey, io);
        const origin = o.origin ?? logIdentity(vkey).origin;
        const dir = resolve(io.cwd, o.from);
        const isDir = existsSync(dir) && statSync(dir).isDirectory();
        const text = await exportCheckpoints({
          source: isDir
            ? { kind: 'mirror', dir }
            : { kind: 'log', fetcher: remoteLog(o.from), list: custodyCheckpointList(o.from) },
          origin,
          vkey,
          since: parseSince(o.since),
          now: () => new Date(),
        });
        writeOutput(io, text, o.output === undefined ? undefined : resolve(io.cwd, o.output));
        if (o.output !== undefined) {
          io.stderr.write(
            `Wrote ${text.trimEnd().split('\n').length - 1} checkpoints to ${o.output}\n`,
          );
        }
      },
    );

  log
    .command('verify-inclusion')
    .description('check offline that an entry is in a tree whose checkpoint is archived')
    .requiredOption('--archive <file>', 'an archive from `custody log checkpoints export`')
    .requiredOption('--entry <file|hash>', 'the entry file, or its leaf hash (64 hex digits)')
    .requiredOption('--proof <file>', "the JSON from the log's /api/v1/tlog/proof endpoint")
    .option('--vkey <vkey>', 'require the archive to be for this key')
    .option('--json', 'JSON output')
    .action(
      (o: { archive: string; entry: string; proof: string; vkey?: string; json?: boolean }) => {
        const archive = parseArchive(
          readText(o.archive, io),
          o.vkey === undefined ? undefined : readVkey(o.vkey, io),
        );
        const claim = parseInclusionClaim(parseJson(readText(o.proof, io), o.proof));
        const leaf = /^[0-9a-fA-F]{64}$/.test(o.entry)
          ? { kind: 'leafHash' as const, hash: new Uint8Array(Buffer.from(o.entry, 'hex')) }
          : { kind: 'entry' as const, bytes: new Uint8Array(readBytes(o.entry, io)) };
        try {
          const v = verifyArchivedInclusion(archive, leaf, claim);
          const out = {
            event: 'tlog.inclusion_verified',
            origin: archive.header.origin,
            index: v.index,
            size: v.size,
            leafHash: Buffer.from(v.leafHash).toString('hex'),
            checkpointSeenAt: v.checkpoint.seenAt,
          };
          report(
            io,
            o,
            out,
            `Entry ${v.index} is in ${archive.header.origin} at size ${v.size} (checkpoint archived ${v.checkpoint.seenAt})\n`,
          );
        } catch (e) {
          if (!isInclusionRefusal(e)) throw e;
          if (o.json)
            io.stdout.write(
              `${JSON.stringify({ event: 'tlog.inclusion_failed', error: e.toJSON() })}\n`,
            );
          io.stderr.write(`custody: ${e.code}: ${e.message}\n`);
          throw new CliExit(EXIT.no);
        }
      },
    );
  registerLogUpload(log, io);
}

interface LogFlags {
  from: string;
  vkey: string;
  origin?: string;
  json?: boolean;
}

function withLogOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--from <url>', "the log's tlog prefix, e.g. https://custody.example/tlog/")
    .requiredOption('--vkey <vkey>', "the log's verifier key (or a file holding it)")
    .option('--origin <origin>', "the log's origin line (default: the vkey's name)")
    .option('--json', 'one JSON event per line on stdout');
}

interface ReportFlags {
  reportTo?: string;
  reportName?: string;
  token?: string;
}

function withReportOptions(cmd: Command): Command {
  return cmd
    .option(
      '--report-to <url>',
      'after each round, report to this Custody service (POST /api/v1/tlog/reports; an auditor token)',
    )
    .option('--report-name <name>', 'the name to report under (default <mirror|monitor>@<host>)')
    .option('--token <token>', 'API token for --report-to (env CUSTODY_TOKEN)');
}

async function reporterFor(
  o: ReportFlags,
  io: CliIO,
  kind: 'mirror' | 'monitor',
): Promise<FollowReporter | undefined> {
  if (o.reportTo === undefined) return undefined;
  if (!/^https?:\/\//.test(o.reportTo))
    throw new CoreError('USAGE', `--report-to takes the service's http(s) URL, not ${o.reportTo}`);
  const token = o.token ?? settingsOf(io).token;
  if (!token)
    throw new CoreError(
      'USAGE',
      '--report-to needs an API token: pass --token or set CUSTODY_TOKEN (custody token create --role auditor makes one)',
    );
  const { FollowReporter } = await import('../../app/tlog-follow/report-to.js');
  return new FollowReporter({
    url: o.reportTo,
    token,
    kind,
    ...(o.reportName !== undefined ? { name: o.reportName } : {}),
  });
}

// A report that cannot be delivered is warned about; the mirror's own work and exit code stand.
async function sendReport(
  io: CliIO,
  reporter: FollowReporter | undefined,
  r: Parameters<FollowReporter['send']>[0],
): Promise<void> {
  if (reporter === undefined) return;
  try {
    await reporter.send(r);
  } catch (e) {
    const code = (e as { code?: string }).code;
    io.stderr.write(
      `custody: warning: the report to the service failed${code ? ` (${code})` : ''}: ${(e as Error).message}\n`,
    );
  }
}

function identity(o: LogFlags, io: CliIO): LogIdentity {
  return logIdentity(readVkey(o.vkey, io), o.origin);
}

// A vkey has two '+'; anything else is taken as a file holding one.
function readVkey(v: string, io: CliIO): string {
  if (v.split('+').length >= 3) return v.trim();
  return readText(v, io).trim();
}

// A split view is the one failure that must not be missed: both notes on stderr, a JSON event on
// stdout whatever the output mode, and exit 1.
async function guard<T>(
  io: CliIO,
  o: LogFlags,
  reporter: FollowReporter | undefined,
  f: () => Promise<T>,
): Promise<T> {
  try {
    return await f();
  } catch (e) {
    const split = splitViewOf(e);
    if (split === undefined) throw e;
    await sendReport(io, reporter, {
      origin: split.origin ?? o.origin ?? '',
      size: split.old.size,
      rootHash: split.old.rootHash,
      inconsistency: { code: 'TLOG_SPLIT_VIEW', message: split.message },
    });
    alarm(
      io,
      'tlog.split_view',
      split.origin ?? o.origin ?? '',
      { old: split.old, new: split.new },
      split.message,
    );
    throw new CliExit(EXIT.no);
  }
}

function alarm(
  io: CliIO,
  event: string,
  origin: string,
  evidence: { old: CheckpointEvidence; new: CheckpointEvidence },
  message: string,
): void {
  io.stderr.write(
    `\ncustody: ALERT: ${message}\n\n` +
      `--- checkpoint remembered (size ${evidence.old.size}) ---\n${evidence.old.note}\n` +
      `--- checkpoint served now (size ${evidence.new.size}) ---\n${evidence.new.note}\n`,
  );
  io.stdout.write(`${JSON.stringify({ event, origin, old: evidence.old, new: evidence.new })}\n`);
}

function report(io: CliIO, o: { json?: boolean }, event: object, human: string): void {
  io.stdout.write(o.json ? `${JSON.stringify(event)}\n` : human);
}

function describeMirror(r: MirrorResult): string {
  switch (r.kind) {
    case 'grown':
      return `Mirrored ${r.origin}: ${r.previousSize} → ${r.size} entries (${r.tiles} tiles, ${r.bundles} entry bundles)\n`;
    case 'unchanged':
      return `Mirror of ${r.origin} is up to date at ${r.size} entries\n`;
    case 'stale':
      return `The log served an older checkpoint (${r.size} < ${r.previousSize}); it is consistent, the mirror keeps ${r.previousSize}\n`;
    default: {
      const never: never = r.kind;
      return never;
    }
  }
}

function describeCheck(r: MonitorCheck): string {
  switch (r.kind) {
    case 'first':
      return `First checkpoint of ${r.origin}: size ${r.size}\n`;
    case 'grown':
      return `${r.origin} grew ${r.previousSize} → ${r.size}, consistently\n`;
    case 'unchanged':
      return `${r.origin} unchanged at ${r.size}\n`;
    case 'stale':
    case 'rollback':
      return `${r.origin} served an older checkpoint (${r.size} < ${r.previousSize}): ${r.kind}\n`;
    default: {
      const never: never = r.kind;
      return never;
    }
  }
}

async function loop(follow: boolean, seconds: number, step: () => Promise<void>): Promise<void> {
  if (!follow) return step();
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  // The wait timer stays ref'd: it is what keeps a following process alive between rounds. A
  // signal clears it, so the process ends (exit 0) once a round in progress has finished.
  const stop = () => {
    stopped = true;
    clearTimeout(timer);
    wake?.();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await step();
    while (!stopped) {
      await new Promise<void>((r) => {
        wake = r;
        timer = setTimeout(r, seconds * 1000);
      });
      if (!stopped) await step();
    }
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function interval(v: string | undefined): number {
  const n = v === undefined ? 60 : Number(v);
  if (!Number.isFinite(n) || n <= 0)
    throw new CoreError('USAGE', `--interval must be a positive number of seconds, not ${v}`);
  return n;
}

function parseSince(v: string | undefined): Since {
  if (v === undefined) return { kind: 'all' };
  if (/^(0|[1-9][0-9]*)$/.test(v)) return { kind: 'size', size: Number(v) };
  const t = Date.parse(v);
  if (Number.isNaN(t))
    throw new CoreError(
      'USAGE',
      `--since takes an ISO date or a tree size, not ${JSON.stringify(v)}`,
    );
  return { kind: 'date', date: new Date(t) };
}

function readText(path: string, io: CliIO): string {
  return readBytes(path, io).toString('utf8');
}

function readBytes(path: string, io: CliIO): Buffer {
  try {
    return readFileSync(resolve(io.cwd, path));
  } catch (e) {
    throw new CoreError('FILE_NOT_FOUND', `cannot read ${path}: ${(e as Error).message}`);
  }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CoreError('JSON_PARSE', `${what} is not JSON: ${(e as Error).message}`);
  }
}

/**
 * `custody log upload`: the signatures `custody sign --log-later` spooled while the log was down,
 * logged now, their entries verified against the log's key, their bundles completed (files
 * rewritten; images: the `.sig` layer annotated, the complete bundle pushed as a new referrer).
 * `--public`: the entries a private log stood in for, submitted to the public log. Exit codes:
 * 0 all uploaded (or nothing to do); 1 some could not be (the log still down, an entry that does
 * not verify; their spool files stay); 2 usage.
 */
function registerLogUpload(log: Command, io: CliIO): void {
  log
    .command('upload')
    .description(
      'log the signatures spooled by `custody sign --log-later` and complete their bundles',
    )
    .option(
      '--spool <dir>',
      'the spool folder (default $CUSTODY_DATA_DIR/log-later or ~/.custody/log-later)',
    )
    .option('--url <url>', 'the Custody server whose log takes them (default: each entry’s own)')
    .option('--public', 'submit the entries a private log stood in for to the public log')
    .option(
      '--trusted-root <file>',
      'the log entries must verify against this trusted root’s logs (default: the log server’s own key)',
    )
    .option('--json', 'one JSON line per entry, then a summary')
    .action(
      async (o: {
        spool?: string;
        url?: string;
        public?: boolean;
        trustedRoot?: string;
        json?: boolean;
      }) => {
        const { spoolDir } = await import('../../app/log-later/spool.js');
        const { uploadSpooled } = await import('../../app/log-later/upload.js');
        const { settingsOf } = await import('../io.js');
        const env = settingsOf(io).environment;
        const dir = spoolDir(o.spool === undefined ? undefined : resolve(io.cwd, o.spool), env);
        if (o.url !== undefined && !/^https?:\/\//.test(o.url))
          throw new CoreError(
            'USAGE',
            `--url must be an http(s) URL, not ${JSON.stringify(o.url)}`,
          );
        const trustedLogs =
          o.trustedRoot === undefined
            ? undefined
            : ((parseJson(readText(o.trustedRoot, io), o.trustedRoot) as { tlogs?: unknown[] })
                .tlogs as never);
        const r = await uploadSpooled({
          spoolDir: dir,
          ...(o.url !== undefined ? { url: o.url } : {}),
          pending: o.public === true ? 'public' : 'log',
          ...(trustedLogs !== undefined ? { trustedLogs } : {}),
          env,
          log: {
            onRetry: (attempt, delayMs, reason) =>
              io.stderr.write(
                `custody: the transparency log did not answer (${reason}); retry ${attempt} in ${delayMs} ms\n`,
              ),
          },
          onProgress: (e) => {
            if (o.json === true) io.stdout.write(`${JSON.stringify(e)}\n`);
            io.stderr.write(
              e.kind === 'uploaded'
                ? `custody: uploaded ${e.id.slice(0, 12)}: logged at index ${e.logIndex} in ${e.logUrl}; completed ${e.completed}\n`
                : `custody: NOT uploaded ${e.id?.slice(0, 12) ?? e.path}: ${e.code}: ${e.message}${e.unavailable ? ' (still unavailable; try again later)' : ''}\n`,
            );
          },
        });
        const summary = { uploaded: r.uploaded.length, failed: r.failed.length, spool: dir };
        if (o.json === true)
          io.stdout.write(`${JSON.stringify({ event: 'log.upload', ...summary })}\n`);
        else
          io.stdout.write(
            `${r.uploaded.length} uploaded, ${r.failed.length} not uploaded (spool: ${dir})\n`,
          );
        if (r.failed.length > 0) throw new CliExit(EXIT.no);
      },
    );
}
