import type { Command } from 'commander';
import { CoreError } from '../../core/index.js';
import type { CertificateAuthorityJson, TransparencyLogJson } from '../../sign/trust/index.js';
import type { CliIO } from '../io.js';

/**
 * `custody trust add|remove|list`: edits a Sigstore trusted root (default
 * `<dataDir>/trusted_root.json`). Several CAs and logs are trusted at once, so a new authority is
 * added before the old one is retired (`remove --at`) or removed — pipelines keep verifying.
 */
export function registerTrust(program: Command, io: CliIO): void {
  const trust = program
    .command('trust')
    .description('the CAs and logs signatures are verified against');
  const fileOpt = [
    '--trusted-root <file>',
    'trusted root to edit (default <data dir>/trusted_root.json)',
  ] as const;
  const dirOpt = [
    '--data-dir <dir>',
    'data directory (env CUSTODY_DATA_DIR, default ./.custody)',
  ] as const;

  trust
    .command('list')
    .description('list trusted CAs, logs, CT logs and timestamp authorities')
    .option(...fileOpt)
    .option(...dirOpt)
    .option('--json', 'JSON output')
    .action(async (o: { trustedRoot?: string; dataDir?: string; json?: boolean }) => {
      const { listTrust } = await import('../../sign/trust/index.js');
      const { readTrustStore } = await import('../../app/ca/index.js');
      const rows = listTrust(readTrustStore(await storePath(io, o)));
      if (o.json) {
        io.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
        return;
      }
      for (const r of rows) {
        const until = r.validFor.end ? ` until ${r.validFor.end}` : '';
        io.stdout.write(
          `${r.kind.padEnd(5)}  ${r.id.slice(0, 16)}  ${r.uri}  from ${r.validFor.start}${until}\n`,
        );
      }
    });

  trust
    .command('add')
    .description(
      'trust a CA (certificate chain), a log (a custody serve URL), or everything in another trusted root',
    )
    .option('--ca <pem>', 'CA chain file: issuing certificate first, root last')
    .option('--uri <url>', "the CA's URL (with --ca)")
    .option('--log-url <url>', 'a custody serve whose log to trust (reads its GET /api/v1/tlog)')
    .option('--from <trusted_root.json>', 'every CA and log of another trusted root')
    .option(
      '--valid-from <time>',
      'start of trust (RFC 3339; default now, or the certificate notBefore)',
    )
    .option(...fileOpt)
    .option(...dirOpt)
    .action(
      async (o: {
        ca?: string;
        uri?: string;
        logUrl?: string;
        from?: string;
        validFrom?: string;
        trustedRoot?: string;
        dataDir?: string;
      }) => {
        const { readFileSync } = await import('node:fs');
        const { resolve } = await import('node:path');
        const t = await import('../../sign/trust/index.js');
        const { readTrustStore, writeTrustStore, fromPem } = await import('../../app/ca/index.js');
        if ([o.ca, o.logUrl, o.from].filter((x) => x !== undefined).length !== 1) {
          throw new CoreError('USAGE', 'Give one of --ca, --log-url and --from.');
        }
        const path = await storePath(io, o);
        let root = readTrustStore(path);
        const added: string[] = [];
        if (o.ca !== undefined) {
          if (o.uri === undefined) throw new CoreError('USAGE', '--ca needs --uri.');
          const pem = readFileSync(resolve(io.cwd, o.ca), 'utf8');
          const chain = pem
            .split(/(?=-----BEGIN CERTIFICATE-----)/)
            .filter((s) => s.includes('BEGIN'))
            .map(fromPem);
          const { X509Certificate } = await import('node:crypto');
          const first = new X509Certificate(Buffer.from(chain[0] as Uint8Array));
          const ca: CertificateAuthorityJson = t.certificateAuthorityJson({
            chain,
            uri: o.uri,
            subject: subjectOf(first.subject),
            validFrom: o.validFrom ? parseTime(o.validFrom) : new Date(first.validFrom),
          });
          root = t.addCertificateAuthority(root, ca);
          added.push(`CA ${o.uri}`);
        } else if (o.logUrl !== undefined) {
          const entry = await fetchLogTrustEntry(o.logUrl);
          root = t.addTransparencyLog(root, entry);
          added.push(`log ${entry.baseUrl}`);
        } else if (o.from !== undefined) {
          const other = t.parseTrustedRootJson(readFileSync(resolve(io.cwd, o.from), 'utf8'));
          for (const c of other.certificateAuthorities) root = t.addCertificateAuthority(root, c);
          for (const l of other.tlogs) root = t.addTransparencyLog(root, l);
          root = {
            ...root,
            ctlogs: [
              ...root.ctlogs,
              ...other.ctlogs.filter(
                (c) => !root.ctlogs.some((x) => x.logId.keyId === c.logId.keyId),
              ),
            ],
            timestampAuthorities: [...root.timestampAuthorities, ...other.timestampAuthorities],
          };
          added.push(
            `${other.certificateAuthorities.length} CA(s), ${other.tlogs.length} log(s) from ${o.from}`,
          );
        }
        writeTrustStore(path, root);
        io.stderr.write(`Trusted ${added.join(', ')} in ${path}\n`);
      },
    );

  trust
    .command('remove <id>')
    .description('stop trusting an entry (id or a prefix of 8+ digits, from `trust list`)')
    .option(
      '--at <time>',
      'retire it at this time (RFC 3339) instead: earlier signatures still verify',
    )
    .option(...fileOpt)
    .option(...dirOpt)
    .action(async (id: string, o: { at?: string; trustedRoot?: string; dataDir?: string }) => {
      const { removeTrust, retireTrust } = await import('../../sign/trust/index.js');
      const { readTrustStore, writeTrustStore } = await import('../../app/ca/index.js');
      const path = await storePath(io, o);
      const root = readTrustStore(path);
      writeTrustStore(path, o.at ? retireTrust(root, id, parseTime(o.at)) : removeTrust(root, id));
      io.stderr.write(`${o.at ? `Retired ${id} at ${o.at}` : `Removed ${id}`} in ${path}\n`);
    });
}

/**
 * The `tlogs[]` entry a running `custody serve` publishes for its log.
 * @throws CoreError USAGE when the server cannot be read
 */
export async function fetchLogTrustEntry(baseUrl: string): Promise<TransparencyLogJson> {
  const url = `${baseUrl.replace(/\/+$/, '')}/api/v1/tlog`;
  let body: { trustedRootTlog?: TransparencyLogJson };
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`status ${res.status}`);
    body = (await res.json()) as typeof body;
  } catch (e) {
    throw new CoreError(
      'USAGE',
      `Cannot read the log's trust entry from ${url}: ${(e as Error).message}`,
      { cause: e },
    );
  }
  if (body.trustedRootTlog === undefined)
    throw new CoreError('USAGE', `${url} has no trustedRootTlog.`);
  return body.trustedRootTlog;
}

async function storePath(
  io: CliIO,
  o: { trustedRoot?: string; dataDir?: string },
): Promise<string> {
  const { resolve } = await import('node:path');
  if (o.trustedRoot !== undefined) return resolve(io.cwd, o.trustedRoot);
  const { caPaths } = await import('../../app/ca/index.js');
  return caPaths(resolve(io.cwd, o.dataDir ?? io.env['CUSTODY_DATA_DIR'] ?? '.custody'))
    .trustedRoot;
}

function parseTime(s: string): Date {
  const d = new Date(s);
  if (Number.isNaN(d.getTime())) throw new CoreError('USAGE', `Not a time: ${s} (use RFC 3339).`);
  return d;
}

// Node prints a subject as "CN=…\nO=…"; the trusted root wants organization and common name.
function subjectOf(dn: string): { organization: string; commonName: string } {
  const get = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(dn)?.[1] ?? '';
  return { organization: get('O'), commonName: get('CN') };
}
